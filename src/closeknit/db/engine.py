"""Create the SQLAlchemy engine (WAL, foreign keys on) and bring the schema up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

from closeknit.errors import InputError

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_VERSION = "0004"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    # Imports insert into several indexes in key order that is random; a larger page cache
    # keeps those B-tree pages in memory instead of re-reading them.
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def connect_engine(path: Path | str) -> Engine:
    """An engine on the SQLite file at `path` (created with its folder when missing)."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise InputError(f"{path}: is a folder, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # sqlite3.DatabaseError: not a database, locked, ...
        raise InputError(f"{path}: cannot open as a Closeknit database ({type(exc).__name__})") from None
    return engine


def schema_version(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty file."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when already there)."""
    if schema_version(engine) == SCHEMA_VERSION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"cannot migrate the database: {exc}") from None
