"""Nested store transactions on a real SQLite file: an inner block is a savepoint of the outer one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.records import ContactRecord
from closeknit.store import Store
from closeknit.store.writer import Writer


class Boom(Exception):
    """A failure raised on purpose inside a block."""


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def committed(db: Store, sql: str) -> list[tuple[object, ...]]:
    """What another connection to the file sees: only committed data."""
    con = sqlite3.connect(db.path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def keys(db: Store) -> set[str]:
    return {k for (k,) in committed(db, "SELECT key FROM settings WHERE key LIKE 'tx:%'")}


def test_a_failed_inner_block_rolls_back_only_its_own_writes(db: Store) -> None:
    with db.transaction():
        db.set_setting("tx:outer-before", 1)
        with pytest.raises(Boom), db.transaction():
            db.set_setting("tx:inner", 2)
            with db.transaction():  # two levels down: undone with the block that failed
                db.set_setting("tx:inner-inner", 3)
            raise Boom
        db.set_setting("tx:outer-after", 4)
        assert db.get_setting("tx:inner") is None and db.get_setting("tx:outer-before") == 1
    assert keys(db) == {"tx:outer-before", "tx:outer-after"}


def test_a_failed_outer_block_drops_the_inner_blocks_it_kept(db: Store) -> None:
    with pytest.raises(Boom), db.transaction():
        db.set_setting("tx:outer", 1)
        with db.transaction():
            db.set_setting("tx:inner", 2)
        assert db.get_setting("tx:inner") == 2
        raise Boom
    assert keys(db) == set()
    assert db.get_setting("tx:inner") is None


def test_an_inner_block_commits_nothing_before_the_outer_ends(db: Store) -> None:
    """The first write is inside the inner block (the driver has begun nothing yet): ending that block must
    not commit it on its own, and a failure after it still drops it."""
    with db.transaction():
        with db.transaction():
            db.set_setting("tx:inner", 1)
        assert keys(db) == set()  # another connection sees nothing yet
    assert keys(db) == {"tx:inner"}
    with pytest.raises(Boom), db.transaction():
        with db.transaction():
            db.set_setting("tx:dropped", 1)
        raise Boom
    assert keys(db) == {"tx:inner"}


def test_top_level_blocks_commit_on_exit_and_roll_back_on_error(db: Store) -> None:
    with db.transaction():
        db.set_setting("tx:kept", 1)
    assert keys(db) == {"tx:kept"}
    with pytest.raises(Boom), db.transaction():
        db.set_setting("tx:lost", 1)
        raise Boom
    assert keys(db) == {"tx:kept"}
    db.set_setting("tx:single", 1)  # a write outside any block is its own transaction
    assert keys(db) == {"tx:kept", "tx:single"}


def test_a_core_function_runs_inside_another_transaction(db: Store) -> None:
    """The writer's flush (itself a transaction) inside a caller's: its failure leaves the caller's work."""

    def contact(n: int) -> ContactRecord:
        return ContactRecord(source="vcard", file="v.vcf", record=n, raw=f"card {n}", name=f"Person {n}",
                             emails=[f"p{n}@example.com"])

    def store_contact(n: int) -> None:
        writer = Writer(db)
        writer.add_contact(contact(n))
        writer.flush()

    with db.transaction():
        store_contact(1)
        with pytest.raises(Boom), db.transaction():
            store_contact(2)
            raise Boom
        store_contact(3)
    assert committed(db, "SELECT name FROM people WHERE is_me = 0 ORDER BY name") == [("Person 1",), ("Person 3",)]
    assert committed(db, "SELECT count(*) FROM source_records") == [(2,)]
