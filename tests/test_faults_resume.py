"""An import killed at any moment (storing rows, deriving me, directions and threads, queueing review) and
run again, or repaired by `doctor --repair`, gives exactly the database of one uninterrupted run."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import pytest

from closeknit.demo.mailgen import write_mbox
from faultkit import assert_same, closeknit

pytestmark = pytest.mark.faults

# Runs the command line, killing itself (SIGKILL, nothing cleaned up) at the moment KILL_AT names:
# "before" or "after" the nth call of module.function, e.g. "after closeknit.pipeline.importer:_Writer.flush 1".
KILLER = """
import importlib, os, signal, sys
when, target, nth = os.environ["KILL_AT"].split()
module_name, _, name = target.partition(":")
owner = importlib.import_module(module_name)
*outer, attr = name.split(".")
for part in outer:
    owner = getattr(owner, part)
real = getattr(owner, attr)
calls = 0

def patched(*args, **kwargs):
    global calls
    calls += 1
    if when == "before" and calls == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)
    result = real(*args, **kwargs)
    if when == "after" and calls == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(owner, attr, patched)
from closeknit.cli.main import run
run()
"""

MESSAGES = 5_600  # two batches of the writer


@pytest.fixture(scope="module")
def mbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mail")
    return write_mbox(folder / "box.mbox", MESSAGES, 500, me="me@example.com", seed=11, large_every=0)


@pytest.fixture(scope="module")
def whole(mbox: Path) -> Path:
    """One uninterrupted import, "me" inferred."""
    db = mbox.with_name("whole.db")
    done = closeknit(db, "import", "mail", str(mbox))
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(db)
    derived = con.execute(
        "SELECT count(DISTINCT direction), sum(direction = ''), count(DISTINCT thread_id),"
        " (SELECT count(*) FROM review_queue), (SELECT count(*) FROM people WHERE is_me = 1) FROM interactions"
    ).fetchone()
    con.close()
    directions, undirected, threads, review, me = derived
    # The comparison means something only if each derived table has something in it.
    assert directions >= 2 and not undirected and threads < 0.8 * MESSAGES and review > 0 and me == 1, derived
    return db


def killed(tmp_path: Path, mbox: Path, kill_at: str, *args: str) -> Path:
    db = tmp_path / "cut.db"
    cut = closeknit(db, "import", "mail", str(mbox), *args, code=KILLER, KILL_AT=kill_at)
    assert cut.returncode == -signal.SIGKILL, f"the import was not killed at {kill_at}: {cut.stderr}"
    return db


MOMENTS = [
    "after closeknit.pipeline.importer:_Writer.flush 1",  # the first batch stored, the second not
    "before closeknit.store.pending:finish 1",  # every row stored, nothing derived, "me" not inferred
    "before closeknit.store.derive:derive_directions 1",  # "me" set, directions not
    "before closeknit.store.derive:derive_threads 1",  # me and directions derived, threads not
    "before closeknit.store.review:find_candidates 1",  # threads derived, the review queue empty
    "after closeknit.store.review:find_candidates 1",  # the review queue full, the notes of it not cleared
]


@pytest.mark.parametrize("kill_at", MOMENTS, ids=lambda m: m.split(":")[1].replace(" ", "-"))
def test_killed_import_run_again_gives_the_uninterrupted_database(
    tmp_path: Path, mbox: Path, whole: Path, kill_at: str
) -> None:
    db = killed(tmp_path, mbox, kill_at)
    again = closeknit(db, "import", "mail", str(mbox))
    assert again.returncode == 0, again.stderr
    assert "finished what an interrupted import left" in " ".join(again.stderr.split())
    assert_same(whole, db, "the uninterrupted run")


def test_doctor_shows_the_pending_work_and_repair_finishes_it(tmp_path: Path, mbox: Path, whole: Path) -> None:
    db = killed(tmp_path, mbox, "before closeknit.store.derive:derive_threads 1")
    shown = closeknit(db, "doctor", "--json")
    assert shown.returncode == 0, shown.stderr
    owed = json.loads(shown.stdout)["pending"]
    assert owed["derive"] and owed["review_people"] > 0 and owed["rows_complete"]
    repaired = closeknit(db, "doctor", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert_same(whole, db, "the uninterrupted run")
    after = json.loads(closeknit(db, "doctor", "--json").stdout)["pending"]
    assert after == {"derive": False, "review_people": 0, "rows_complete": False}


def test_a_cut_set_me_is_made_again(tmp_path: Path, mbox: Path) -> None:
    given = tmp_path / "given.db"
    done = closeknit(given, "import", "mail", str(mbox), "--me", "me@example.com")
    assert done.returncode == 0, done.stderr
    db = killed(tmp_path, mbox, "before closeknit.store.derive:derive_directions 1", "--me", "me@example.com")
    repaired = closeknit(db, "doctor", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    again = closeknit(db, "import", "mail", str(mbox), "--me", "me@example.com")
    assert again.returncode == 0, again.stderr
    assert_same(given, db, "the uninterrupted run")


def write_vcards(path: Path, n: int) -> Path:
    """`n` contacts in two batches of the writer: look-alike names for review, and every 40th card naming the
    email of one earlier contact and the phone of another, so that the two merge in the middle of a batch."""
    given, family = ("Ada", "Alan", "Alma", "Amir", "Anna"), ("Baxter", "Calder", "Dunmore", "Ellery", "Fenwick")
    cards = []
    for i in range(n):
        name = f"{given[i % 5]} {family[(i // 5) % 5]} {i // 25}"
        ids = f"EMAIL:person{i}@example.com\r\nTEL:+1 202 555 {i % 10_000:04d}\r\n"
        if i % 40 == 39:
            ids = f"EMAIL:person{i - 30}@example.com\r\nTEL:+1 202 555 {(i - 20) % 10_000:04d}\r\n"
        elif i % 7 == 0:  # the name of the card before, with no email or phone to tell them apart
            name, ids = f"{given[(i - 1) % 5]} {family[((i - 1) // 5) % 5]} {(i - 1) // 25}", ""
        cards.append(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\n{ids}ORG:Org {i % 300}\r\nEND:VCARD\r\n")
    path.write_text("".join(cards), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A vCard file and the database of its uninterrupted import."""
    cards = write_vcards(tmp_path_factory.mktemp("contacts") / "contacts.vcf", 6_000)
    whole = cards.with_name("whole.db")
    done = closeknit(whole, "import", str(cards))
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(whole)
    merges, review = con.execute("SELECT (SELECT count(*) FROM merge_log), (SELECT count(*) FROM review_queue)"
                                 ).fetchone()
    con.close()
    assert merges > 100 and review > 100, (merges, review)
    return cards, whole


@pytest.mark.parametrize("kill_at", [
    "after closeknit.pipeline.importer:_Writer.flush 100",  # two thirds stored (each merge flushes the batch first)
    "after closeknit.store.people:merge_into 3",  # a merge committed, the card that caused it not yet
    "before closeknit.store.review:find_candidates 1",
], ids=["batch", "merge", "review"])
def test_killed_contacts_import_run_again_gives_the_uninterrupted_database(
    tmp_path: Path, contacts: tuple[Path, Path], kill_at: str
) -> None:
    cards, whole = contacts
    db = tmp_path / "cut.db"
    cut = closeknit(db, "import", str(cards), code=KILLER, KILL_AT=kill_at)
    assert cut.returncode == -signal.SIGKILL, f"the import was not killed at {kill_at}: {cut.stderr}"
    again = closeknit(db, "import", str(cards))
    assert again.returncode == 0, again.stderr
    assert_same(whole, db, "the uninterrupted run")
