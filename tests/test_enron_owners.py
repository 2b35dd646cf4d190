"""Every real Enron mailbox, imported alone into its own database, scores: no owner makes scoring fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import closeknit.cli.main  # noqa: F401  (registers every command on the app)
from closeknit.cli.main import app
from conftest import SHARED_DATA, shared

MBOX = SHARED_DATA / "enron" / "mbox_xz"
OWNERS = sorted(p.name for p in MBOX.iterdir() if p.is_dir()) if MBOX.is_dir() else ["(none)"]
FAVOR_TIERS = ("inner", "close", "favor")


def _cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exception is None and result.exit_code == 0, (args, result.output, type(result.exception))
    return result.stdout


@pytest.mark.parametrize("owner", OWNERS)
def test_every_owner_scores(owner: str, tmp_path: Path) -> None:
    folder = shared("enron", "mbox_xz", owner)
    db = tmp_path / "owner.db"
    _cli(db, "import", "mail", str(folder))
    health = json.loads(_cli(db, "doctor", "--json"))
    assert health["placeholder_names"] == 0 and health["duplicate_copies"] == 0, health
    for as_of in ([], ["--as-of", "2001-10-01"]):  # today, as a new user would; and amid the mail
        summary = json.loads(_cli(db, "score", "--json", *as_of))
        tiers = summary["tiers"]
        assert summary["people"] > 0 and sum(tiers.values()) == summary["people"]
        interacted = summary["people"] - tiers["collected"]
        favor = sum(tiers[t] for t in FAVOR_TIERS)
        assert favor <= max(5, 0.2 * interacted), (favor, interacted)  # a short list, not everyone written to
