"""People as the user sees them: names read from addresses, edits kept, ignore rules, stale archives,
show's strength and tier, --json on every command that changes something, export columns, progress."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from rich.console import Console

from closeknit.cli.app import progress
from closeknit.store import Store, scores
from test_cli import cli

ME = "me@home.example"


def message(box: str, i: int, sender: str, to: str, when: datetime, reply_to: int | None = None) -> str:
    head = (f"From {sender} {when.strftime('%a %b %d %H:%M:%S %Y')}\nFrom: {sender}\nTo: {to}\n"
            f"Date: {format_datetime(when)}\nMessage-ID: <{box}{i}@test.example>\nSubject: about the project {i}\n")
    if reply_to is not None:
        head += f"In-Reply-To: <{box}{reply_to}@test.example>\n"
    return head + "\nhello\n\n"


def mailbox(path: Path, contacts: list[str], end: datetime, rounds: int = 12) -> Path:
    """For each contact, `rounds` weekly exchanges ending at `end`: I write, they answer."""
    out, i = [], 0
    for who in contacts:
        for week in range(rounds):
            when = end - timedelta(days=7 * week, hours=contacts.index(who))
            out.append(message(path.stem, i, ME, who, when))
            out.append(message(path.stem, i + 1, who, ME, when + timedelta(hours=2), reply_to=i))
            i += 2
    path.write_text("".join(out), encoding="utf-8")
    return path


def js(db: Path, *args: str) -> object:
    return json.loads(cli(db, *args, "--json").stdout)


@pytest.fixture
def recent(tmp_path: Path) -> Path:
    db = tmp_path / "c.db"
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    box = mailbox(tmp_path / "box.mbox", ["jane.doe@corp.example", "info@shop.example", "deals@promo.example"], end)
    cli(db, "import", "mail", str(box), "--me", ME)
    return db


def test_people_known_by_an_address_get_a_name_from_it(recent: Path) -> None:
    names = {p["emails"][0]: p["name"] for p in js(recent, "people")}  # type: ignore[union-attr]
    assert names == {"jane.doe@corp.example": "Jane Doe", "info@shop.example": "info@shop.example",
                     "deals@promo.example": "deals@promo.example"}
    shown = {p["name"] for p in js(recent, "circle")}  # type: ignore[union-attr]
    assert "Jane Doe" in shown and "" not in shown
    report = js(recent, "report")
    assert all(p["name"] for p in report["favor_list"] + report["reciprocity"])  # type: ignore[index]
    timeline = js(recent, "timeline", "jane.doe@corp.example", "--limit", "1")
    assert {p["name"] for p in timeline[0]["participants"]} >= {"Jane Doe"}  # type: ignore[index]
    assert "Jane Doe" in cli(recent, "show", "jane.doe@corp.example").stdout


def test_correspondents_are_named_as_their_names_are_said(tmp_path: Path) -> None:
    """A directory's "Family, Given" reads "Given Family"; a company's name stays; an apostrophe is a name's; a
    middle initial in an address is one, a first one is not (it may stand for anyone)."""
    when = datetime(2026, 3, 2, 9, tzinfo=UTC)
    senders = ['"Lee, Ann M." <ann@corp.example>', '"Acme, Inc." <sales@acme.example>',
               "sean.o'neil@corp.example", '"Team Desk," <desk@corp.example>', "rae.j.kim@corp.example",
               "j..kim@corp.example"]
    box = tmp_path / "named.mbox"
    box.write_text("".join(message("n", i, who, ME, when + timedelta(hours=i)) for i, who in enumerate(senders)),
                   encoding="utf-8")
    db = tmp_path / "c.db"
    cli(db, "import", "mail", str(box), "--me", ME)
    names = {p["emails"][0]: p["name"] for p in js(db, "people")}  # type: ignore[union-attr]
    assert names == {"ann@corp.example": "Ann M. Lee", "sales@acme.example": "Acme, Inc.",
                     "sean.o'neil@corp.example": "Sean O'Neil", "desk@corp.example": "Team Desk",
                     "rae.j.kim@corp.example": "Rae J Kim", "j..kim@corp.example": "j..kim@corp.example"}
    assert js(db, "show", "Lee, Ann")["name"] == "Ann M. Lee"  # type: ignore[index]


def test_edit_renames_and_keeps_the_old_value(recent: Path, tmp_path: Path) -> None:
    done = js(recent, "edit", "info@shop.example", "--name", "Ines Moreau", "--org", "Corner Shop")
    assert done["changes"] == [  # type: ignore[index]
        {"field": "name", "old": "", "new": "Ines Moreau"},
        {"field": "organization", "old": "", "new": "Corner Shop"},
    ]
    cli(recent, "edit", "Ines Moreau", "--name", "Inès Moreau")
    shown = js(recent, "show", "info@shop.example")
    assert (shown["name"], shown["organization"]) == ("Inès Moreau", "Corner Shop")  # type: ignore[index]
    assert [(e["field"], e["old"], e["new"]) for e in shown["edits"]] == [  # type: ignore[index]
        ("name", "", "Ines Moreau"), ("organization", "", "Corner Shop"), ("name", "Ines Moreau", "Inès Moreau")]
    assert [p["name"] for p in js(recent, "people", "--name", "moreau")] == ["Inès Moreau"]  # type: ignore[union-attr]
    again = tmp_path / "again.mbox"
    mailbox(again, ["info@shop.example"], datetime.now(UTC) - timedelta(days=1), rounds=1)
    cli(recent, "import", "mail", str(again))
    assert js(recent, "show", "info@shop.example")["name"] == "Inès Moreau"  # type: ignore[index]
    assert cli(recent, "edit", "1", check=False).returncode == 2  # nothing to change


def test_an_old_archive_says_when_its_data_ends(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    box = mailbox(tmp_path / "old.mbox", ["jane.doe@corp.example", "raj.iyer@corp.example"],
                  datetime(2002, 2, 5, 16, 0, tzinfo=UTC))
    cli(db, "import", "mail", str(box), "--me", ME)
    hint = ("your data ends on 2002-02-05; scoring as of {today} shows every tie as dormant;"
            " try --as-of 2002-02-05")
    today = datetime.now(UTC).date().isoformat()
    narrow = {**os.environ, "CLOSEKNIT_DB": str(db), "COLUMNS": "40"}  # a message is one line however narrow
    stale = subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "report"],
                           capture_output=True, text=True, env=narrow, timeout=300, check=True)
    assert hint.format(today=today) + "\n" in stale.stderr.splitlines(keepends=True)
    tiers = json.loads(cli(db, "report", "--json").stdout)["tiers"]
    assert tiers["dormant"] == 2 and tiers["inner"] == tiers["close"] == tiers["favor"] == 0
    fresh = cli(db, "report", "--as-of", "2002-02-05", "--json")
    assert "data ends" not in fresh.stderr
    data = json.loads(fresh.stdout)
    assert data["as_of"] == "2002-02-05" and data["data_ends"] == "2002-02-05" and data["tiers"]["dormant"] == 0
    assert "data ends" not in cli(db, "score", "--as-of", "2002-02-05").stderr


def test_a_few_stray_messages_long_after_the_rest_are_not_where_the_data_ends(tmp_path: Path) -> None:
    """A misdated or stray message months after an archive's end would make every tie look lapsed: up to four such
    messages are left out of where the data ends; five are mail that goes on."""
    box = mailbox(tmp_path / "old.mbox", ["jane.doe@corp.example"], datetime(2002, 2, 5, 16, 0, tzinfo=UTC))
    strays = "".join(message("old", 900 + i, "raj.iyer@corp.example", ME, datetime(2002, 9, 22 + i, tzinfo=UTC))
                     for i in range(4))
    box.write_text(box.read_text(encoding="utf-8") + strays, encoding="utf-8")
    db = tmp_path / "old.db"
    cli(db, "import", "mail", str(box), "--me", ME)
    with Store(db) as store:
        assert scores.data_end(store) == "2002-02-05"
    more = message("old", 950, "raj.iyer@corp.example", ME, datetime(2002, 9, 30, tzinfo=UTC))
    box.write_text(box.read_text(encoding="utf-8") + more, encoding="utf-8")
    cli(db, "import", "mail", str(box), "--me", ME)
    with Store(db) as store:
        assert scores.data_end(store) == "2002-09-30"


def test_show_has_strength_tier_last_contact_and_rating_and_me_is_written_one_way(recent: Path) -> None:
    cli(recent, "rate", "jane.doe@corp.example", "strong")
    cli(recent, "score")
    shown = js(recent, "show", "jane.doe@corp.example")
    assert shown["strength"] > 0 and shown["tier"] in ("inner", "close", "favor")  # type: ignore[index]
    assert shown["last_contact"] and shown["rating"] == "strong" and shown["is_me"] is False  # type: ignore[index]
    text = cli(recent, "show", "jane.doe@corp.example").stdout
    assert "strength" in text and "last contact" in text and "strong" in text
    parties = js(recent, "timeline", "jane.doe@corp.example")[0]["participants"]  # type: ignore[index]
    assert {p["is_me"] for p in parties} == {True, False} and all("me" not in p for p in parties)


def test_changes_answer_in_json(recent: Path) -> None:
    jane = js(recent, "show", "jane.doe@corp.example")["id"]  # type: ignore[index]
    info = js(recent, "show", "info@shop.example")["id"]  # type: ignore[index]
    assert js(recent, "tag", str(jane), "friend", "robotics") == {
        "person": jane, "added": ["friend", "robotics"], "tags": ["friend", "robotics"]}
    assert js(recent, "note", str(jane), "met at the meetup") == {"person": jane, "note": "met at the meetup"}
    assert js(recent, "rate", str(jane), "favor") == {"person": jane, "rating": "favor"}
    assert js(recent, "log", str(jane), "coffee", "--channel", "coffee") == {
        "person": jane, "channel": "coffee", "added": True}
    js(recent, "edit", str(info), "--title", "Buyer")
    assert js(recent, "merge", str(jane), str(info)) == {"kept": jane, "merged": info}
    js(recent, "edit", str(jane), "--name", "Jane Q. Doe")
    records = [r["id"] for r in js(recent, "show", str(jane))["records"]]  # type: ignore[index]
    split = js(recent, "split", str(jane), str(records[-1]))
    assert split["person"] == jane and split["records"] == [records[-1]]  # type: ignore[index]
    assert js(recent, "show", str(split["new_person"]))["records"][0]["id"] == records[-1]  # type: ignore[index]
    kept = js(recent, "show", str(jane))  # rebuilt from its records after the split: the edits still win
    assert (kept["name"], kept["title"]) == ("Jane Q. Doe", "Buyer")  # type: ignore[index]
    assert [e["field"] for e in kept["edits"]] == ["title", "name"]  # type: ignore[index]


def test_export_has_strength_and_tier(recent: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(cli(recent, "export", "--format", "csv").stdout)))
    jane = next(r for r in rows if r["emails"] == "jane.doe@corp.example")
    assert float(jane["strength"]) > 0 and jane["tier"] in ("inner", "close", "favor")
    exported = json.loads(cli(recent, "export", "--format", "json").stdout)
    assert all(p["tier"] for p in exported)


def test_ignore_is_honoured_everywhere(recent: Path, tmp_path: Path) -> None:
    def emails(*args: str) -> set[str]:
        return {e for p in js(recent, "people", *args) for e in p["emails"]}  # type: ignore[union-attr]

    def circle() -> set[str]:
        return {p["name"] for p in js(recent, "circle")}  # type: ignore[union-attr]

    assert "deals@promo.example" in circle()
    assert js(recent, "ignore", "promo.example") == {
        "kind": "domain", "value": "promo.example", "ignored": True, "changed": True}
    js(recent, "ignore", "info@shop.example")
    assert circle() == {"Jane Doe"}
    assert emails() == {"jane.doe@corp.example"}
    assert emails("--all") == {"jane.doe@corp.example", "info@shop.example", "deals@promo.example"}
    report = js(recent, "report")
    assert [p["name"] for p in report["favor_list"]] == ["Jane Doe"]  # type: ignore[index]
    assert js(recent, "show", "deals@promo.example")["ignored"] is True  # type: ignore[index]
    assert js(recent, "ignore") == [{"kind": "address", "value": "info@shop.example"},
                                    {"kind": "domain", "value": "promo.example"}]
    con = sqlite3.connect(recent)
    bulk = dict(con.execute(
        "SELECT ip.address, count(*) FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id"
        " AND ip.role = 'from' WHERE i.bulk = 'ignored' GROUP BY ip.address").fetchall())
    assert bulk == {"info@shop.example": 12, "deals@promo.example": 12}
    later = mailbox(tmp_path / "later.mbox", ["news@mail.promo.example"], datetime.now(UTC) - timedelta(days=1), 2)
    cli(recent, "import", "mail", str(later))
    assert con.execute("SELECT count(*) FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id"
                       " AND ip.role = 'from' WHERE ip.address = 'news@mail.promo.example' AND i.bulk = 'ignored'"
                       ).fetchone()[0] == 2  # a later import: a subdomain of an ignored domain is ignored too
    assert "news@mail.promo.example" not in emails()
    js(recent, "ignore", "--remove", "promo.example")
    assert "deals@promo.example" in circle() and "deals@promo.example" in emails()
    assert con.execute("SELECT count(*) FROM interactions WHERE bulk = 'ignored'").fetchone()[0] == 12
    jane = str(js(recent, "show", "jane.doe@corp.example")["id"])  # type: ignore[index]
    assert js(recent, "ignore", jane)["kind"] == "person"  # type: ignore[index]
    assert "Jane Doe" not in circle()
    explained = cli(recent, "explain", jane, check=False)
    assert explained.returncode == 3 and f"person {jane} is ignored" in explained.stderr
    assert cli(recent, "ignore", "--remove", "nobody.example", check=False).returncode == 2


def test_ignored_people_leave_the_review_queue(tmp_path: Path) -> None:
    db, book = tmp_path / "c.db", tmp_path / "book.csv"
    book.write_text("First Name,Last Name,Organization Name,E-mail 1 - Value\n"
                    "Jonathan,Smithers,Acme,jon@acme.example\nJonathon,Smithers,Acme,js@other.example\n",
                    encoding="utf-8")
    cli(db, "import", str(book))
    assert len(js(db, "review")) == 1  # type: ignore[arg-type]
    js(db, "ignore", "other.example")
    assert js(db, "review") == []
    js(db, "ignore", "--remove", "other.example")
    item = js(db, "review")[0]["id"]  # type: ignore[index]
    assert js(db, "review", "--different", str(item)) == {"items": [item], "merged": False, "closed_earlier": []}
    assert js(db, "review") == []


def test_progress_shows_a_total_and_the_time_left() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with progress("evaluating owners", console) as update:
        update(3, 10)
        update(4, 10)
    assert "4 of 10 · 40%" in buffer.getvalue() and "left" in buffer.getvalue()
