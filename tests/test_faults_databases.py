"""Databases that are not ours, newer than the code, or read-only: one line saying why, the file untouched."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.db import SCHEMA_VERSION
from closeknit.errors import InputError
from closeknit.store import Store
from faultkit import closeknit

pytestmark = pytest.mark.faults

VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Example\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(done: subprocess.CompletedProcess[str], reason: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0], done.stderr
    assert "internal error" not in done.stderr


@pytest.fixture
def vcard(tmp_path: Path) -> Path:
    path = tmp_path / "one.vcf"
    path.write_text(VCARD, encoding="utf-8")
    return path


def ours(path: Path) -> Path:
    """A Closeknit database with one person, checkpointed into its one file."""
    with Store(path) as db:
        db.execute("INSERT INTO people(name, created_at) VALUES ('Someone', '2026-01-01')")
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


def test_a_newer_schema_is_refused_untouched(tmp_path: Path, vcard: Path) -> None:
    db = ours(tmp_path / "newer.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = digest(db)
    newer = f"newer Closeknit (schema 0099; this one knows up to {SCHEMA_VERSION})"
    refused(closeknit(db, "import", str(vcard)), newer)
    with pytest.raises(InputError, match="newer Closeknit"):
        Store(db)  # whatever the command: reading would misread it, writing would break it
    assert digest(db) == before


@pytest.mark.parametrize("alembic", [None, "ae1027a6acf"], ids=["plain", "another-alembic-app"])
def test_another_programs_database_is_never_modified(tmp_path: Path, vcard: Path, alembic: str | None) -> None:
    db = tmp_path / "theirs.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO people(name) VALUES ('theirs')")
    if alembic:
        con.execute("CREATE TABLE alembic_version(version_num TEXT)")
        con.execute("INSERT INTO alembic_version VALUES (?)", (alembic,))
    con.commit()
    con.close()
    before = digest(db)
    refused(closeknit(db, "import", str(vcard)), "not a Closeknit database")
    with pytest.raises(InputError, match="not a Closeknit database"):
        Store(db)
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.vcf", "theirs.db"]  # no lock, no journal


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, vcard: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    before = digest(db)
    refused(closeknit(db, "import", str(vcard)), "not a SQLite database")
    assert digest(db) == before


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` made read-only: by its mode, or (for root, whom modes do not stop) immutable."""
    path.chmod(0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
                pytest.skip("cannot make a file read-only here (running as root without chattr)")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_read_only_database_says_so_and_stays_as_it_was(tmp_path: Path, vcard: Path) -> None:
    db = ours(tmp_path / "ro.db")
    before = digest(db)
    with read_only(db):
        refused(closeknit(db, "import", str(vcard)), "read-only")
        refused(closeknit(db, "tag", "1", "friend"), "read-only")
        shown = closeknit(db, "people")  # reading still works
        assert shown.returncode == 0 and "Someone" in shown.stdout, shown.stderr
        assert digest(db) == before


def test_a_read_only_database_that_needs_an_upgrade_says_so(tmp_path: Path) -> None:
    db = ours(tmp_path / "old.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0002'")  # as if written before the last revision
    con.execute("ALTER TABLE interactions ADD COLUMN raw TEXT NOT NULL DEFAULT ''")
    con.execute("DROP TABLE interaction_raw")
    con.commit()
    con.close()
    before = digest(db)
    with read_only(db):
        refused(closeknit(db, "people"), "read-only")
        assert digest(db) == before
    assert closeknit(db, "people").returncode == 0  # writable again: upgraded
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_backup_to_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    db = ours(tmp_path / "a.db")
    refused(closeknit(db, "backup", str(tmp_path / "missing" / "copy.db")), "no such folder")
    assert not (tmp_path / "missing").exists()
    done = closeknit(db, "backup", str(tmp_path / "copy.db"))
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(tmp_path / "copy.db")
    assert con.execute("SELECT name FROM people").fetchall() == [("Someone",)]
    con.close()
