"""Fuzz the CSV parsers: arbitrary and damaged bytes only ever give records or CloseknitErrors."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.errors import CloseknitError
from closeknit.records import ContactRecord, InteractionRecord, RecordError
from closeknit.sources import contacts_csv, csvutil, linkedin

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SEEDS = [
    b"First Name,Last Name,Email Address,Company,Position,Connected On\n"
    b'Ada,Example,ada@example.com,"Acme, Inc",Engineer,"1/8/18, 6:14 PM"\n'
    b'Bob,Sample,,Initech,CEO,"11/17/17, 9:40 PM"\n',
    b'Notes:\n"When exporting, some email addresses are missing."\n\n'
    b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    b"Eve,Example,https://www.linkedin.com/in/eve,,Umbrella,Engineer,26 Dec 2025\n"
    b"Cy,Person,https://www.linkedin.com/in/cy,,Globex,Scientist,29-Aug-22\n",
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
    b'c1==,,Ada,https://www.linkedin.com/in/ada,Owner,2022-08-30 12:12:08 UTC,Hi,"Body, text\nmore",INBOX\n'
    b"c1==,,Owner,https://www.linkedin.com/in/owner,Ada,2022-08-30 12:15:00 UTC,,Reply,INBOX\n",
    b"From,To,Sent At,Message,Direction\n"
    b'Owner,Bob,"8/18/18, 9:08 AM",,OUTGOING\nCy,Owner,"10/31/18, 7:52 AM",hello,INCOMING\n',
    b"Name,Given Name,Family Name,Birthday,Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,"
    b"Phone 1 - Value,Address 1 - Formatted,Organization 1 - Name,Organization 1 - Title\n"
    b'Ada Example,Ada,Example,1990-05-17,"two\nlines",* myContacts ::: Friends,* Home,'
    b'a@example.com ::: b@example.com,+1 555 0100,"1 Main St\nTown",Acme,Eng\n',
    b"Title,First Name,Last Name,Company,Job Title,Business Phone,Mobile Phone,Birthday,Categories,"
    b"E-mail Address,E-mail 2 Address,Notes\r\nDr.,Ann,Lee,Acme,Boss,555 1,555 2,5/17/1990,A;B,ann@x.org,,hi\r\n",
    b"First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Work Phone,Mobile Number,"
    b"Organization,Job Title,Birth Year,Birth Month,Birth Day,Notes,\nEve,E,Eve E,,eve@x.org,,1,2,Org,T,1970,7,4,,\n",
    "Surname;Forename;E-Mail;Cell\nLée;Ann;ann@example.com;555\n;;;\n".encode("cp1252"),
    "First Name,Last Name,E-mail Address\r\nRenée,Çelik,r@example.com\r\n".encode("utf-16"),
    b"Email Address,Confirmed,Primary,Updated On\nowner@example.com,Yes,Yes,\n",
]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "quote", "bytes", "delete_line", "dup_line", "newline", "delim"]))
        at = draw(st.integers(0, len(data))) if data else 0
        if op == "truncate":
            del data[at:]
        elif op == "quote":
            data[at:at] = b'"'
        elif op == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "newline":
            data[at:at] = draw(st.sampled_from([b"\n", b"\r", b"\r\n", b"\n\n"]))
        elif op == "delim":
            data[at:at] = draw(st.sampled_from([b",", b";", b"\t", b'","', b'"\n"']))
        else:
            lines = bytes(data).split(b"\n")
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                if op == "delete_line":
                    del lines[i]
                else:
                    lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def check_contacts(items: object) -> None:
    for item in items:  # type: ignore[attr-defined]
        assert isinstance(item, ContactRecord | RecordError), item
        assert isinstance(item.raw, str) and item.record >= 0
        if isinstance(item, ContactRecord):
            assert item.record >= 1 and item.raw
            assert item.name or item.emails or item.phones or item.organization or item.urls
            assert item.connected_on == "" or ISO.match(item.connected_on)


def check_interactions(items: object) -> None:
    for item in items:  # type: ignore[attr-defined]
        assert isinstance(item, InteractionRecord | RecordError), item
        if isinstance(item, InteractionRecord):
            assert isinstance(item.when, datetime) and item.when.utcoffset() is not None
            assert item.key and item.parties and item.record >= 1


def run_all(path: Path) -> None:
    """Every entry point on one path: only records, RecordErrors or a CloseknitError come out."""
    calls = [
        lambda: check_contacts(linkedin.parse(path)),
        lambda: check_interactions(linkedin.parse_interactions(path)),
        lambda: check_contacts(contacts_csv.parse(path)),
        lambda: strings(linkedin.owner_emails(path)),
        lambda: strings(linkedin.owner_names(path)),
        lambda: linkedin.interaction_files(path),
    ]
    for call in calls:
        with contextlib.suppress(CloseknitError):
            call()
    # Sniffing answers for any bytes: it must not raise.
    linkedin.sniff(path)
    contacts_csv.sniff(path)


def strings(values: list[str]) -> None:
    assert all(isinstance(v, str) and v for v in values), values


def run_bytes(data: bytes, name: str = "Connections.csv") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        run_all(path)
        run_all(Path(tmp))  # the folder, as an export


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    run_bytes(data)


@FUZZ
@given(damaged())
def test_damaged_csvs(data: bytes) -> None:
    run_bytes(data)
    run_bytes(data, "messages.csv")


@FUZZ
@given(damaged(), st.booleans())
def test_damaged_zip_members(data: bytes, deflate: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.zip"
        method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        with zipfile.ZipFile(path, "w", compression=method) as archive:
            for name in ("Connections.csv", "messages.csv", "Invitations.csv", "Email Addresses.csv"):
                archive.writestr(name, data)
        run_all(path)


@FUZZ
@given(st.binary(max_size=2000), st.integers(0, 400))
def test_damaged_zip_archives(noise: bytes, cut: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("Connections.csv", SEEDS[0])
        data = bytearray(path.read_bytes())
        data[cut : cut + len(noise)] = noise
        path.write_bytes(bytes(data))
        run_all(path)
        path.write_bytes(noise)
        run_all(path)


@FUZZ
@given(st.text(max_size=40))
def test_dates_never_raise(value: str) -> None:
    dates = csvutil.Dates()
    dates.observe(value)
    iso = dates.iso_date(value)
    assert iso == "" or ISO.match(iso)
    when, _ = dates.instant(value)
    assert when is None or when.utcoffset() is not None


# Control characters other than line ends and tabs make textio call a small file binary: leave them out.
FIELD = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\r\n\t"), max_size=30)


@FUZZ
@given(st.lists(st.tuples(FIELD, FIELD, FIELD), min_size=1, max_size=12), st.sampled_from([",", ";", "\t"]))
def test_valid_csv_loses_nothing(rows: list[tuple[str, str, str]], delimiter: str) -> None:
    """Whatever the fields hold (quotes, delimiters, newlines), a well-formed file lands every row intact."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["Name", "Email", "Notes"])
    for i, (name, org, notes) in enumerate(rows):
        writer.writerow([name, f"p{i}@example.com", notes + org])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.csv"
        path.write_bytes(buf.getvalue().encode("utf-8"))
        items = list(contacts_csv.parse(path))
    assert [type(i) for i in items] == [ContactRecord] * len(rows)
    assert [i.emails for i in items] == [[f"p{n}@example.com"] for n in range(len(rows))]  # type: ignore[union-attr]
    assert [i.notes for i in items] == [  # type: ignore[union-attr]
        [(notes + org).strip()] if (notes + org).strip() else [] for _, org, notes in rows
    ]
