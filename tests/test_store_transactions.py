"""Nested store transactions on a real SQLite file: an inner block is a savepoint of the outer one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from closeknit.records import ContactRecord, InteractionRecord, Party
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


def test_a_batch_naming_a_person_gone_meanwhile_is_refused_whole(db: Store) -> None:
    # A writer's batch is inserted without SQLite's row-by-row foreign key checks; it checks its references
    # itself before it commits. Here another process (the second connection) deletes a person the writer
    # has in memory: the batch naming them is refused, as SQLite would refuse it, and nothing of it lands.
    from closeknit.pipeline.importer import run_import

    mbox = db.path.with_name("m.mbox")
    mbox.write_text("From MAILER-DAEMON Thu Jan  1 00:00:00 2022\nMessage-ID: <a@x>\nDate: Tue, 6 Apr 2021 09:00:00"
                    " -0500\nFrom: Ali Khan <ali@x.example>\nTo: Bo Ek <bo@x.example>\nSubject: hi\n\nbody\n")
    run_import(db, mbox)
    bo = db.scalar("SELECT person_id FROM identifiers WHERE value = 'bo@x.example'")
    writer = Writer(db)
    writer.person_for("bo@x.example", "", "mail", "m.mbox", 1)  # Bo is in the writer's memory now
    other = sqlite3.connect(db.path)
    other.execute("DELETE FROM identifiers WHERE person_id = ?", (bo,))
    other.execute("DELETE FROM source_records WHERE person_id = ?", (bo,))
    other.execute("DELETE FROM interaction_parties WHERE person_id = ?", (bo,))
    other.execute("DELETE FROM people WHERE id = ?", (bo,))
    other.commit()
    other.close()
    writer.add_contact(ContactRecord("vcard", "c.vcf", 1, "raw", name="Cy Dunn", emails=["cy@x.example"]))
    writer.add_interaction(InteractionRecord(
        "mail", "email", "m.mbox", 2, "raw", "b@x", datetime(2021, 4, 7, tzinfo=UTC),
        [Party("ali@x.example", "", "from"), Party("bo@x.example", "", "to")]))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        writer.flush()
    assert committed(db, "SELECT count(*) FROM interactions") == [(1,)]
    assert committed(db, "SELECT count(*) FROM people WHERE name = 'Cy Dunn'") == [(0,)]
    assert db.dbapi().execute("PRAGMA foreign_keys").fetchone() == (1,)  # checked again after the batch
