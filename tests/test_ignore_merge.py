"""`closeknit ignore PERSON` follows the person through merges (by hand, in review, by an import) and splits."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from test_cli import cli

ME = "me@home.example"
BOOK = (
    "First Name,Last Name,E-mail 1 - Value\n"
    "Ann,Lee,ann@one.example\n"
    "Ann,Lee,ann@two.example\n"
    "Bo,Chan,bo@three.example\n"
)
# Mail from Ann's second address: bulk once the person holding it is ignored.
MAIL = (
    "From ann@two.example Mon Nov 02 09:00:00 2026\nFrom: ann@two.example\nTo: me@home.example\n"
    "Date: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <a1@test.example>\nSubject: lunch\n\nhello\n\n"
)


def js(db: Path, *args: str) -> object:
    return json.loads(cli(db, *args, "--json").stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "i.db"
    (tmp_path / "book.csv").write_text(BOOK, encoding="utf-8")
    (tmp_path / "box.mbox").write_text(MAIL, encoding="utf-8")
    cli(path, "import", "csv", str(tmp_path / "book.csv"))
    cli(path, "import", "mail", str(tmp_path / "box.mbox"), "--me", ME)
    return path


def pid(db: Path, address: str) -> int:
    return int(js(db, "show", address)["id"])  # type: ignore[index]


def record_of(db: Path, address: str) -> int:
    """The id of the contact record that holds `address`."""
    with sqlite3.connect(db) as con:
        (rid,) = con.execute("SELECT i.source_record_id FROM identifiers i JOIN source_records r"
                             " ON r.id = i.source_record_id WHERE i.value = ? AND r.source = 'csv'",
                             (address,)).fetchone()
    return int(rid)


def ignored(db: Path) -> set[int]:
    return {int(r["value"]) for r in js(db, "ignore") if r["kind"] == "person"}  # type: ignore[attr-defined]


def listed(db: Path) -> set[int]:
    return {p["id"] for p in js(db, "people")}  # type: ignore[attr-defined]


def mail_bulk(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return str(con.execute("SELECT bulk FROM interactions WHERE subject = 'lunch'").fetchone()[0])


def test_an_ignored_person_merged_into_another_stays_ignored_and_splits_back(db: Path) -> None:
    one, two = pid(db, "ann@one.example"), pid(db, "ann@two.example")
    cli(db, "ignore", str(one))
    assert mail_bulk(db) == ""  # the rule is on the first address's person; the mail came from the second
    cli(db, "merge", str(two), str(one))
    assert ignored(db) == {two} and two not in listed(db)
    assert mail_bulk(db) == "ignored"  # the merged person's mail counts as bulk, as an ignored person's does
    new = int(js(db, "split", str(two), str(record_of(db, "ann@one.example")))["new_person"])  # type: ignore[index]
    assert ignored(db) == {new}  # the part that carried the rule keeps it; the other is free again
    assert two in listed(db) and new not in listed(db)
    assert mail_bulk(db) == ""


def test_a_person_ignored_before_someone_is_merged_into_them(db: Path) -> None:
    one, two = pid(db, "ann@one.example"), pid(db, "ann@two.example")
    cli(db, "ignore", str(two))
    cli(db, "merge", str(two), str(one))
    assert ignored(db) == {two}
    new = int(js(db, "split", str(two), str(record_of(db, "ann@one.example")))["new_person"])  # type: ignore[index]
    assert ignored(db) == {two} and new in listed(db)
    # Merged the other way round (the ignored person merged away), the rule moves to the one kept.
    cli(db, "merge", str(new), str(two))
    assert ignored(db) == {new} and mail_bulk(db) == "ignored"


def test_a_merged_person_ignored_as_a_whole_stays_ignored_in_both_parts(db: Path) -> None:
    one, two = pid(db, "ann@one.example"), pid(db, "ann@two.example")
    cli(db, "merge", str(one), str(two))
    cli(db, "ignore", str(one))
    new = int(js(db, "split", str(one), str(record_of(db, "ann@two.example")))["new_person"])  # type: ignore[index]
    assert ignored(db) == {one, new}
    cli(db, "ignore", "--remove", str(new))
    assert ignored(db) == {one} and new in listed(db)


def test_an_import_that_merges_an_ignored_person_keeps_the_rule(db: Path, tmp_path: Path) -> None:
    two = pid(db, "ann@two.example")
    cli(db, "ignore", str(two))
    # A card holding both addresses: the import merges the two people, keeping the lower id.
    card = tmp_path / "ann.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@one.example\r\nEMAIL:ann@two.example\r\n"
                    "END:VCARD\r\n", encoding="utf-8")
    cli(db, "import", str(card))
    kept = pid(db, "ann@two.example")
    assert kept == pid(db, "ann@one.example") and ignored(db) == {kept} and kept not in listed(db)
    assert pid(db, "bo@three.example") in listed(db)
