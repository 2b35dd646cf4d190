"""What an import stores does not depend on where its batches end, nor on whether its writer remembers the
messages it stored or looks them up; and each message keeps its own parties when a batch is written early."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store import writer as writer_module
from conftest import shared
from faultkit import dump
from test_copies import folders


def message(n: int, to: str, folder_minute: int | None = None) -> str:
    minute = n if folder_minute is None else folder_minute
    return (
        "From MAILER-DAEMON Thu Jan  1 00:00:00 2022\n"
        f"Message-ID: <m{n}@firm.example>\nDate: Tue, 6 Apr 2021 09:{minute:02d}:00 -0500\n"
        f"From: Robin Hale <robin@firm.example>\nTo: {to}\nSubject: note {minute}\n\nbody\n\n"
    )


def parties(db: Path) -> dict[str, str]:
    """Each message's parties, as "role:address" (or "role:(name)") words."""
    con = sqlite3.connect(db)
    out = dict(con.execute(
        "SELECT i.key, group_concat(ip.role || ':' || coalesce(nullif(ip.address, ''), '(name)'), ' ')"
        " FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id GROUP BY i.id"
    ))
    con.close()
    return out


def test_a_message_read_while_a_batch_is_written_keeps_its_own_parties(tmp_path: Path) -> None:
    box = tmp_path / "mail"
    box.mkdir()
    # A recipient named without an address, known from the first import: finding them again writes the
    # batch then and there, in the middle of the message naming them.
    (box / "a.mbox").write_text(message(1, "Ali <ali@x.example>") + message(2, "Bo <bo@x.example>")
                                + message(3, "Pat Doe"))
    with Store(tmp_path / "t.db") as db:
        run_import(db, box / "a.mbox", kind="mail")
        (box / "b.mbox").write_text(message(4, "Cy <cy@x.example>") + message(5, "Di <di@x.example>")
                                    + message(6, "Ed <ed@x.example>"))
        again = run_import(db, box, kind="mail")
    assert (again.interactions, again.unchanged) == (3, 3)
    assert parties(tmp_path / "t.db") == {
        "m1@firm.example": "from:robin@firm.example to:ali@x.example",
        "m2@firm.example": "from:robin@firm.example to:bo@x.example",
        "m3@firm.example": "from:robin@firm.example to:(name)",
        "m4@firm.example": "from:robin@firm.example to:cy@x.example",
        "m5@firm.example": "from:robin@firm.example to:di@x.example",
        "m6@firm.example": "from:robin@firm.example to:ed@x.example",
    }


def _imports(tmp_path: Path, name: str) -> Path:
    """The copies mailbox imported whole into a new database, then again; and into another its all_documents
    folder, then all of it (copies met in a later import, stored ones moved to the sent folder)."""
    box = tmp_path / "mail"
    if not box.exists():
        folders(box)
    db = tmp_path / f"{name}.db"
    with Store(db) as store:
        run_import(store, box, me=["robin.hale@firm.example"])
        run_import(store, box)
        with Store(tmp_path / f"{name}-later.db") as later:
            run_import(later, box / "all_documents.mbox", me=["robin.hale@firm.example"])
            run_import(later, box)
    return db


@pytest.mark.parametrize("remember", [True, False])
@pytest.mark.parametrize("batch", [1, 2, 3, 7])
def test_batches_and_remembering_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int,
                                               remember: bool) -> None:
    expected = _imports(tmp_path, "expected")
    monkeypatch.setattr(writer_module, "BATCH_SIZE", batch)
    if not remember:  # the writer stops remembering after its first batch: it looks up what it stored
        monkeypatch.setattr(writer_module, "REMEMBER_MAX", -1)
    batched = _imports(tmp_path, "batched")
    for db in ("", "-later"):
        assert dump(batched.with_stem(batched.stem + db)) == dump(expected.with_stem(expected.stem + db))


@pytest.mark.parametrize("remember", [True, False])
def test_a_real_mailbox_in_small_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remember: bool) -> None:
    """An Enron owner's folders, with copies of messages in several of them, stored in batches of 97."""
    owner = shared("enron", "mbox_xz", "allen-p")
    with Store(tmp_path / "expected.db") as store:
        run_import(store, owner, kind="mail")
    monkeypatch.setattr(writer_module, "BATCH_SIZE", 97)
    if not remember:
        monkeypatch.setattr(writer_module, "REMEMBER_MAX", -1)
    with Store(tmp_path / "batched.db") as store:
        run_import(store, owner, kind="mail")
    assert dump(tmp_path / "batched.db") == dump(tmp_path / "expected.db")
