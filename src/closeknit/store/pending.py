"""Derivation an import still owes: recorded with the rows it concerns, finished by the next import or doctor --repair.

A batch of stored rows and the note of what they leave to derive (me, directions, threads, replies to bulk
senders, the people to compare for review) commit together, so a kill at any moment leaves either both or
neither. Every step of `finish` is idempotent: run again after a kill, it gives the database of one
uninterrupted run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from closeknit.errors import CloseknitError
from closeknit.store import derive, review
from closeknit.store import people as people_store
from closeknit.store.base import Base

PREFIX = "pending:"
DERIVE = "pending:derive"  # interactions stored whose me, directions and threads are not derived yet
ME = "pending:me"  # a set_me call (its arguments) that may have been cut short
REVIEW = "pending:review:"  # + a unique suffix: people one batch created or changed, not yet compared
STORED = "pending:stored"  # the import that left this work had stored all its rows


@dataclass
class Finished:
    """What finishing the pending derivation did."""

    me_inferred: bool = False
    review: int = 0
    merged: int = 0  # people merged into another as surely the same person
    renamed: int = 0  # names stored by earlier rules, read again


def record(db: Base, touched: Iterable[int], derive: bool) -> None:
    """Note, in the caller's transaction, the people a batch touched and whether it stored interactions."""
    with db.transaction():
        people = sorted(touched)
        if people:
            db.set_setting(f"{REVIEW}{uuid.uuid4().hex}", people)
        if derive:
            db.set_setting(DERIVE, True)


def stored(db: Base) -> None:
    """Note that the import has stored all its rows: what is pending is owed by rows complete."""
    if left(db):
        db.set_setting(STORED, True)


def set_me(db: Base, addresses: Sequence[str], region: str, profiles: Sequence[str] = (),
           names: Sequence[str] = ()) -> None:
    """`derive.set_me`, noted as pending until it returns, so that a cut one is made again."""
    db.set_setting(ME, {"addresses": list(addresses), "profiles": list(profiles), "names": list(names)})
    try:
        derive.set_me(db, addresses, region, profiles=profiles, names=names)
    except CloseknitError:
        db.delete_setting(ME)  # refused before it changed anything (an address that is not one)
        raise
    db.delete_setting(ME)


def left(db: Base) -> dict[str, Any]:
    """The pending notes, by key."""
    return db.settings_with_prefix(PREFIX)


def complete(db: Base) -> bool:
    """Whether the pending work was left by an import that had stored all its rows."""
    return STORED in left(db)


def _to_review(notes: dict[str, Any]) -> set[int]:
    return {p for k, v in notes.items() if k.startswith(REVIEW) for p in v}


def describe(db: Base) -> dict[str, Any]:
    """The pending work, for doctor: whether me/directions/threads are owed and how many people await review."""
    notes = left(db)
    return {
        "derive": DERIVE in notes or ME in notes,
        "review_people": len(_to_review(notes)),
        "rows_complete": STORED in notes,
    }


def finish(db: Base, region: str) -> Finished:
    """Do the pending derivation (me, directions, threads, replies to bulk senders, then review); clear its notes.
    Names stored by an earlier version's rules are read again first (once)."""
    notes = left(db)
    done = Finished()
    done.renamed = people_store.reread_names(db)
    if not notes:
        return done
    if ME in notes:
        args = notes[ME]
        derive.set_me(db, args["addresses"], region, profiles=args["profiles"], names=args["names"])
    if DERIVE in notes:
        inferred = derive.infer_me(db)  # the known addresses, and any other of the user's met in this mail
        if set(inferred) - set(db.get_setting("me_addresses", [])):
            set_me(db, inferred, region)
            done.me_inferred = True
        derive.derive_threads(db)
        derive.derive_bulk_replies(db)
    people = _to_review(notes)
    if people:
        done.review, done.merged = review.find_candidates(db, people)
    db.delete_settings(list(notes))
    return done
