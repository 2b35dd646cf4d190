"""Introductions and their history: create, read, move along, record the outcome and the ledger's favor."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from closeknit.errors import InputError, NotFoundError
from closeknit.identity.shown import display
from closeknit.intros import workflow
from closeknit.store import favors as favor_store
from closeknit.store.base import Base, now_iso
from closeknit.store.derive import ME
from closeknit.store.people import name_sql

MAX_TEXT = 2000  # a why or an outcome is a sentence or two
_COLUMNS = "id, seeker_id, connector_id, target_id, why, state, created_at, updated_at, outcome, value, favor_id"


def clean_text(text: str, what: str) -> str:
    """`text` on one line of single spaces, refused when too long."""
    clean = " ".join(text.split())
    if len(clean) > MAX_TEXT:
        raise InputError(f"{what} of {len(clean):,} characters: keep it under {MAX_TEXT:,}")
    return clean


def create(db: Base, seeker: int | None, connector: int | None, target: int, why: str) -> int:
    """A new introduction (`seeker` None: the user asks `connector`; `connector` None: the user introduces
    `seeker`); returns its id. One the user introduces starts with the user's own agreement."""
    if (seeker is None) == (connector is None):
        raise InputError("an intro is either yours to ask for (--via CONNECTOR) or yours to make (--for SEEKER)")
    others = [p for p in (seeker, connector) if p is not None]
    if target in others:
        raise InputError("the target and the " + ("seeker" if seeker is not None else "connector")
                         + " are the same person")
    same = db.scalar(
        "SELECT min(id) FROM intros WHERE ifnull(seeker_id, 0) = ifnull(:s, 0) AND ifnull(connector_id, 0) ="
        " ifnull(:c, 0) AND target_id = :t AND state IN (SELECT value FROM json_each(:open))",
        {"s": seeker, "c": connector, "t": target, "open": json.dumps(workflow.OPEN)})
    if same is not None:
        raise InputError(f"intro {same} is already under way between these people (closeknit intro show {same})")
    at = now_iso()
    kind = workflow.kind_of(seeker, connector)
    state = "requested" if kind == workflow.VIA else "connector_agreed"
    with db.transaction():
        db.execute("INSERT INTO intros(seeker_id, connector_id, target_id, why, state, created_at, updated_at)"
                   " VALUES (:s, :c, :t, :w, :st, :at, :at)",
                   {"s": seeker, "c": connector, "t": target, "w": clean_text(why, "a why"), "st": state, "at": at})
        iid = int(db.scalar("SELECT max(id) FROM intros"))
        _event(db, iid, "requested", workflow.YOU, "", at)
        if kind == workflow.FOR:
            _event(db, iid, "connector_agreed", workflow.YOU, "you are the connector", at)
    return iid


def _event(db: Base, iid: int, state: str, by: str, note: str, at: str) -> None:
    db.execute("INSERT INTO intro_events(intro_id, state, at, by, note) VALUES (:i, :s, :at, :b, :n)",
               {"i": iid, "s": state, "at": at, "b": by, "n": note})


def advance(db: Base, iid: int, state: str, by: str, note: str = "") -> None:
    """Move intro `iid` to `state` (a move `intros.workflow` allowed), logged as done by `by`."""
    at = now_iso()
    with db.transaction():
        db.execute("UPDATE intros SET state = :s, updated_at = :at WHERE id = :i", {"s": state, "at": at, "i": iid})
        _event(db, iid, state, by, note, at)


def introduced(db: Base, iid: int, favor_to: int, direction: str, what: str, on: date) -> bool:
    """Mark intro `iid` made and record its favor in the ledger (`direction` gave or got, with `favor_to`),
    once: False when the intro already has its favor."""
    with db.transaction():
        row = get(db, iid)
        advance(db, iid, "introduced", workflow.YOU if direction == "gave" else "connector")
        if row["favor_id"] is not None:
            return False
        fid, _ = favor_store.record_id(db, favor_to, direction, "intro", what, on, row["value"])
        db.execute("UPDATE intros SET favor_id = :f WHERE id = :i", {"f": fid, "i": iid})
    return True


def set_outcome(db: Base, iid: int, text: str, value: float | None) -> None:
    """Record how intro `iid` went (and its worth, which its favor in the ledger takes too)."""
    if value is not None and not value >= 0:
        raise InputError(f"--value {value}: an outcome's value is an amount of 0 or more")
    clean = clean_text(text, "an outcome")
    if not clean:
        raise InputError("an empty outcome: say how it went, e.g. \"hired them for the pilot\"")
    with db.transaction():
        row = get(db, iid)
        value = row["value"] if value is None else value
        db.execute("UPDATE intros SET outcome = :o, value = :v WHERE id = :i", {"o": clean, "v": value, "i": iid})
        advance(db, iid, "outcome", workflow.YOU, clean)
        if row["favor_id"] is not None and value is not None:
            favor_store.set_value(db, row["favor_id"], value)


