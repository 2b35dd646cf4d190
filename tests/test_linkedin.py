"""LinkedIn exports: every era of Connections.csv, folders and zips, messages, invitations, real exports."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from closeknit.errors import InputError
from closeknit.records import ContactRecord, InteractionRecord, RecordError
from closeknit.sources import contacts_csv, linkedin, textio
from conftest import shared

PREAMBLE = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
)
HEADER_2018 = "First Name,Last Name,Email Address,Company,Position,Connected On"
HEADER_2025 = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def contacts(items: list[ContactRecord | RecordError]) -> list[ContactRecord]:
    return [i for i in items if isinstance(i, ContactRecord)]


def errors(items: list) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


# ---------------------------------------------------------------- eras


def test_2018_no_preamble_us_dates(tmp_path: Path) -> None:
    f = write(
        tmp_path / "Connections.csv",
        HEADER_2018 + "\n"
        'Ada,Example,ada@example.com,"Acme, Inc",Engineer,"1/8/18, 6:14 PM"\n'
        'Bob,Sample,,Initech,CEO,"11/17/17, 9:40 PM"\n',
    )
    assert linkedin.sniff(f)
    items = list(linkedin.parse(f))
    assert len(items) == 2 and not errors(items)
    ada, bob = contacts(items)
    assert ada.source == "linkedin" and ada.file == str(f)
    assert (ada.name, ada.given, ada.family) == ("Ada Example", "Ada", "Example")
    assert ada.emails == ["ada@example.com"] and ada.urls == []
    assert (ada.organization, ada.title) == ("Acme, Inc", "Engineer")
    assert ada.connected_on == "2018-01-08"
    assert bob.connected_on == "2017-11-17" and bob.emails == []
    assert (ada.record, bob.record) == (2, 3)
    assert ada.raw == 'Ada,Example,ada@example.com,"Acme, Inc",Engineer,"1/8/18, 6:14 PM"'


@pytest.mark.parametrize("preamble", ["", PREAMBLE])
def test_2022_dates_with_or_without_preamble(tmp_path: Path, preamble: str) -> None:
    f = write(
        tmp_path / "Connections.csv",
        preamble + HEADER_2018 + "\r\nCy,Person,,Globex,Data Scientist,29-Aug-22\r\nDee,Person,,,,2-Jan-21\r\n",
    )
    assert linkedin.sniff(f)
    got = contacts(list(linkedin.parse(f)))
    assert [c.connected_on for c in got] == ["2022-08-29", "2021-01-02"]
    first_line = 5 if preamble else 2
    assert [c.record for c in got] == [first_line, first_line + 1]
    assert got[0].raw == "Cy,Person,,Globex,Data Scientist,29-Aug-22"


def test_2025_preamble_and_url(tmp_path: Path) -> None:
    f = write(
        tmp_path / "Connections.csv",
        PREAMBLE + HEADER_2025 + "\n"
        "Eve,Example,https://www.linkedin.com/in/eve-example,,Umbrella,Software Engineer,26 Dec 2025\n",
    )
    (eve,) = contacts(list(linkedin.parse(f)))
    assert eve.urls == ["https://www.linkedin.com/in/eve-example"]
    assert eve.emails == [] and eve.connected_on == "2025-12-26" and eve.record == 5


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2025-12-26", "2024-01-05"], ["2025-12-26", "2024-01-05"]),
        (["12/26/2025", "01/05/2024"], ["2025-12-26", "2024-01-05"]),  # month first, proven by 26
        (["26/12/2025", "01/05/2024"], ["2025-12-26", "2024-05-01"]),  # day first, proven by 26
        (["01/05/2024", "26/12/2025"], ["2024-05-01", "2025-12-26"]),  # the proof may come later
        (["26.12.2025", "01.05.2024"], ["2025-12-26", "2024-05-01"]),
        (["Dec 26, 2025", "December 5, 2024"], ["2025-12-26", "2024-12-05"]),
        (["26-Dec-2025", "Thu, 5 Dec 2024"], ["2025-12-26", "2024-12-05"]),
        (["2025-12-26 10:30:00 UTC", "12/26/25, 10:30 AM"], ["2025-12-26", "2025-12-26"]),
        (["not a date", ""], ["", ""]),
    ],
)
def test_resaved_date_styles(tmp_path: Path, dates: list[str], expected: list[str]) -> None:
    rows = "".join(f'Ann{i},Lee,,Acme,Eng,"{d}"\n' for i, d in enumerate(dates))
    f = write(tmp_path / "Connections.csv", HEADER_2018 + "\n" + rows)
    got = contacts(list(linkedin.parse(f)))
    assert [c.connected_on for c in got] == expected
    assert [c.record for c in got] == list(range(2, 2 + len(dates)))  # order kept while the order is learnt


def test_semicolon_resave_and_bom(tmp_path: Path) -> None:
    text = HEADER_2018.replace(",", ";") + "\nAnn;Lee;ann@example.com;Acme;Eng;2025-01-02\n"
    f = tmp_path / "Connections.csv"
    f.write_bytes(b"\xef\xbb\xbf" + text.encode())
    (ann,) = contacts(list(linkedin.parse(f)))
    assert ann.name == "Ann Lee" and ann.connected_on == "2025-01-02"


def test_row_without_name_email_or_url_is_an_error(tmp_path: Path) -> None:
    f = write(tmp_path / "Connections.csv", HEADER_2018 + "\n,,,,,14-Mar-22\nAnn,,,,,14-Mar-22\n\n")
    items = list(linkedin.parse(f))
    (err,) = errors(items)
    assert err.record == 2 and err.raw == ",,,,,14-Mar-22" and "name" in err.reason
    assert [c.name for c in contacts(items)] == ["Ann"]


def test_broken_quote_keeps_the_rest(tmp_path: Path) -> None:
    rows = [f'Ann{i},Lee{i},a{i}@example.com,"Acme, Inc",Eng,"1/{i}/18, 6:14 PM"' for i in range(1, 11)]
    rows[4] = 'Bad,"Quote,b@example.com,Acme,Eng,1/5/18'  # quote never closed
    f = write(tmp_path / "Connections.csv", HEADER_2018 + "\n" + "\n".join(rows) + "\n")
    items = list(linkedin.parse(f))
    (err,) = errors(items)
    assert err.record == 6 and err.raw == rows[4] and "quote" in err.reason
    landed = contacts(items)
    assert len(landed) == 9
    assert [c.record for c in landed] == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert all(c.connected_on.startswith("2018-01-") for c in landed)


def test_broken_quote_at_end_of_file(tmp_path: Path) -> None:
    f = write(tmp_path / "Connections.csv", HEADER_2018 + '\nAnn,Lee,,Acme,Eng,"1/5/18\nBob,Lee,,Acme,Eng,1/6/18\n')
    items = list(linkedin.parse(f))
    assert [(type(i).__name__, i.record) for i in items] == [("RecordError", 2), ("ContactRecord", 3)]


def test_header_only_empty_and_binary(tmp_path: Path) -> None:
    assert list(linkedin.parse(write(tmp_path / "h.csv", HEADER_2018 + "\n"))) == []
    (empty,) = linkedin.parse(write(tmp_path / "e.csv", ""))
    assert (empty.record, empty.reason) == (0, "empty file")
    binary = tmp_path / "b.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    (err,) = linkedin.parse(binary)
    assert isinstance(err, RecordError) and err.reason == "not a CSV file"
    (other,) = linkedin.parse(write(tmp_path / "o.csv", "a,b\n1,2\n"))
    assert isinstance(other, RecordError) and other.record == 0
    assert not linkedin.sniff(tmp_path / "o.csv") and not linkedin.sniff(binary)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(linkedin.parse(tmp_path / "nope.csv"))
    assert "nope.csv" in str(info.value) and "\n" not in str(info.value)


def test_sniff_rejects_lookalikes(tmp_path: Path) -> None:
    outlook = write(
        tmp_path / "outlook.csv", "First Name,Last Name,E-mail Address,Company,Job Title\nA,B,a@x.org,C,D\n"
    )
    imported = write(
        tmp_path / "Imported Contacts.csv",
        "First Name,Last Name,Companies,Title,Email Address,Phone Numbers,Created At\nA,,,,,123,\n",
    )
    assert not linkedin.sniff(outlook) and not linkedin.sniff(imported)
    assert not linkedin.sniff(tmp_path)  # a folder without Connections.csv
    assert not linkedin.sniff(tmp_path / "missing.zip")


# ---------------------------------------------------------------- folders and zips

MESSAGES_2022 = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
    "conv-1==,,Ada Example,https://www.linkedin.com/in/ada,Owner Person,2022-08-30 12:12:08 UTC,Hello,"
    '"Secret words, with a comma",INBOX\n'
    "conv-1==,,Owner Person,https://www.linkedin.com/in/owner,Ada Example,2022-08-30 12:15:00 UTC,,"
    '"Reply\nover two lines",INBOX\n'
    "conv-2==,,,,,2022-08-30 12:20:00 UTC,,System notice,INBOX\n"
)
INVITATIONS = (
    "From,To,Sent At,Message,Direction\n"
    'Owner Person,Bob Sample,"8/18/18, 9:08 AM",,OUTGOING\n'
    'Cy Person,Owner Person,"10/31/18, 7:52 AM",Private note,INCOMING\n'
)


def export_files() -> dict[str, str]:
    return {
        "Connections.csv": PREAMBLE
        + HEADER_2025
        + "\nAda,Example,https://www.linkedin.com/in/ada,,Acme,Eng,26 Dec 2025\n",
        "messages.csv": MESSAGES_2022,
        "Invitations.csv": INVITATIONS,
        "Email Addresses.csv": "Email Address,Confirmed,Primary,Updated On\n"
        'old@example.com,Yes,No,"6/19/15, 10:16 AM"\nowner@example.com,Yes,Yes,"6/19/15, 10:16 AM"\n',
        "Profile.csv": "First Name,Last Name,Maiden Name,Headline\nOwner,Person,,Builder\n",
        "Positions.csv": "Company Name,Title,Description,Location,Started On,Finished On\nAcme,Eng,,,Jun 2018,\n",
        "Imported Contacts.csv": "First Name,Last Name,Companies,Title,Email Address,Phone Numbers\nZed,,,,,555\n",
    }


def make_folder(root: Path) -> Path:
    for name, text in export_files().items():
        write(root / name, text)
    return root


def make_zip(path: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in export_files().items():
            archive.writestr(prefix + name, text)
        archive.writestr("__MACOSX/._Connections.csv", b"\x00\x05\x16\x07")
    return path


def test_folder_export(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "export")
    assert linkedin.sniff(folder)
    items = list(linkedin.parse(folder))
    ada, zed = items  # connections, then the uploaded address book; the other files break nothing
    assert isinstance(ada, ContactRecord) and isinstance(zed, ContactRecord)
    assert ada.file == str(folder / "Connections.csv") and ada.record == 5 and ada.source == linkedin.SOURCE
    assert zed.file == str(folder / "Imported Contacts.csv") and zed.source == linkedin.CONTACTS_SOURCE
    assert (zed.name, zed.phones) == ("Zed", ["555"])
    assert {Path(f).name: why for f, why in linkedin.unread(folder).items()} == {
        "Positions.csv": "about you, not your network"
    }
    assert linkedin.owner_emails(folder) == ["owner@example.com", "old@example.com"]
    assert linkedin.owner_names(folder) == ["Owner Person"]
    assert sorted(Path(p).name for p in linkedin.interaction_files(folder)) == ["Invitations.csv", "messages.csv"]


def test_unzipped_export_inside_a_top_folder(tmp_path: Path) -> None:
    make_folder(tmp_path / "outer" / "Basic_LinkedInDataExport")
    assert linkedin.sniff(tmp_path / "outer")
    assert len(contacts(list(linkedin.parse(tmp_path / "outer")))) == 2  # a connection and an address-book entry


def test_parent_of_several_things_is_not_one_export(tmp_path: Path) -> None:
    make_folder(tmp_path / "exports" / "one")
    write(tmp_path / "exports" / "google.csv", "Name,E-mail 1 - Value\nA,a@example.com\n")
    assert not linkedin.sniff(tmp_path / "exports")


@pytest.mark.parametrize("prefix", ["", "Complete_LinkedInDataExport_12-26-2025/"])
def test_zip_export(tmp_path: Path, prefix: str) -> None:
    archive = make_zip(tmp_path / "export.zip", prefix)
    assert linkedin.sniff(archive)
    ada, zed = list(linkedin.parse(archive))
    assert isinstance(ada, ContactRecord) and isinstance(zed, ContactRecord)
    assert ada.file == f"{archive}!{prefix}Connections.csv"
    assert zed.file == f"{archive}!{prefix}Imported Contacts.csv"
    assert list(linkedin.unread(archive)) == [f"{archive}!{prefix}Positions.csv"]
    assert ada.urls == ["https://www.linkedin.com/in/ada"]
    assert linkedin.owner_emails(archive) == ["owner@example.com", "old@example.com"]
    inter = list(linkedin.parse_interactions(archive))
    assert {i.file for i in inter} == {f"{archive}!{prefix}messages.csv", f"{archive}!{prefix}Invitations.csv"}
    assert len(linkedin.interaction_files(archive)) == 2


def test_zip_without_connections_and_corrupt_zip(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("Profile.csv", "First Name,Last Name\nA,B\n")
    assert not linkedin.sniff(empty)
    (err,) = linkedin.parse(empty)
    assert isinstance(err, RecordError) and "Connections.csv" in err.reason
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert not linkedin.sniff(corrupt)
    (bad,) = linkedin.parse(corrupt)
    assert isinstance(bad, RecordError) and bad.record == 0
    (bad_interactions,) = linkedin.parse_interactions(corrupt)
    assert bad_interactions.record == 0


def test_corrupt_member_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", HEADER_2018 + "\n" + "Ann,Lee,,Acme,Eng,1/5/18\n" * 200)
    data = bytearray(path.read_bytes())
    data[60:90] = b"\xff" * 30  # damage the compressed stream
    path.write_bytes(bytes(data))
    items = list(linkedin.parse(path))
    assert items and all(isinstance(i, ContactRecord | RecordError) for i in items)


# ---------------------------------------------------------------- messages and invitations


def test_messages_2022(tmp_path: Path) -> None:
    f = write(tmp_path / "messages.csv", MESSAGES_2022)
    items = list(linkedin.parse_interactions(f))
    first, second, system = items
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert first.source == "linkedin_messages" and first.channel == "linkedin"
    assert first.when == datetime(2022, 8, 30, 12, 12, 8, tzinfo=UTC) and first.when_flagged == ""
    assert first.subject == "Hello" and first.folder == "INBOX" and first.record == 2
    assert [(p.role, p.address, p.name) for p in first.parties] == [
        ("from", "https://www.linkedin.com/in/ada", "Ada Example"),
        ("to", "https://www.linkedin.com/in/owner", "Owner Person"),  # the URL the file gives that name
    ]
    assert first.key.startswith("conv-1==/2022-08-30T12:12:08Z/") and first.key != second.key
    assert second.record == 3 and second.raw.endswith('"Reply\nover two lines",INBOX')
    # content appears in the raw row only: no other field carries it or its length
    for record in (first, second):
        for name in ("subject", "note", "bulk", "folder", "key", "when_flagged"):
            assert "Secret" not in str(getattr(record, name)) and "Reply" not in str(getattr(record, name))
    assert first.size == 1
    assert isinstance(system, RecordError) and system.record == 5


def test_a_group_message_goes_to_each_member_named(tmp_path: Path) -> None:
    header = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
    f = write(tmp_path / "messages.csv", header
              + 'g-1==,team,Ada Example,https://www.linkedin.com/in/ada,"Bo Li,Jane Doe, CFA,Owner Person",'
                "2022-08-30 12:12:08 UTC,,hi all,INBOX\n"
              + 'g-2==,,Cy Ray,https://www.linkedin.com/in/cy,"Li Wei, Ph.D.",2022-08-30 12:20:00 UTC,,hello,INBOX\n')
    group, single = linkedin.parse_interactions(f)
    assert [(p.role, p.name) for p in group.parties] == [
        ("from", "Ada Example"), ("to", "Bo Li"), ("to", "Jane Doe, CFA"), ("to", "Owner Person")]
    assert [p.name for p in single.parties if p.role == "to"] == ["Li Wei, Ph.D."]  # a credential is no member


def test_messages_2018_and_2025_layouts(tmp_path: Path) -> None:
    old = write(
        tmp_path / "a" / "Messages.csv",
        "From,To,Date,Subject,Content,Direction,Folder\n"
        'Ada Example,Owner Person,"10/16/18, 8:36 AM",Hi there,"Body, text",INCOMING,INBOX\n'
        'Owner Person,Ada Example,"10/16/18, 9:00 PM",Re: Hi there,Body,OUTGOING,SENT\n',
    )
    a, b = linkedin.parse_interactions(old)
    assert isinstance(a, InteractionRecord) and isinstance(b, InteractionRecord)
    assert a.when == datetime(2018, 10, 16, 8, 36, tzinfo=UTC) and a.when_flagged
    assert (a.direction, b.direction) == ("in", "out")
    assert a.parties[0].address == "" and a.parties[0].name == "Ada Example"
    assert a.key != b.key
    new = write(
        tmp_path / "b" / "messages.csv",
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
        "SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\n"
        'c1,,Ada Example,https://www.linkedin.com/in/ada,"Bob Sample, Cy Person",'
        '"https://www.linkedin.com/in/bob,https://www.linkedin.com/in/cy",2025-01-15 10:30:00 UTC,,hi,INBOX,,No\n'
        "c1,,Ada Example,https://www.linkedin.com/in/ada,Bob Sample,https://www.linkedin.com/in/bob,"
        "2025-01-15 10:31:00 UTC,,draft,INBOX,,Yes\n",
    )
    group, draft = linkedin.parse_interactions(new)
    assert isinstance(group, InteractionRecord)
    assert [(p.role, p.address, p.name) for p in group.parties] == [
        ("from", "https://www.linkedin.com/in/ada", "Ada Example"),
        ("to", "https://www.linkedin.com/in/bob", "Bob Sample"),
        ("to", "https://www.linkedin.com/in/cy", "Cy Person"),
    ]
    assert group.size == 2
    assert isinstance(draft, RecordError) and "draft" in draft.reason


def test_invitations(tmp_path: Path) -> None:
    f = write(tmp_path / "Invitations.csv", INVITATIONS)
    out, inc = linkedin.parse_interactions(f)
    assert isinstance(out, InteractionRecord) and isinstance(inc, InteractionRecord)
    assert out.source == "linkedin_invitations" and out.channel == "linkedin"
    assert out.direction == "out" and inc.direction == "in"
    assert [(p.role, p.name) for p in out.parties] == [("from", "Owner Person"), ("to", "Bob Sample")]
    assert [(p.role, p.name) for p in inc.parties] == [("from", "Cy Person"), ("to", "Owner Person")]
    assert out.when == datetime(2018, 8, 18, 9, 8, tzinfo=UTC)
    assert inc.subject == "" and inc.note == "" and "Private" not in inc.key
    assert out.key != inc.key and out.record == 2
    newer = write(
        tmp_path / "new" / "Invitations.csv",
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
        'Owner Person,Bob Sample,"1/15/25, 3:45 PM",,OUTGOING,https://www.linkedin.com/in/owner,'
        "https://www.linkedin.com/in/bob\n"
        "Owner Person,Bob Sample,,,OUTGOING,,\n",
    )
    rec, bad = linkedin.parse_interactions(newer)
    assert isinstance(rec, InteractionRecord)
    assert [p.address for p in rec.parties] == ["https://www.linkedin.com/in/owner", "https://www.linkedin.com/in/bob"]
    assert isinstance(bad, RecordError) and bad.record == 3


def test_interactions_of_a_folder_and_keys_are_stable(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "export")
    first = list(linkedin.parse_interactions(folder))
    again = list(linkedin.parse_interactions(folder))
    keys = [i.key for i in first if isinstance(i, InteractionRecord)]
    assert keys == [i.key for i in again if isinstance(i, InteractionRecord)]
    assert len(keys) == len(set(keys)) == 4
    (other,) = linkedin.parse_interactions(write(tmp_path / "x" / "other.csv", "a,b\n1,2\n"))
    assert isinstance(other, RecordError) and other.record == 0


def test_messages_broken_quote(tmp_path: Path) -> None:
    lines = MESSAGES_2022.splitlines(keepends=True)
    lines.insert(2, 'conv-9==,,Bob,,Ada,2022-08-30 12:13:00 UTC,,"never closed,INBOX\n')
    f = write(tmp_path / "messages.csv", "".join(lines))
    items = list(linkedin.parse_interactions(f))
    assert [(type(i).__name__, i.record) for i in items] == [
        ("InteractionRecord", 2),
        ("RecordError", 3),
        ("InteractionRecord", 4),
        ("RecordError", 6),
    ]


# ---------------------------------------------------------------- real exports

REAL = ("contacts_csv", "linkedin_exports")


def _real_rows(data: bytes, header_cell: str) -> int:
    """Data records after the header, counted with the csv module alone (blank records skipped)."""
    records = list(csv.reader(io.StringIO(textio.decode(data).lstrip("\ufeff"), newline="")))
    start = next(i for i, r in enumerate(records) if any(c.strip().lower() == header_cell for c in r))
    return sum(1 for r in records[start + 1 :] if any(c.strip() for c in r))


def test_real_connections_all_rows_accounted_for() -> None:
    root = shared(*REAL)
    files = sorted(root.rglob("Connections.csv"))
    assert len(files) >= 3
    total = 0
    for f in files:
        assert linkedin.sniff(f) and linkedin.sniff(f.parent) and not contacts_csv.sniff(f)
        items = list(linkedin.parse(f))
        rows = _real_rows(f.read_bytes(), "first name")
        assert len(items) == rows, f
        assert all(i.file == str(f) and i.record >= 2 and i.raw for i in items)
        landed = contacts(items)
        assert len(landed) >= len(items) - 10
        # every Connected On date of the real exports reads as an ISO date
        assert all(ISO.match(c.connected_on) for c in landed), f
        assert all(c.name or c.emails or c.urls for c in landed)
        total += len(landed)
    assert total >= 400


def test_real_connections_dates_are_plausible() -> None:
    root = shared(*REAL)
    for f in sorted(root.rglob("Connections.csv")):
        era = int(f.parent.name[:4])
        for c in contacts(list(linkedin.parse(f))):
            assert "2003-01-01" <= c.connected_on <= f"{era}-12-31"


def test_real_interactions_all_rows_accounted_for() -> None:
    root = shared(*REAL)
    seen = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        items = list(linkedin.parse_interactions(folder))
        for name in linkedin.interaction_files(folder):
            mine = [i for i in items if i.file == name]
            head = "sent at" if Path(name).name.lower() == "invitations.csv" else "date"
            assert len(mine) == _real_rows(Path(name).read_bytes(), head), name
            seen += len(mine)
        records = [i for i in items if isinstance(i, InteractionRecord)]
        assert len({(r.source, r.key) for r in records}) == len(records)
        assert all(r.when is not None and r.when.tzinfo is not None for r in records)
        assert all(r.parties for r in records)
    assert seen > 1000


def test_real_owner_files_and_zip_roundtrip(tmp_path: Path) -> None:
    root = shared(*REAL)
    folder = next(p for p in sorted(root.iterdir()) if (p / "Email Addresses.csv").exists())
    emails = linkedin.owner_emails(folder)
    assert emails and all("@" in e for e in emails)
    assert linkedin.owner_names(folder)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    from_zip = list(linkedin.parse(archive))
    from_folder = list(linkedin.parse(folder))
    assert [(type(i).__name__, i.record, i.raw) for i in from_zip] == [
        (type(i).__name__, i.record, i.raw) for i in from_folder
    ]
    assert linkedin.owner_emails(archive) == emails
