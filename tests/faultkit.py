"""Shared by the fault tests: running the command line in a process of its own, and dumping a database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

RUN = "from closeknit.cli.main import run; run()"
# Columns that record when something happened on this machine, not what was imported.
CLOCK_COLUMNS = {"imported_at", "created_at", "at", "started_at", "finished_at"}
# Every table an import writes, derived ones included (directions and threads are interaction columns).
TABLES = ("people", "identifiers", "source_records", "interactions", "interaction_raw", "interaction_parties",
          "quarantine", "settings", "organizations", "roles", "tags", "notes", "review_queue", "distinct_people",
          "merge_log")


def start(db: Path, *args: str, code: str = RUN, **env: str) -> subprocess.Popen[str]:
    """`closeknit --db DB ARGS` in a new process (`code` may patch closeknit before it runs the command line)."""
    environ = {**os.environ, "COLUMNS": "400", **env}  # one line of output stays one line however long
    return subprocess.Popen([sys.executable, "-c", code, "--db", str(db), *args], env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def closeknit(db: Path, *args: str, code: str = RUN, **env: str) -> subprocess.CompletedProcess[str]:
    """`closeknit --db DB ARGS` run to its end."""
    proc = start(db, *args, code=code, **env)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table an import writes, clock columns left out, in a stable order."""
    con = sqlite3.connect(db)
    out = {}
    for table in TABLES:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in CLOCK_COLUMNS]
        out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
    con.close()
    return out


def assert_same(expected: Path, db: Path, what: str) -> None:
    a, b = dump(expected), dump(db)
    for table in TABLES:
        assert a[table] == b[table], f"{table} differs from {what}"


def interactions(db: Path) -> int:
    """How many interactions are stored (0 while the database cannot be read yet)."""
    try:
        con = sqlite3.connect(db, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM interactions").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0
