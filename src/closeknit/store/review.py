"""The review queue: likely duplicates by name and organisation, never merged without the user."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from closeknit.errors import NotFoundError
from closeknit.identity import normalise
from closeknit.store.base import Base, now_iso
from closeknit.store.people import merge_into

NAME_THRESHOLD = 88.0
ORG_THRESHOLD = 80.0
MAX_BLOCK = 200  # a block this large is a common name with no signal; skip rather than go quadratic


def find_candidates(db: Base, touched: set[int] | None = None) -> int:
    """Queue pairs with similar names (and compatible organisations) within a name block.

    Only pairs that involve a `touched` person are compared (all people when None), so an
    import costs time in proportion to what it added, not to the size of the database.
    """
    people = db.fast_rows("SELECT id, name_key, organization FROM people WHERE name_key != '' AND is_me = 0")
    blocks: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    wanted: set[str] | None = None
    if touched is not None:
        wanted = {b for pid, key, _ in people if pid in touched for b in normalise.block_keys(key)}
    for pid, key, org in people:
        for b in normalise.block_keys(key):
            if wanted is None or b in wanted:
                blocks[b].append((pid, key, org))
    known = {(a, b) for a, b in db.fast_rows("SELECT person_a, person_b FROM review_queue")}
    known |= {(a, b) for a, b in db.fast_rows("SELECT person_a, person_b FROM distinct_people")}
    org_keys: dict[str, str] = {}

    def org_key(org: str) -> str:
        if org not in org_keys:
            org_keys[org] = normalise.name_key(org) if org else ""
        return org_keys[org]

    found: dict[tuple[int, int], tuple[float, str]] = {}
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        hot = np.array([touched is None or m[0] in touched for m in members])
        if not hot.any():
            continue
        ids = np.array([m[0] for m in members])
        # Whole blocks at a time in rapidfuzz's C loops; Python only sees the pairs that pass.
        keys = [m[1] for m in members]
        rows = np.flatnonzero(hot)
        names = process.cdist([keys[r] for r in rows], keys, scorer=fuzz.token_sort_ratio,
                              score_cutoff=NAME_THRESHOLD)
        ok = (names > 0) & (ids[rows][:, None] != ids[None, :])
        if not ok.any():
            continue
        orgs_text = [org_key(m[2]) for m in members]
        has_org = np.array([bool(o) for o in orgs_text])
        both = has_org[rows][:, None] & has_org[None, :]
        orgs = process.cdist([orgs_text[r] for r in rows], orgs_text, scorer=fuzz.token_set_ratio)
        ok &= ~both | (orgs >= ORG_THRESHOLD)
        for r, j in zip(*np.nonzero(ok), strict=True):
            pa, pb = int(ids[rows[r]]), int(ids[j])
            pair = (min(pa, pb), max(pa, pb))
            if pair in known or pair in found:
                continue
            name_score = float(names[r, j])
            if both[r, j]:
                org_score = float(orgs[r, j])
                reason = f"name {name_score:.0f}% alike, organisation {org_score:.0f}% alike"
                score = (name_score + org_score) / 2
            else:
                reason = f"name {name_score:.0f}% alike, no organisation to compare"
                score = name_score * 0.9
            found[pair] = (round(score, 1), reason)
    if found:
        db.execute(
            "INSERT OR IGNORE INTO review_queue(person_a, person_b, score, reason, status, created_at)"
            " VALUES (:a, :b, :s, :r, 'open', :at)",
            [{"a": a, "b": b, "s": s, "r": r, "at": now_iso()} for (a, b), (s, r) in found.items()],
        )
    return len(found)


def open_items(db: Base) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in db.rows(
            "SELECT q.id, q.person_a, a.name AS name_a, a.organization AS org_a, q.person_b, b.name AS name_b,"
            " b.organization AS org_b, q.score, q.reason FROM review_queue q"
            " JOIN people a ON a.id = q.person_a JOIN people b ON b.id = q.person_b"
            " WHERE q.status = 'open' ORDER BY q.score DESC, q.id"
        )
    ]


def decide(db: Base, item_id: int, same: bool) -> None:
    """Merge the pair (same person) or remember that they are different people."""
    row = db.rows("SELECT person_a, person_b FROM review_queue WHERE id = :i AND status = 'open'", {"i": item_id})
    if not row:
        raise NotFoundError(f"no open review item {item_id}")
    a, b = row[0]
    if same:
        merge_into(db, a, b, f"review item {item_id}")
    else:
        db.execute("UPDATE review_queue SET status = 'different' WHERE id = :i", {"i": item_id})
        db.execute("INSERT OR IGNORE INTO distinct_people(person_a, person_b) VALUES (:a, :b)", {"a": a, "b": b})