def _row(r: Any) -> dict[str, Any]:
    keys = ("id", "seeker_id", "connector_id", "target_id", "why", "state", "created_at", "updated_at", "outcome",
            "value", "favor_id")
    out = dict(zip(keys, r, strict=True))
    out["kind"] = workflow.kind_of(out["seeker_id"], out["connector_id"])
    return out


def get(db: Base, iid: int) -> dict[str, Any]:
    """Intro `iid` as stored (with its kind); NotFoundError when there is none."""
    rows = db.fast_rows(f"SELECT {_COLUMNS} FROM intros WHERE id = :i", {"i": iid})
    if not rows:
        raise NotFoundError(f"no intro {iid} (see closeknit intro list --all)")
    return _row(rows[0])


def events(db: Base, iid: int) -> list[dict[str, Any]]:
    """The history of intro `iid`, oldest first."""
    return [{"state": s, "at": at, "by": by, "note": note} for s, at, by, note in db.fast_rows(
        "SELECT state, at, by, note FROM intro_events WHERE intro_id = :i ORDER BY id", {"i": iid})]


def intros(db: Base, everything: bool = False) -> list[dict[str, Any]]:
    """Introductions, the longest waiting first: the open ones (not declined, no outcome yet), or all."""
    where = "" if everything else " WHERE state NOT IN ('declined', 'outcome')"
    return [_row(r) for r in db.fast_rows(f"SELECT {_COLUMNS} FROM intros{where} ORDER BY updated_at, id")]


def pairs(db: Base) -> set[frozenset[int]]:
    """Every two contacts one introduction concerns (seeker and target, connector and target), whatever its
    state: pairs introduced, being introduced, or declined."""
    found: set[frozenset[int]] = set()
    for a, b in db.fast_rows("SELECT coalesce(seeker_id, connector_id), target_id FROM intros"):
        found.add(frozenset((a, b)))
    for a, b in db.fast_rows("SELECT person_a, person_b FROM knows"):
        found.add(frozenset((a, b)))
    return found


def people(db: Base, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Name, best email address (the one most used in interactions, else the first), organisation, title and
    LinkedIn profile (to message someone known only from a LinkedIn export) of each of `ids`."""
    rows = db.fast_rows(
        f"SELECT p.id, {name_sql('p')}, p.organization, p.title, (SELECT i.value FROM identifiers i"
        " WHERE i.person_id = p.id AND i.kind = 'email' ORDER BY (SELECT count(*) FROM interaction_parties ip"
        " WHERE ip.person_id = i.person_id AND ip.address = i.value) DESC, i.value LIMIT 1),"
        " (SELECT i.value FROM identifiers i WHERE i.person_id = p.id AND i.kind = 'linkedin' ORDER BY i.value LIMIT 1)"
        " FROM people p WHERE p.id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(sorted(set(ids)))})
    return {r[0]: {"id": r[0], "name": display(r[1], r[4]), "organization": r[2], "title": r[3], "email": r[4],
                   "profile": f"https://www.{r[5]}" if r[5] else None} for r in rows}


def strengths(db: Base, ids: list[int]) -> dict[int, float]:
    """The strength of the user's tie to each of `ids` that has a score."""
    return {pid: float(v) for pid, v in db.fast_rows(
        "SELECT person_id, strength FROM scores WHERE person_id IN (SELECT value FROM json_each(:ids))"
        " AND strength IS NOT NULL", {"ids": json.dumps(sorted(set(ids)))})}


def me(db: Base) -> dict[str, Any]:
    """The user as a sender: their name (of the person who is the user, else read from their address) and
    their first address of `me`."""
    addresses = list(db.get_setting(ME, []))
    address = addresses[0] if addresses else None
    name = db.scalar("SELECT name FROM people WHERE is_me = 1 AND name != '' ORDER BY id LIMIT 1") or ""
    shown = display(name, address) if (name or address) else ""
    return {"name": "" if shown == address else shown, "email": address}


def age_days(since: str, now: datetime | None = None) -> int:
    """Whole days from the ISO time `since` to `now`."""
    then = datetime.fromisoformat(since)
    return max(0, ((now or datetime.now(UTC)) - then).days)
