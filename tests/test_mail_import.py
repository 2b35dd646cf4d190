"""Real Enron mailboxes through the whole import: counts, idempotency, me inferred, directions agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from conftest import shared


def owners(root: Path, n: int) -> list[Path]:
    """The n smallest owners that have both a sent folder and an inbox (chosen by size, not name)."""
    found = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        names = {f.name.split(".")[0] for f in d.iterdir()}
        if names & {"sent", "sent_items", "_sent_mail"} and "inbox" in names:
            found.append((sum(f.stat().st_size for f in d.rglob("*") if f.is_file()), d))
    return [d for _, d in sorted(found)[:n]]


def direction_by_folder(db: Path) -> dict[str, dict[str, int]]:
    con = sqlite3.connect(db)
    out: dict[str, dict[str, int]] = {}
    for folder, direction, n in con.execute(
        "SELECT folder, direction, count(*) FROM interactions WHERE channel = 'email' GROUP BY 1, 2"
    ):
        top = folder.split("/")[0]
        out.setdefault(top, {})
        out[top][direction] = out[top].get(direction, 0) + n
    con.close()
    return out


@pytest.mark.parametrize("layout", ["mbox_xz", "maildir"])
def test_enron_owners_import_with_directions_that_agree(tmp_path: Path, layout: str) -> None:
    for owner in owners(shared("enron", layout), 2 if layout == "mbox_xz" else 1):
        db = tmp_path / f"{owner.name}.db"
        with Store(db) as store:
            first = run_import(store, owner, kind="mail")
            assert first.me_inferred and first.me, owner.name
            assert first.messages > 0
            assert first.skipped <= 0.005 * (first.messages + first.skipped)
            assert first.interactions + first.duplicates == first.messages
            again = run_import(store, owner, kind="mail")
            assert (again.added, again.interactions, again.people) == (0, 0, 0)
            assert again.unchanged == first.interactions
        by_folder = direction_by_folder(db)
        sent = {k: v for f, d in by_folder.items() if f in ("sent", "sent_items", "_sent_mail") for k, v in d.items()}
        inbox = by_folder.get("inbox", {})
        assert sent.get("out", 0) >= 0.95 * sum(sent.values()), (owner.name, sent)
        assert inbox.get("in", 0) >= 0.9 * sum(inbox.values()), (owner.name, inbox)
