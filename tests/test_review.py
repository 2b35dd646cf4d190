"""The review queue on address-book and mailbox shapes that once flooded it: placeholders, relations, labels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from closeknit.records import ContactRecord
from closeknit.store import Store, review
from closeknit.store.writer import Writer


def contact(n: int, name: str, **kw: object) -> ContactRecord:
    raw = f"csv-{n}-{name}-" + repr(sorted(kw.items()))
    return ContactRecord(source="csv", file="contacts.csv", record=n, raw=raw, name=name, **kw)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Store:
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def queue(db: Store, records: list[ContactRecord]) -> list[tuple[str, str]]:
    w = Writer(db, region="IN")
    for r in records:
        w.add_contact(r)
    w.flush()
    review.find_candidates(db)
    return sorted(tuple(sorted((i["name_a"], i["name_b"]))) for i in review.open_items(db))  # type: ignore[misc]


def test_placeholder_names_are_no_names(db: Store) -> None:
    # A mailbox where 147 correspondents show the display name "e-mail": once every pair of them.
    records = [contact(i, "e-mail", emails=[f"someone{i}@example.com"]) for i in range(147)]
    records += [contact(200 + i, name, emails=[f"other{i}@example.org"])
                for i, name in enumerate(["LinkedIn Member", "LinkedIn Member", "Unknown", "unknown", "Email",
                                          "x@example.net", "x@example.net"])]
    assert queue(db, records) == []


def test_relation_words_and_class_labels_are_no_evidence(db: Store) -> None:
    records = [
        contact(1, "Ravi Kumar"), contact(2, "Ravi Kumar Father"),  # the father is someone else
        contact(3, "Anil Bhai"), contact(4, "Anil Mama"),
        contact(5, "Rahul 10th B"), contact(6, "Rohan 10th B"),  # classmates share the label, not a name
        contact(7, "Neha 12A"), contact(8, "Nehal 12B"),
        contact(9, "Sunita Rao"), contact(10, "Rao, Sunita"),  # the one true pair
    ]
    assert queue(db, records) == [("Sunita Rao", "Sunita Rao")]  # filed "Family, Given", said as a name is said


def test_differing_phones_keep_namesakes_out(db: Store) -> None:
    records = [
        contact(1, "Priya Shah", phones=["+91 98200 11111"]), contact(2, "Priya Shah", phones=["+91 98200 22222"]),
        contact(3, "Amit Joshi", emails=["aj@example.com"]), contact(4, "Amit Joshi", emails=["qq7@example.org"]),
        # Two addresses that both carry the name: one person at two providers, worth asking.
        contact(5, "Meera Iyer", emails=["meera.iyer@example.com"]),
        contact(6, "Iyer, Meera", emails=["iyer@example.org"]),
    ]
    assert queue(db, records) == [("Meera Iyer", "Meera Iyer")]
    item = review.open_items(db)[0]
    assert "different emails" in item["reason"]
    assert {*item["identifiers_a"], *item["identifiers_b"]} == {"meera.iyer@example.com", "iyer@example.org"}


def test_namesakes_with_addresses_of_their_own_names_stay_apart(db: Store) -> None:
    records = [
        contact(1, "David Port", emails=["david.port@corp.example"]),
        contact(2, "David Portz", emails=["david.portz@corp.example"]),  # one letter apart, each their own address
        contact(3, "Greg Wolfe", emails=["greg.wolfe@corp.example"]),
        contact(4, "Woulfe, Greg", emails=["greg.woulfe@home.example"]),  # a typo, and no address of its own here
    ]
    assert queue(db, records) == [("Greg Wolfe", "Greg Woulfe")]


def test_names_must_agree_word_by_word(db: Store) -> None:
    assert review.names_alike("sunita rao", "rao sunita") == 100
    assert review.names_alike("thomas a martin", "thomas martin") == 95
    assert review.names_alike("chris abel", "christopher abel") == 95
    assert review.names_alike("rahul patil", "rohan patil") == 0
    assert review.names_alike("stephen schwarz", "stephen schwarzbach") == 0
    assert review.names_alike("rebecca ford", "rebecca fordham") == 0
    assert review.names_alike("michael taylor", "mitchell taylor") == 0
    assert 90 < review.names_alike("greg wolfe", "greg woulfe") < 100  # one letter: a typo
    assert review.names_alike("y", "y father") == 0
    assert review.names_alike("j", "j smith") == 0  # an initial alone names no one
    assert review.names_alike("list1", "list3") == 0
    assert review.names_alike("dl all_ees", "dl all_ews") == 0


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLOSEKNIT_DB": str(db), "COLUMNS": "250"}
    return subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", *args],
                          capture_output=True, text=True, env=env, check=False)


def test_review_command_pages_shows_identifiers_and_decides_in_bulk(tmp_path: Path) -> None:
    rows = ["First Name,Last Name,E-mail 1 - Value"]
    for i in range(6):  # six pairs "Given{i} Family{i}" / "Family{i}, Given{i}" with name-bearing addresses
        rows += [f"Given{chr(97 + i)},Family{chr(97 + i)},given{chr(97 + i)}@one.example",
                 f"Given{chr(97 + i)},Family{chr(97 + i)},family{chr(97 + i)}@two.example"]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "db.sqlite"
    assert cli(db, "import", str(tmp_path / "c.csv")).returncode == 0
    items = json.loads(cli(db, "review", "--json").stdout)
    assert len(items) == 6
    assert all(len(i["identifiers_a"]) == 1 and len(i["identifiers_b"]) == 1 for i in items)
    page = cli(db, "review", "--limit", "2")
    assert len(page.stdout.strip().splitlines()) == 3  # header and two items
    assert "one.example" in page.stdout and "two.example" in page.stdout
    ids = [i["id"] for i in items]
    assert cli(db, "review", "--different", str(ids[0]), str(ids[1])).returncode == 0
    assert cli(db, "review", "--merge", str(ids[2])).returncode == 0
    assert cli(db, "review", "--merge-all-above", "0").returncode == 0
    assert json.loads(cli(db, "review", "--json").stdout) == []
    people = json.loads(cli(db, "people", "--json").stdout)
    assert len(people) == 8  # two pairs kept apart, four merged
    bad = cli(db, "review", "--merge", "9999")
    assert bad.returncode != 0 and "no open review item 9999" in bad.stderr
    assert cli(db, "review", "--limit", "0").returncode != 0


def test_placeholder_display_names_name_no_one(db: Store) -> None:
    w = Writer(db)
    ids = {w.person_for(f"p{i}@example.com", "e-mail", "mail", "box", i) for i in range(5)}
    assert len(ids) == 5
    assert w.person_for("", "LinkedIn Member", "linkedin", "messages.csv", 1) is None
    w.flush()
    assert db.scalar("SELECT count(*) FROM people WHERE name != ''") == 0


def test_many_people_of_one_name_make_a_chain_not_every_pair(db: Store) -> None:
    # Seventeen "John Doe" entries once made 136 items; n people who may be one make n - 1.
    queue(db, [contact(n, "Rowan Ashby") for n in range(6)] + [contact(9, "Ines Varga"), contact(10, "Ines Varga")])
    items = review.open_items(db)
    rowans = [i for i in items if i["name_a"] == "Rowan Ashby"]
    assert len(rowans) == 5 and len(items) == 6
    linked = {p for i in rowans for p in (i["person_a"], i["person_b"])}
    assert len(linked) == 6  # every one of them is in some item
    # Told that one pair is two people, the queue offers the links that pair stood in for.
    first = rowans[0]
    review.decide_all(db, [first["id"]], same=False)
    after = [i for i in review.open_items(db) if i["name_a"] == "Rowan Ashby"]
    assert len(after) == 5
    assert (first["person_a"], first["person_b"]) not in {(i["person_a"], i["person_b"]) for i in after}
    # Merging item after item ends with one Rowan Ashby and one apart, and no open item left for them.
    while True:
        open_rowans = [i for i in review.open_items(db) if i["name_a"] == "Rowan Ashby"]
        if not open_rowans:
            break
        review.decide(db, open_rowans[0]["id"], same=True)
    rows = db.fast_rows("SELECT count(*) FROM people WHERE name = 'Rowan Ashby'")
    assert rows[0][0] == 2


def test_one_name_with_addresses_of_it_at_one_domain_is_one_person(db: Store) -> None:
    """An organisation's several addresses for one person ("ann.lee@", "lee@", "m..lee@" for Ann M. Lee) make one
    person without asking; at two domains, by a given name alone, or with differing phones, they do not."""
    records = [
        contact(1, "Shirin Okafor", emails=["shirin.okafor@corp.example"]),
        contact(2, "Shirin Okafor", emails=["okafor@corp.example"]),
        contact(3, "Shirin M. Okafor", emails=["m..okafor@corp.example"]),
        contact(4, "Tomas Reyes", emails=["tomas.reyes@corp.example"]),
        contact(5, "Tomas Reyes", emails=["tomas.reyes@home.example"]),  # two domains: asked
        contact(6, "Lena Fox", emails=["lena.fox@corp.example"]),
        contact(7, "Lena Fox", emails=["lena@corp.example"]),  # the given name alone: asked
        contact(8, "Ida Berg", emails=["ida.berg@corp.example"], phones=["+91 98200 11111"]),
        contact(9, "Ida Berg", emails=["berg@corp.example"], phones=["+91 98200 22222"]),  # two people
    ]
    assert queue(db, records) == [("Lena Fox", "Lena Fox"), ("Tomas Reyes", "Tomas Reyes")]
    shirin = db.fast_rows("SELECT id FROM people WHERE name LIKE 'Shirin%'")
    assert len(shirin) == 1
    emails = {v for (v,) in db.fast_rows("SELECT value FROM identifiers WHERE person_id = ?", (shirin[0][0],))}
    assert emails == {"shirin.okafor@corp.example", "okafor@corp.example", "m..okafor@corp.example"}
    why = [json.loads(d)["why"] for (d,) in db.fast_rows("SELECT detail FROM merge_log WHERE action = 'merge'")]
    assert why == ["the same name, each with an address of it at corp.example"] * 2
    assert db.scalar("SELECT count(*) FROM people WHERE name = 'Ida Berg'") == 2
    # Split again by the user, they stay two people.
    from closeknit.store import people as ps

    pid = shirin[0][0]
    records_of = [r["id"] for r in ps.person_detail(db, pid)["records"]]
    ps.split(db, pid, records_of[1:2])
    assert review.find_candidates(db).merged == 0
    assert db.scalar("SELECT count(*) FROM people WHERE name LIKE 'Shirin%'") == 2
