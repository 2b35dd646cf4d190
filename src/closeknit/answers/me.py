"""Your own addresses as the CLI, the "Your addresses" page and its JSON twin give them, and changes to them."""

from __future__ import annotations

from typing import Any

from closeknit.pipeline import scoring
from closeknit.store import Store, derive
from closeknit.store import scores as score_store


def listing(db: Store) -> dict[str, Any]:
    """Your addresses, other senders from your sent folders (a delegate, or yours), addresses that look like yours
    (derive.look_alikes), with message counts, and those you said are not."""
    return {"me": list(db.get_setting(derive.ME, [])), "other_senders": derive.not_me_senders(db),
            "look_alike": derive.look_alikes(db), "not_me": list(db.get_setting(derive.NOT_ME, []))}


def add(db: Store, addresses: list[str]) -> list[str]:
    """Make addresses yours (their mail becomes yours, they stop being a contact), then score again; "me"."""
    mine = derive.set_me(db, addresses, db.get_setting("region", "US"))
    _rescore(db)
    return mine


def remove(db: Store, address: str) -> tuple[list[str], bool]:
    """Say an address is not yours (never inferred or suggested again), then score again; "me", and whether it
    was one of them (else a suggestion was dismissed)."""
    before = list(db.get_setting(derive.ME, []))
    mine = derive.remove_me(db, address)
    if mine != before:
        _rescore(db)
    return mine, mine != before


def _rescore(db: Store) -> None:
    """Directions changed with "me": the scores, when there are any, follow."""
    if score_store.last_run(db) is not None:
        scoring.rescore(db)
