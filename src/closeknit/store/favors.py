"""The reciprocity ledger: favors the user gave and got, and the balance per person."""

from __future__ import annotations

from datetime import date
from typing import Any

from closeknit.errors import InputError
from closeknit.identity.shown import display
from closeknit.records import content_hash
from closeknit.store.base import Base, now_iso
from closeknit.store.people import name_sql

KINDS = ("intro", "advice", "referral", "order", "help", "other")
DIRECTIONS = ("gave", "got")
STRONG_TIERS = ("inner", "close", "favor")


def record(db: Base, pid: int, direction: str, kind: str, what: str, on: date,
           value: float | None = None) -> bool:
    """Record a favor; False when the same favor (person, direction, kind, day, text) is recorded already."""
    return record_id(db, pid, direction, kind, what, on, value)[1]


def record_id(db: Base, pid: int, direction: str, kind: str, what: str, on: date,
              value: float | None = None) -> tuple[int, bool]:
    """Record a favor as `record` does: its id, and whether it was new."""
    if direction not in DIRECTIONS:
        raise InputError(f"unknown favor direction {direction!r}: use gave or got")
    if kind not in KINDS:
        raise InputError(f"unknown favor kind {kind!r}: use one of {', '.join(KINDS)}")
    if value is not None and not value >= 0:
        raise InputError(f"--value {value}: a favor's value is an amount of 0 or more")
    key = content_hash(f"{pid}|{direction}|{kind}|{on.isoformat()}|{what.strip()}")
    with db.transaction():
        before = db.scalar("SELECT count(*) FROM favors WHERE key = :k", {"k": key})
        db.execute(
            "INSERT OR IGNORE INTO favors(person_id, direction, kind, value, occurred_on, what, key, created_at)"
            " VALUES (:p, :d, :k, :v, :on, :w, :key, :at)",
            {"p": pid, "d": direction, "k": kind, "v": value, "on": on.isoformat(), "w": what.strip(), "key": key,
             "at": now_iso()},
        )
        fid = db.scalar("SELECT id FROM favors WHERE key = :k", {"k": key})
    return int(fid), not before


def set_value(db: Base, fid: int, value: float | None) -> None:
    """Set (or clear) the recorded worth of favor `fid`."""
    if value is not None and not value >= 0:
        raise InputError(f"--value {value}: a favor's value is an amount of 0 or more")
    db.execute("UPDATE favors SET value = :v WHERE id = :f", {"v": value, "f": fid})


def favors(db: Base, pid: int | None = None) -> list[dict[str, Any]]:
    """Favors, newest first (of one person when `pid` is given)."""
    rows = db.rows(
        f"SELECT f.id, f.person_id, {name_sql('p')}, f.direction, f.kind, f.value, f.occurred_on, f.what"
        " FROM favors f JOIN people p ON p.id = f.person_id"
        + (" WHERE f.person_id = :p" if pid is not None else "")
        + " ORDER BY f.occurred_on DESC, f.id DESC",
        {"p": pid},
    )
    return [
        {"id": r[0], "person": r[1], "name": display(r[2]), "direction": r[3], "kind": r[4], "value": r[5],
         "on": r[6], "what": r[7]}
        for r in rows
    ]


def balances(db: Base, pid: int | None = None) -> list[dict[str, Any]]:
    """Per person: favors given and got (counts and recorded values) and the balance, most owed first.

    `balance` is given minus got: below 0, the user has received more than they gave.
    """
    rows = db.rows(
        f"SELECT f.person_id, {name_sql('p')},"
        " sum(f.direction = 'gave'), sum(f.direction = 'got'),"
        " coalesce(sum(CASE WHEN f.direction = 'gave' THEN f.value END), 0),"
        " coalesce(sum(CASE WHEN f.direction = 'got' THEN f.value END), 0),"
        " max(f.occurred_on), s.strength, s.tier"
        " FROM favors f JOIN people p ON p.id = f.person_id LEFT JOIN scores s ON s.person_id = f.person_id"
        + (" WHERE f.person_id = :p" if pid is not None else "")
        + " GROUP BY f.person_id",
        {"p": pid},
    )
    out = [
        {"person": r[0], "name": display(r[1]), "gave": r[2], "got": r[3], "balance": r[2] - r[3],
         "value_gave": r[4], "value_got": r[5], "value_balance": r[4] - r[5], "last": r[6],
         "strength": r[7], "tier": r[8]}
        for r in rows
    ]
    return sorted(out, key=lambda b: (b["balance"], b["value_balance"], -(b["strength"] or 0), b["person"]))


def counts(db: Base, until: date) -> dict[int, tuple[int, int]]:
    """Per person: favors given and got on or before `until` (the day a score is computed as of)."""
    return {pid: (gave, got) for pid, gave, got in db.fast_rows(
        "SELECT person_id, sum(direction = 'gave'), sum(direction = 'got') FROM favors"
        " WHERE occurred_on <= :d GROUP BY person_id", {"d": until.isoformat()})}


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole ledger's balance, from `balances` rows."""
    keys = ("gave", "got", "balance", "value_gave", "value_got", "value_balance")
    total = {k: sum(r[k] for r in rows) for k in keys}
    total["people"] = len(rows)
    total["owing"] = sum(1 for r in rows if r["balance"] < 0)  # people the user has received more from
    return total


def give_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Strong ties the user has received more from than they gave (from `balances` rows): where to give
    before asking again."""
    return [r for r in rows if r["balance"] < 0 and r["tier"] in STRONG_TIERS]
