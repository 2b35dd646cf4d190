"""Stand-in names in contact records ("e-mail", "LinkedIn Member", an address) are no names."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from closeknit.identity.normalise import contact_name
from closeknit.records import ContactRecord
from closeknit.store import Store, people
from closeknit.store.writer import Writer
from test_cli import cli

HEADER = ("First Name,Last Name,Companies,Title,Email Address,Phone Numbers,Created At,Instant Message Handles,"
          "Addresses,Sites,Full Name,Birthday,Location,Bookmarked At,Profiles\n")


def row(first: str, last: str, address: str, full: str = "") -> str:
    return f"{first},{last},,,{address},,,,,,{full},,,,\n"


# An address book uploaded to LinkedIn in 2018: exporters put stand-ins, and addresses cut to 20
# characters, where a name belongs.
IMPORTED = HEADER + "".join([
    row("e-mail", "", "first@box.example"),
    row("jane.doe@mail.exampl", "jane.doe@mail.example", "jane.doe@mail.example",
        "jane.doe@mail.exampl jane.doe@mail.example"),
    row("LinkedIn", "Member", "member@box.example"),
    row("Unknown", "", "k7x@box.example"),
    row("Test", "", "tester@box.example"),
    row("M", "", "mx@box.example"),
    row("Dana", "Whitfield", "dana@corp.example"),
])
VCARDS = "".join(
    f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{fn}\r\nN:{n}\r\nEMAIL:{address}\r\nEND:VCARD\r\n"
    for fn, n, address in [
        ("omar.haddad@corp.example", ";;;;", "omar.haddad@corp.example"),
        ("Email", "Email;;;;", "inbox@corp.example"),
        ("Unknown", "Sato;Kenji;;;", "kenji@corp.example"),  # a stand-in FN beside a real N
    ]
)


@pytest.mark.parametrize(("name", "given", "family", "expected"), [
    ("e-mail", "", "", ""),
    ("LinkedIn Member", "LinkedIn", "Member", ""),
    ("a@b.example c@d.example", "a@b.example", "c@d.example", ""),
    ("", "unknown", "", ""),
    ("Unknown", "Kenji", "Sato", "Kenji Sato"),
    ("Jin Na", "Jin", "Na", "Jin Na"),  # "na" alone is a stand-in ("n/a"), a part of a real name is not
    ("Dana Whitfield", "", "", "Dana Whitfield"),
    ("https://www.linkedin.com/in/some-one", "", "", ""),  # a profile used as a name
    ('=HYPERLINK("http://x";"y")', "", "", '=HYPERLINK("http://x";"y")'),  # odd text, but no stand-in
    ("Ravi .", "Ravi", ".", "Ravi"),  # a family name kept private
    ("Okafor, Nomvula", "Nomvula", "Okafor", "Nomvula Okafor"),  # an address book's filing order
    ("Acme, Inc.", "", "", "Acme, Inc."),
    ("- Mehta", "-", "Mehta", "Mehta"),
])
def test_contact_name(name: str, given: str, family: str, expected: str) -> None:
    shown, first, last, key = contact_name(name, given, family)
    assert shown == expected
    assert bool(key) == bool(expected) and (first or last or not expected)


def test_stand_in_names_are_cleared_and_the_records_kept(tmp_path: Path) -> None:
    book, cards = tmp_path / "Imported Contacts.csv", tmp_path / "book.vcf"
    book.write_text(IMPORTED, encoding="utf-8")
    cards.write_text(VCARDS, encoding="utf-8")
    db = tmp_path / "p.db"
    for path in (book, cards):
        cli(db, "import", str(path))
    health = json.loads(cli(db, "doctor", "--json").stdout)
    assert health["people"] == 10 and health["placeholder_names"] == 0, health
    shown = {p["emails"][0]: p["name"] for p in json.loads(cli(db, "people", "--json").stdout)}
    assert shown == {
        "first@box.example": "first@box.example",  # no name in the address either: the address itself
        "jane.doe@mail.example": "Jane Doe",  # a name read from the address
        "member@box.example": "member@box.example",
        "k7x@box.example": "k7x@box.example",
        "tester@box.example": "tester@box.example",
        "mx@box.example": "mx@box.example",
        "dana@corp.example": "Dana Whitfield",
        "omar.haddad@corp.example": "Omar Haddad",
        "inbox@corp.example": "inbox@corp.example",
        "kenji@corp.example": "Kenji Sato",
    }
    with sqlite3.connect(db) as con:
        raws = [r for (r,) in con.execute("SELECT raw FROM source_records")]
        stored = {n for (n,) in con.execute("SELECT name FROM people")}
    assert any("LinkedIn,Member" in r for r in raws) and any("FN:Email" in r for r in raws)  # kept as they were
    assert stored == {"", "Dana Whitfield", "Kenji Sato"}


def test_a_stand_in_name_does_not_block_a_real_one(tmp_path: Path) -> None:
    # The same address twice: first under a stand-in, then under a name; the name is the person's.
    with Store(tmp_path / "s.db") as db:
        w = Writer(db)
        for n, name in enumerate(["e-mail", "Lee Park"]):
            w.add_contact(ContactRecord(source="csv", file="a.csv", record=n, raw=f"{n},{name}", name=name,
                                        emails=["lee@corp.example"]))
        w.flush()
        (pid, name), = db.rows("SELECT id, name FROM people")
        assert name == "Lee Park"
        # A split rebuilds each part from its own records, with the same rule.
        stand_in = db.scalar("SELECT id FROM source_records WHERE record = 0")
        other = people.split(db, pid, [stand_in])
        assert dict(db.rows("SELECT id, name FROM people")) == {pid: "Lee Park", other: ""}
