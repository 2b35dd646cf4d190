"""An import killed half way and run again gives the same database as one uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from closeknit.sources.mailgen import write_mbox

# Columns that record when something happened on this machine, not what was imported.
CLOCK_COLUMNS = {"imported_at", "created_at", "at", "started_at", "finished_at"}
TABLES = ("people", "identifiers", "source_records", "interactions", "interaction_raw", "interaction_parties",
          "quarantine", "settings", "organizations", "roles", "tags", "notes")


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    out = {}
    for table in TABLES:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in CLOCK_COLUMNS]
        out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
    con.close()
    return out


def start_import(db: Path, mbox: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from closeknit.cli.main import run; run()", "--db", str(db), "import", "mail",
         str(mbox), "--me", "me@example.com"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def interactions(db: Path) -> int:
    try:
        con = sqlite3.connect(db, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM interactions").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_killed_import_resumes_to_the_same_database(tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "box.mbox", 40_000, 3_000, me="me@example.com", seed=5, large_every=0)
    whole = tmp_path / "whole.db"
    proc = start_import(whole, mbox)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""

    cut = tmp_path / "cut.db"
    proc = start_import(cut, mbox)
    deadline = time.monotonic() + 300
    while interactions(cut) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = interactions(cut)
    assert 0 < partial < 40_000, f"the kill came too late to test anything ({partial} stored)"

    proc = start_import(cut, mbox)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    a, b = dump(whole), dump(cut)
    for table in TABLES:
        assert a[table] == b[table], f"{table} differs after resuming"
