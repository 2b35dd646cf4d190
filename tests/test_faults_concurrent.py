"""Two processes on one database: the second import waits its turn and both land as if run one after the
other; processes opening a new database at once never race to create its schema."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from closeknit.db import SCHEMA_VERSION
from closeknit.demo.mailgen import write_mbox
from faultkit import assert_same, interactions, start

pytestmark = pytest.mark.faults

# An import that, with every row stored, holds on until the file GO exists: the test sees the second
# import wait rather than hoping the first is slow enough.
HOLDING = """
import os, sys, time
from closeknit.store import pending
real = pending.finish
def finish(*args, **kwargs):
    while not os.path.exists(os.environ["GO"]):
        time.sleep(0.05)
    return real(*args, **kwargs)
pending.finish = finish
from closeknit.cli.main import run
run()
"""


def finished(proc: subprocess.Popen[str]) -> str:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return err


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def test_a_second_import_waits_for_the_first_and_both_land(tmp_path: Path) -> None:
    first = write_mbox(tmp_path / "first.mbox", 1500, 200, me="me@example.com", seed=1, large_every=0)
    second = write_mbox(tmp_path / "second.mbox", 800, 150, me="me@example.com", seed=2, large_every=0)
    one_by_one = tmp_path / "sequential.db"
    for mbox in (first, second):
        finished(start(one_by_one, "import", "mail", str(mbox)))

    db, go = tmp_path / "shared.db", tmp_path / "go"
    a = start(db, "import", "mail", str(first), code=HOLDING, GO=str(go))
    wait_for(lambda: interactions(db) == 1500, "the first import storing its rows")
    b = start(db, "import", "mail", str(second))
    assert b.stderr is not None
    line = b.stderr.readline()  # the second import blocks until it has said why
    assert "waiting for another import to finish" in line
    assert b.poll() is None and a.poll() is None
    go.touch()
    finished(a)
    finished(b)
    assert_same(one_by_one, db, "the two imports run one after the other")


def test_processes_opening_a_new_database_at_once_never_race_to_migrate(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    card = tmp_path / "one.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Baxter\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n")
    procs = [start(db, "import", str(card)) for _ in range(3)]  # only an import may create the database
    for proc in procs:
        finished(proc)
    con = sqlite3.connect(db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_VERSION,)]
    assert con.execute("SELECT count(*) FROM people").fetchone() == (1,)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
