"""The database handle every store module works through: engine, connection, settings."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from closeknit.db import exclusive, open_engine, schema_version, write_error


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Base:
    """Owns one connection; every write goes through `transaction()`, which nests (savepoints)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine: Engine = open_engine(self.path)
        self.conn: Connection = self.engine.connect()
        self._depth = 0  # transaction() blocks open: the outermost is the transaction, inner ones savepoints

    def exclusive(self, on_wait: Callable[[], None] | None = None) -> AbstractContextManager[None]:
        """Be the only writer of this database (an import, a repair) until the block ends; `on_wait` is
        called once when another process holds it."""
        return exclusive(self.path, on_wait)

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()

    def __enter__(self) -> Base:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back when it raises.

        A block opened inside another is a savepoint of it (as sqlite-utils' `atomic()`): when it raises,
        only its own writes are undone and the error goes on to the caller, which may handle it and carry on;
        when it ends, its writes join the outer transaction, whose commit or rollback decides for both.
        """
        if self._depth:
            with self._savepoint():
                yield self.conn
            return
        if self.conn.in_transaction():
            self.conn.commit()
        self._depth = 1
        try:
            with self.conn.begin():
                yield self.conn
        except (sqlite3.OperationalError, OperationalError) as exc:
            problem = write_error(self.path, exc)
            if problem is None:
                raise
            raise problem from None
        finally:
            self._depth = 0

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        raw = self.dbapi()
        if not raw.in_transaction:
            # The driver begins lazily, before the outer block's first write: begin now, so the savepoint
            # nests in the outer transaction instead of being one that RELEASE would commit. IMMEDIATE takes
            # the write lock now (waiting as any write does), so reads in the block never pin a stale snapshot.
            raw.execute("BEGIN IMMEDIATE")
        name = f"closeknit_{self._depth}"
        raw.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            if raw.in_transaction:  # else SQLite already rolled the whole transaction back (a full disk)
                raw.execute(f"ROLLBACK TO {name}")
                raw.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1
        raw.execute(f"RELEASE {name}")

    @contextmanager
    def fewer_checkpoints(self, pages: int = 16384) -> Iterator[None]:
        """A block of many commits (an import) that copies the write-ahead log into the database every `pages`
        pages (64 MB) rather than SQLite's 1,000: each copy syncs the disk, and an index page written by many
        batches is copied once instead of once per batch. The log is copied whole when the last connection
        closes, as always."""
        raw = self.dbapi()
        before = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        raw.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        try:
            yield
        finally:
            raw.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")

    @contextmanager
    def unchecked_references(self) -> Iterator[bool]:
        """A block in which SQLite does not check foreign keys row by row (bulk inserts of rows the writer
        numbered itself): yields True when it does not, and the block's writes must then check their own
        references before its transaction commits (see `Writer._check_references`). SQLite only turns its
        checks off outside a transaction: a block opened inside one keeps them, and yields False."""
        raw = self.dbapi()
        if self._depth or raw.in_transaction:
            yield False
            return
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            yield True
        finally:
            if raw.in_transaction:  # a transaction() block never leaves one open; the pragma needs none
                raw.rollback()
            raw.execute("PRAGMA foreign_keys = ON")

    def _end_read(self) -> None:
        """Commit the transaction a read began, unless it is part of an open transaction() block."""
        if self.conn.in_transaction() and not self._depth:
            self.conn.commit()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """All result rows (tuple-like, with `._mapping` for dicts)."""
        result: list[Any] = list(self.conn.execute(text(sql), params or {}).fetchall())
        self._end_read()
        return result

    def fast_rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Plain tuples straight from the driver, for bulk reads on hot paths."""
        cur = self.dbapi().cursor()
        try:
            return cur.execute(sql, params or {}).fetchall()
        finally:
            cur.close()

    def stream(self, sql: str, params: dict[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """Plain tuples from the driver, read as they are consumed: for results too large to hold."""
        cur = self.dbapi().cursor()
        cur.arraysize = 1000
        try:
            cur.execute(sql, params or {})
            while batch := cur.fetchmany():
                yield from batch
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the database was closed first
                cur.close()

    def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """One statement for many rows (positional `?` parameters), through the driver in one transaction:
        SQLAlchemy's per-row parameter handling costs more than SQLite's own insert."""
        with self.transaction():
            self.dbapi().executemany(sql, rows)

    def dbapi(self) -> Any:
        """The driver connection under SQLAlchemy's (same transaction), for bulk executemany."""
        return self.conn.connection.driver_connection

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        value = self.conn.execute(text(sql), params or {}).scalar()
        self._end_read()
        return value

    def execute(self, sql: str, params: dict[str, Any] | list[dict[str, Any]] | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(text(sql), params or {})

    def schema_version(self) -> str | None:
        return schema_version(self.engine)

    # settings -------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        value = self.scalar("SELECT value FROM settings WHERE key = :k", {"k": key})
        return default if value is None else json.loads(value)

    def set_setting(self, key: str, value: Any) -> None:
        self.execute(
            "INSERT INTO settings(key, value) VALUES (:k, :v) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            {"k": key, "v": json.dumps(value)},
        )

    def delete_setting(self, key: str) -> None:
        self.delete_settings([key])

    def delete_settings(self, keys: list[str]) -> None:
        if keys:
            self.execute("DELETE FROM settings WHERE key = :k", [{"k": k} for k in keys])

    def settings_with_prefix(self, prefix: str) -> dict[str, Any]:
        """Every setting whose key starts with `prefix`, by key."""
        rows = self.rows(
            "SELECT key, value FROM settings WHERE substr(key, 1, length(:p)) = :p ORDER BY key", {"p": prefix}
        )
        return {k: json.loads(v) for k, v in rows}
