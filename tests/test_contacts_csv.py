"""Contacts CSV: Google old/new, Outlook, Thunderbird, generic layouts, encodings, damage, real fixtures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from closeknit.errors import InputError
from closeknit.pipeline.importer import run_import
from closeknit.records import ContactRecord, RecordError
from closeknit.sources import contacts_csv, linkedin, textio
from closeknit.store import Store
from conftest import shared

GOOGLE_OLD_HEADER = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,"
    "Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,"
    "Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,"
    "Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,"
    "Phone 1 - Type,Phone 1 - Value,Address 1 - Type,Address 1 - Formatted,Address 1 - Street,"
    "Address 1 - City,Organization 1 - Type,Organization 1 - Name,Organization 1 - Title,"
    "Website 1 - Type,Website 1 - Value"
)
GOOGLE_NEW_HEADER = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,"
    "Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,"
    "Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,"
    "Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
    "Website 1 - Label,Website 1 - Value"
)
OUTLOOK_HEADER = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,"
    "Business City,Business State,Business Postal Code,Business Country/Region,Home Street,Home City,"
    "Business Phone,Home Phone,Mobile Phone,Business Fax,Assistant's Phone,Birthday,Categories,"
    "E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,Notes,Web Page"
)
THUNDERBIRD_HEADER = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,"
    "Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,"
    "Home ZipCode,Home Country,Work Address,Work Address 2,Work City,Work State,Work ZipCode,Work Country,"
    "Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,Custom 1,"
    "Custom 2,Custom 3,Custom 4,Notes,"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def row(header: str, values: dict[str, str]) -> str:
    names = next(csv.reader([header]))
    unknown = set(values) - set(names)
    assert not unknown, unknown
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([values.get(n, "") for n in names])
    return buf.getvalue()


def only(items: list) -> ContactRecord:
    assert len(items) == 1 and isinstance(items[0], ContactRecord), items
    return items[0]


def test_google_old_layout(tmp_path: Path) -> None:
    f = write(
        tmp_path / "google.csv",
        GOOGLE_OLD_HEADER
        + "\n"
        + row(
            GOOGLE_OLD_HEADER,
            {
                "Name": "Ada Example",
                "Given Name": "Ada",
                "Family Name": "Example",
                "Birthday": "1990-05-17",
                "Notes": "Met at a conference\nlikes tea",
                "Group Membership": "* myContacts ::: Friends ::: * starred ::: Chess Club",
                "E-mail 1 - Type": "* Home",
                "E-mail 1 - Value": "ada@example.com ::: ada@example.org",
                "E-mail 2 - Type": "Work",
                "E-mail 2 - Value": "ada@work.example",
                "Phone 1 - Type": "Mobile",
                "Phone 1 - Value": "+1 555 0100 ::: +1 555 0101",
                "Address 1 - Type": "Home",
                "Address 1 - Formatted": "1 Main St\nSpringfield",
                "Address 1 - Street": "1 Main St",
                "Organization 1 - Name": "Acme",
                "Organization 1 - Title": "Engineer",
                "Website 1 - Value": "https://ada.example",
            },
        )
        + row(GOOGLE_OLD_HEADER, {"Name": "Bob Sample", "E-mail 1 - Value": "bob@example.com", "Birthday": "--05-17"}),
    )
    assert contacts_csv.sniff(f) and not linkedin.sniff(f)
    ada, bob = contacts_csv.parse(f)
    assert isinstance(ada, ContactRecord) and isinstance(bob, ContactRecord)
    assert ada.source == "csv" and ada.file == str(f) and ada.record == 2
    assert (ada.name, ada.given, ada.family) == ("Ada Example", "Ada", "Example")
    assert ada.emails == ["ada@example.com", "ada@example.org", "ada@work.example"]
    assert ada.phones == ["+1 555 0100", "+1 555 0101"]
    assert ada.tags == ["Friends", "Chess Club"]
    assert ada.notes == ["Met at a conference\nlikes tea"]
    assert ada.addresses == ["1 Main St, Springfield"]
    assert (ada.organization, ada.title, ada.birthday) == ("Acme", "Engineer", "1990-05-17")
    assert ada.urls == ["https://ada.example"]
    assert ada.raw.count("\n") == 2  # the multi-line record's exact text
    assert bob.record == 5 and bob.birthday == "--05-17"  # physical line: Ada's record spans lines 2-4


def test_google_new_layout(tmp_path: Path) -> None:
    f = write(
        tmp_path / "contacts.csv",
        GOOGLE_NEW_HEADER
        + "\n"
        + row(
            GOOGLE_NEW_HEADER,
            {
                "First Name": "Cy",
                "Middle Name": "Q",
                "Last Name": "Person",
                "Nickname": "Cyq",
                "File As": "Person, Cy",
                "Organization Name": "Globex",
                "Organization Title": "CTO",
                "Labels": "* myContacts ::: Work",
                "E-mail 1 - Label": "* Work",
                "E-mail 1 - Value": "cy@globex.example",
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": "+44 20 7946 0000",
                "Address 1 - Street": "2 High St",
                "Address 1 - City": "London",
                "Address 1 - Country": "UK",
                "Birthday": "1985-02-03",
            },
        ),
    )
    assert contacts_csv.sniff(f)
    cy = only(list(contacts_csv.parse(f)))
    assert (cy.name, cy.given, cy.family) == ("Cy Q Person", "Cy", "Person")
    assert (cy.organization, cy.title, cy.tags) == ("Globex", "CTO", ["Work"])
    assert cy.emails == ["cy@globex.example"] and cy.phones == ["+44 20 7946 0000"]
    assert cy.addresses == ["2 High St, London, UK"] and cy.birthday == "1985-02-03"


def test_outlook_utf16(tmp_path: Path) -> None:
    text = (
        OUTLOOK_HEADER
        + "\r\n"
        + row(
            OUTLOOK_HEADER,
            {
                "Title": "Dr.",
                "First Name": "Dörte",
                "Last Name": "Müller",
                "Company": "Acme GmbH",
                "Job Title": "Leiterin",
                "Business Street": "Hauptstraße 1",
                "Business City": "Berlin",
                "Business Phone": "+49 30 1234567",
                "Mobile Phone": "+49 170 1234567",
                "Business Fax": "+49 30 7654321",
                "Assistant's Phone": "+49 30 999",
                "Birthday": "5/17/1990",
                "Categories": "Business;VIP",
                "E-mail Address": "doerte@acme.example",
                "E-mail Type": "SMTP",
                "E-mail Display Name": "Dörte Müller (doerte@acme.example)",
                "Notes": "Prefers calls",
                "Web Page": "https://acme.example",
            },
        ).replace("\n", "\r\n")
    )
    f = tmp_path / "outlook.csv"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert contacts_csv.sniff(f)
    d = only(list(contacts_csv.parse(f)))
    assert (d.name, d.given, d.family) == ("Dörte Müller", "Dörte", "Müller")
    assert (d.organization, d.title) == ("Acme GmbH", "Leiterin")  # "Title" is the honorific here
    assert d.emails == ["doerte@acme.example"]
    assert d.phones == ["+49 30 1234567", "+49 170 1234567"]  # no fax, no assistant
    assert d.tags == ["Business", "VIP"] and d.notes == ["Prefers calls"]
    assert d.birthday == "1990-05-17" and d.addresses == ["Hauptstraße 1, Berlin"]
    assert d.urls == ["https://acme.example"] and d.record == 2


def test_thunderbird(tmp_path: Path) -> None:
    f = write(
        tmp_path / "tb.csv",
        THUNDERBIRD_HEADER
        + "\n"
        + row(
            THUNDERBIRD_HEADER,
            {
                "First Name": "Eve",
                "Last Name": "Example",
                "Display Name": "Eve E.",
                "Primary Email": "eve@example.com",
                "Secondary Email": "eve@example.net",
                "Work Phone": "555-0100",
                "Mobile Number": "555-0101",
                "Fax Number": "555-0102",
                "Home Address": "3 Elm St",
                "Home City": "Shelbyville",
                "Organization": "Initech",
                "Job Title": "Analyst",
                "Birth Year": "1970",
                "Birth Month": "7",
                "Birth Day": "4",
                "Web Page 1": "https://eve.example",
            },
        )
        + row(
            THUNDERBIRD_HEADER,
            {"Display Name": "Weather", "Work Phone": "289-1212", "Birth Month": "7", "Birth Day": "4"},
        ),
    )
    eve, weather = contacts_csv.parse(f)
    assert isinstance(eve, ContactRecord) and isinstance(weather, ContactRecord)
    assert (eve.name, eve.given, eve.family) == ("Eve E.", "Eve", "Example")
    assert eve.emails == ["eve@example.com", "eve@example.net"]
    assert eve.phones == ["555-0100", "555-0101"]
    assert eve.addresses == ["3 Elm St, Shelbyville"]
    assert (eve.organization, eve.title, eve.birthday) == ("Initech", "Analyst", "1970-07-04")
    assert weather.phones == ["289-1212"] and weather.birthday == "--07-04"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_generic_delimiters_and_synonyms(tmp_path: Path, delimiter: str) -> None:
    header = delimiter.join(["Surname", "Forename", "E-Mail", "Cell", "Employer", "Role", "Tags"])
    rows = [
        delimiter.join(["Lee", "Ann", "ann@example.com", "555 1", "Acme, Inc", "Boss", "a, b"]),
        delimiter.join(["", "", "", "", "", "", "lonely tag"]),
        delimiter.join(["", "", "", "", "Just An Org", "", ""]),
    ]
    f = write(tmp_path / "people.csv", header + "\n" + "\n".join(rows) + "\n")
    assert contacts_csv.sniff(f)
    ann, bad, org = contacts_csv.parse(f)
    assert isinstance(ann, ContactRecord) and isinstance(org, ContactRecord)
    assert (ann.name, ann.given, ann.family) == ("Ann Lee", "Ann", "Lee")
    assert (ann.emails, ann.phones) == (["ann@example.com"], ["555 1"])
    assert (ann.organization, ann.title) == ("Acme, Inc", "Boss")
    assert isinstance(bad, RecordError) and bad.record == 3 and bad.raw == rows[1]
    assert org.organization == "Just An Org" and org.name == ""


def test_camel_case_and_single_email_column(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "firstName,lastName,emailAddress\nAnn,Lee,ann@example.com\n")
    ann = only(list(contacts_csv.parse(f)))
    assert ann.name == "Ann Lee" and ann.emails == ["ann@example.com"]
    g = write(tmp_path / "b.csv", "Email\nx@example.com\ny@example.com; z@example.com\n")
    assert contacts_csv.sniff(g)
    x, yz = contacts_csv.parse(g)
    assert isinstance(x, ContactRecord) and x.emails == ["x@example.com"] and x.name == ""
    assert isinstance(yz, ContactRecord) and yz.emails == ["y@example.com", "z@example.com"]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("cp1252", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    f = tmp_path / "enc.csv"
    f.write_bytes(bom + "First Name,Last Name,E-mail Address\r\nRenée,Çelik,renee@example.com\r\n".encode(encoding))
    assert contacts_csv.sniff(f)
    r = only(list(contacts_csv.parse(f)))
    assert (r.given, r.family, r.emails, r.record) == ("Renée", "Çelik", ["renee@example.com"], 2)


def test_broken_quote_in_the_middle(tmp_path: Path) -> None:
    lines = [f'Person{i},p{i}@example.com,"Org {i}, Ltd",555{i}' for i in range(1, 9)]
    lines[3] = 'Broken,"b@example.com,Org,5554'
    f = write(tmp_path / "c.csv", "Name,Email,Company,Phone\n" + "\n".join(lines) + "\n")
    items = list(contacts_csv.parse(f))
    errs = [i for i in items if isinstance(i, RecordError)]
    assert len(errs) == 1 and errs[0].record == 5 and errs[0].raw == lines[3]
    landed = [i for i in items if isinstance(i, ContactRecord)]
    assert [c.name for c in landed] == [f"Person{i}" for i in (1, 2, 3, 5, 6, 7, 8)]
    assert [c.record for c in landed] == [2, 3, 4, 6, 7, 8, 9]


def test_legit_multiline_fields_are_not_broken(tmp_path: Path) -> None:
    f = write(
        tmp_path / "m.csv",
        'Name,Email,Notes\nAnn,ann@example.com,"one, two\nthree, four, five, six"\nBob,bob@example.com,""\n',
    )
    ann, bob = contacts_csv.parse(f)
    assert isinstance(ann, ContactRecord) and ann.notes == ["one, two\nthree, four, five, six"]
    assert isinstance(bob, ContactRecord) and bob.record == 4


def test_empty_binary_no_header_and_missing(tmp_path: Path) -> None:
    for content in (b"", b"\n\n  \r\n", b"\xef\xbb\xbf"):
        f = tmp_path / "empty.csv"
        f.write_bytes(content)
        assert not contacts_csv.sniff(f)
        (err,) = contacts_csv.parse(f)
        assert isinstance(err, RecordError) and (err.record, err.reason) == (0, "empty file")
    b = tmp_path / "photo.csv"
    b.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert not contacts_csv.sniff(b)
    (err,) = contacts_csv.parse(b)
    assert isinstance(err, RecordError) and (err.record, err.reason) == (0, "not a CSV file")
    prices = write(tmp_path / "prices.csv", "Name,Price\nWidget,3\n")
    assert not contacts_csv.sniff(prices)
    other = write(tmp_path / "other.csv", "a,b,c\n1,2,3\n")
    assert not contacts_csv.sniff(other)
    (err,) = contacts_csv.parse(other)
    assert isinstance(err, RecordError) and err.record == 0
    assert list(contacts_csv.parse(write(tmp_path / "h.csv", "Name,Email\n"))) == []
    with pytest.raises(InputError) as info:
        list(contacts_csv.parse(tmp_path / "missing.csv"))
    assert "missing.csv" in str(info.value)
    assert not contacts_csv.sniff(tmp_path / "missing.csv") and not contacts_csv.sniff(tmp_path)


def test_not_fooled_by_linkedin_or_prose(tmp_path: Path) -> None:
    conn = write(
        tmp_path / "Connections.csv",
        "First Name,Last Name,Email Address,Company,Position,Connected On\nA,B,,C,D,29-Aug-22\n",
    )
    owner = write(tmp_path / "Email Addresses.csv", "Email Address,Confirmed,Primary,Updated On\na@b.c,Yes,Yes,\n")
    prose = write(tmp_path / "notes.txt", "Contact\nName\nSome text about a person.\n")
    assert not contacts_csv.sniff(conn) and not contacts_csv.sniff(owner) and not contacts_csv.sniff(prose)
    # parse still reads a Connections file as a plain contacts CSV when asked to
    c = only(list(contacts_csv.parse(conn)))
    assert c.name == "A B" and c.connected_on == "2022-08-29" and c.source == "csv"


def test_calendar_text_is_not_a_contacts_file_and_a_folder_says_what_it_did_not_read(tmp_path: Path) -> None:
    """A bare alarm (iCalendar text without an event) has lines a CSV sniffer could take for a header; it is no
    contacts file, and a folder holding it and a note imports the rest and names both as not read."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    alarm = write(folder / "alarm.ics", "BEGIN:VALARM\r\nTRIGGER;RELATED=END:-P2D\r\nACTION:EMAIL\r\n"
                  "ATTENDEE:mailto:ann@x.example\r\nSUMMARY:reminder\r\nDESCRIPTION:Name, email and notes\r\n"
                  "END:VALARM\r\n")
    write(folder / "notes.txt", "just a note\n")
    write(folder / "book.csv", "Name,Email\nAnn Lee,ann@x.example\n")
    assert not contacts_csv.sniff(alarm)
    with Store(tmp_path / "t.db") as db:
        result = run_import(db, folder)
        assert result.people == 1 and result.skipped == 0
        assert "not read: alarm.ics, notes.txt (in no format Closeknit reads)" in result.summary()
        assert set(result.not_read) == {str(alarm.resolve()), str((folder / "notes.txt").resolve())}


