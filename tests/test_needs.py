"""Needs and offers: recorded once, listed, removed, yours as "me", kept through merges, shown by show,
and a need one of your offers meets named in the ledger's "give first"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.store import Store
from closeknit.store import needs as needs_store
from test_cli import cli
from test_search import ME, mailbox

BOOK = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Sousa\r\nEMAIL:ana@lidar.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ben Okafor\r\nEMAIL:ben@seed.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cai Wen\r\nEMAIL:cai@cai.example\r\nEND:VCARD\r\n"
)


def js(db: Path, *args: str) -> object:
    return json.loads(cli(db, *args, "--json").stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    (tmp_path / "book.vcf").write_text(BOOK, encoding="utf-8")
    cli(path, "import", str(tmp_path / "book.vcf"))
    cli(path, "import", "mail", str(mailbox(tmp_path / "ana.mbox", "ana@lidar.example", ["hello"] * 4)), "--me", ME)
    return path


def test_record_list_and_remove(db: Path) -> None:
    added = js(db, "offer", "ana@lidar.example", "lidar  calibration")
    assert added == {"person": 1, "kind": "offer", "text": "lidar calibration", "added": True}
    assert js(db, "offer", "Ana Sousa", "Lidar Calibration")["added"] is False  # the same, whatever the case
    cli(db, "need", "Ana Sousa", "an intro to a robotics investor")
    cli(db, "need", "Ben Okafor", "a designer")
    needs = js(db, "need")
    assert [(n["name"], n["text"]) for n in needs] == [("Ana Sousa", "an intro to a robotics investor"),
                                                     ("Ben Okafor", "a designer")]
    assert [n["text"] for n in js(db, "need", "Ben Okafor")] == ["a designer"]
    assert [o["text"] for o in js(db, "offer")] == ["lidar calibration"]

    removed = js(db, "need", "Ana Sousa", "An intro to a robotics investor", "--remove")["removed"]
    assert removed["text"] == "an intro to a robotics investor"
    by_id = str(js(db, "need", "Ben Okafor")[0]["id"])
    cli(db, "need", "Ben Okafor", by_id, "--remove")
    assert js(db, "need") == []

    proc = cli(db, "need", "Ben Okafor", "nothing like this", "--remove", check=False)
    assert proc.returncode != 0 and proc.stderr.startswith("error: no need 'nothing like this'")
    assert proc.stderr.count("\n") == 1
    proc = cli(db, "offer", "Ben Okafor", "   ", check=False)
    assert proc.returncode != 0 and "an empty offer" in proc.stderr


def test_me_records_your_own(db: Path) -> None:
    assert js(db, "offer", "me", "design reviews")["person"] is None
    assert js(db, "offer", ME, "design reviews")["added"] is False  # your address is you too
    [mine] = js(db, "offer", "me")
    assert mine["person"] is None and mine["name"] == "you"
    with Store(db) as s:
        me = int(s.scalar("SELECT id FROM people WHERE is_me = 1"))
    shown = js(db, "show", str(me))
    assert [o["text"] for o in shown["offers"]] == ["design reviews"]
    assert "offer" in cli(db, "show", str(me)).stdout
    assert js(db, "find", "design")["results"] == []  # you are never a search result


def test_offers_and_needs_follow_a_merge(db: Path) -> None:
    cli(db, "offer", "Cai Wen", "sonar signal processing")
    cli(db, "need", "Cai Wen", "a lab bench")
    cli(db, "need", "Ben Okafor", "A lab  bench")  # the same need on both
    cli(db, "merge", "Ben Okafor", "Cai Wen")
    ben = js(db, "show", "Ben Okafor")
    assert [o["text"] for o in ben["offers"]] == ["sonar signal processing"]
    assert [n["text"] for n in ben["needs"]] == ["A lab bench"]  # one, not two
    text = cli(db, "show", "Ben Okafor").stdout
    assert "sonar signal processing" in text and "need" in text
    assert [r["name"] for r in js(db, "find", "sonar")["results"]] == ["Ben Okafor"]


def test_the_ledger_gives_first_where_your_offer_meets_a_need(db: Path) -> None:
    cli(db, "offer", "me", "design reviews for perception stacks")
    cli(db, "offer", "me", "fundraising advice")
    cli(db, "need", "Ana Sousa", "a review of our perception stack design")
    cli(db, "need", "Ben Okafor", "an intro to a seed investor")  # nothing you offer
    cli(db, "need", "Cai Wen", "stack of chairs")  # one word of a two-word match: not enough
    ledger = js(db, "ledger")
    [meet] = ledger["needs_you_can_meet"]
    assert (meet["name"], meet["need"], meet["offer"]) == (
        "Ana Sousa", "a review of our perception stack design", "design reviews for perception stacks")
    assert meet["shared"] == ["design", "perception", "review", "stack"]  # stemmed: reviews meets review
    text = cli(db, "ledger").stdout
    assert ('give first: Ana Sousa — they need "a review of our perception stack design";'
            ' you offer "design reviews for perception stacks"') in text
    assert "Ben Okafor" not in text and "Cai Wen" not in text
    cli(db, "ignore", "Ana Sousa")
    assert js(db, "ledger")["needs_you_can_meet"] == []


def test_offer_terms() -> None:
    assert needs_store.offer_terms("I can help with Lidar calibration and lidar rigs") == ["lidar", "calibration",
                                                                                           "rigs"]
    assert needs_store.offer_terms("a to of") == []
