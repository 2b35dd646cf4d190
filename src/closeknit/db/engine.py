"""Open the database: refuse files that are not ours (or newer), bring ours up to date, one writer at a time."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError

from closeknit.errors import InputError

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; SQLite's own locking still guards each write
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_VERSION = "0009"
# Tables every revision of our schema has: an alembic_version beside them is ours, not another tool's.
OUR_TABLES = {"settings", "people", "source_records", "identifiers", "interactions"}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    with contextlib.suppress(sqlite3.OperationalError):  # read-only: read in the mode it has, writes say why
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Imports insert into several indexes in key order that is random; a larger page cache
    # keeps those B-tree pages in memory instead of re-reading them.
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


_HELD: set[Path] = set()  # lock files this process holds (flock would wait on itself)


@contextmanager
def exclusive(path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock file beside the database `path` (one import or migration at a time, across processes).

    `on_wait` is called once when another process holds it; the lock then waits its turn. Without a
    folder to write the lock in, nothing can be written beside the database either: no lock is taken.
    Taken again inside its own block (in this process), it is already held.
    """
    lock = path.with_name(path.name + ".lock").absolute()
    if lock in _HELD:
        yield
        return
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    _HELD.add(lock)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait()
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        _HELD.discard(lock)
        os.close(fd)  # releases the lock


def write_error(path: Path, exc: BaseException) -> InputError | None:
    """The one-line error for a write the database refused (read-only, or busy past the timeout), else None."""
    reason = str(getattr(exc, "orig", None) or exc)
    if "readonly" in reason or "read-only" in reason or "unable to open database file" in reason:
        return InputError(f"{path}: the database is read-only (or its folder is); nothing was changed")
    if "database is locked" in reason:
        return InputError(f"{path}: another process kept the database busy too long; nothing was changed, try again")
    return None


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}


def _probe(path: Path) -> str:
    """Our schema revision in the file at `path` ("" for a new or empty database), read without writing.

    A file that is not SQLite, holds another program's tables or was written by a newer Closeknit is
    refused with a one-line reason, before anything could touch it.
    """
    if not path.exists() or path.stat().st_size == 0:
        return ""
    untouched = "left untouched"
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = con.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables \
                else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise InputError(f"{path}: not a SQLite database; {untouched}") from None
        raise InputError(f"{path}: cannot be read as a database ({exc}); {untouched}") from None
    if not tables:
        return ""
    version = row[0] if row else ""
    if version == SCHEMA_VERSION:
        return version
    if version and version not in _known_revisions() and version.isdigit() and version > SCHEMA_VERSION:
        raise InputError(
            f"{path}: written by a newer Closeknit (schema {version}; this one knows up to {SCHEMA_VERSION});"
            f" {untouched}: upgrade Closeknit to use it"
        )
    if not version or version not in _known_revisions() or not tables >= OUR_TABLES:
        raise InputError(f"{path}: not a Closeknit database (it holds another program's tables); {untouched}")
    return str(version)


def connect_engine(path: Path | str) -> Engine:
    """An engine on the SQLite file at `path` (WAL, foreign keys on); the file is created when missing."""
    path = Path(path)
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # sqlite3.DatabaseError: read-only folder, locked, ...
        engine.dispose()
        problem = write_error(path, exc)
        if problem is not None:
            raise problem from None
        raise InputError(f"{path}: cannot open as a Closeknit database ({type(exc).__name__})") from None
    return engine


def open_engine(path: Path) -> Engine:
    """An engine on the Closeknit database at `path`, created or upgraded to the newest schema.

    A database that is not ours or is newer is refused untouched; an upgrade holds the lock beside the
    database and runs in one transaction, so two processes never migrate at once and a cut one leaves
    the old schema whole.
    """
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a database file")
    if _probe(path) != SCHEMA_VERSION:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{path.parent}: cannot create the database folder ({exc.strerror})") from None
        with exclusive(path):
            if _probe(path) != SCHEMA_VERSION:
                engine = connect_engine(path)
                try:
                    migrate(engine)
                except BaseException:
                    engine.dispose()
                    raise
                return engine
    return connect_engine(path)


def schema_version(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty file."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision in one transaction (a no-op when already there)."""
    if schema_version(engine) == SCHEMA_VERSION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    path = Path(engine.url.database or "")
    try:
        with engine.connect() as conn:
            # The driver runs DDL outside any transaction unless one is open: open it first, so that
            # every table of the upgrade lands, or none.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
    except (sqlite3.DatabaseError, DBAPIError) as exc:
        problem = write_error(path, exc)
        if problem is not None:
            raise InputError(f"{problem} (it needs an upgrade to schema {SCHEMA_VERSION})") from None
        raise InputError(f"cannot migrate the database: {exc}") from None
