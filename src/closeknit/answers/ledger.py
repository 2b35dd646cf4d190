"""The reciprocity ledger as the CLI and the web app show it: balances, give first, needs you could meet."""

from __future__ import annotations

from datetime import date
from typing import Any

from closeknit.errors import InputError
from closeknit.store import favors as favor_store
from closeknit.store import ignore as ignore_store
from closeknit.store import needs as needs_store
from closeknit.store.base import Base

# What the user may type for each direction of a favor: give (they did someone a favor) or got.
DIRECTIONS = {"give": "gave", "gave": "gave", "got": "got", "get": "got"}


def direction(value: str) -> str:
    """The stored direction (gave or got) of a favor given as give/gave or got/get."""
    if value not in DIRECTIONS:
        raise InputError(f"unknown favor direction {value!r}: use give or got")
    return DIRECTIONS[value]


def ledger(db: Base, pid: int | None = None) -> dict[str, Any]:
    """Favors given vs received per person and overall, whom to give first, and the needs one of the user's
    offers meets (of one person when `pid` is given, with that person's favors), as `closeknit ledger --json`."""
    rows = favor_store.balances(db, pid)
    meet = [m for m in needs_store.needs_i_can_meet(db, ignore_store.people(db)) if pid in (None, m["person"])]
    data: dict[str, Any] = {"total": favor_store.totals(rows), "people": rows,
                            "give_first": favor_store.give_first(rows), "needs_you_can_meet": meet}
    if pid is not None:
        data["favors"] = favor_store.favors(db, pid)
    return data


def record(db: Base, pid: int, given: str, kind: str, what: str, on: date,
           value: float | None = None) -> dict[str, Any]:
    """Record a favor (`given` as `direction` takes it), as `closeknit favor --json` says it."""
    way = direction(given)
    added = favor_store.record(db, pid, way, kind, what, on, value)
    return {"person": pid, "direction": way, "kind": kind, "added": added}