def test_a_row_that_names_no_one_is_quarantined_with_its_text(tmp_path: Path) -> None:
    """A row whose only value is no usable one (an email column holding prose) makes no empty person."""
    book = write(tmp_path / "book.csv", "Name,Email\nAnn Lee,ann@x.example\nE-mail,not an address at all\n")
    with Store(tmp_path / "t.db") as db:
        result = run_import(db, book)
        assert result.people == 1 and result.skipped == 1
        assert result.errors[0]["reason"].startswith("names no one")
        assert db.scalar("SELECT raw FROM quarantine") == "E-mail,not an address at all"


# ---------------------------------------------------------------- real fixtures

REAL_CONTACT_DIRS = ("google_contacts_exports", "app_export_fixtures")


def _csv_rows(path: Path) -> int:
    """Data records after the header (the first non-blank record), counted with the csv module alone."""
    records = list(csv.reader(io.StringIO(textio.decode(path.read_bytes()).lstrip("\ufeff"), newline="")))
    records = [r for r in records if any(c.strip() for c in r)]
    return len(records) - 1


def test_real_contact_files_all_rows_accounted_for() -> None:
    root = shared("contacts_csv")
    files = sorted(f for d in REAL_CONTACT_DIRS for f in (root / d).rglob("*.csv"))
    assert len(files) >= 9
    landed_total = 0
    for f in files:
        assert contacts_csv.sniff(f), f
        assert not linkedin.sniff(f), f
        items = list(contacts_csv.parse(f))
        assert len(items) == _csv_rows(f), f
        assert all(i.file == str(f) and i.record >= 2 and i.raw for i in items), f
        landed = [i for i in items if isinstance(i, ContactRecord)]
        assert all(c.name or c.emails or c.phones or c.organization for c in landed)
        landed_total += len(landed)
    assert landed_total >= 15


def test_real_linkedin_export_side_files() -> None:
    root = shared("contacts_csv", "linkedin_exports")
    for f in sorted(root.rglob("*.csv")):
        name = f.name.lower()
        if name == "imported contacts.csv":
            assert contacts_csv.sniff(f)  # an address book the owner uploaded: a contacts CSV
            items = list(contacts_csv.parse(f))
            assert len(items) == _csv_rows(f)
        elif name != "connections.csv":
            assert not contacts_csv.sniff(f), f  # messages, invitations, profile, positions, own addresses
