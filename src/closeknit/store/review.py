"""The review queue: likely duplicates by name and organisation, never merged without the user."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz

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
    people = db.rows("SELECT id, name_key, organization FROM people WHERE name_key != '' AND is_me = 0")
    blocks: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pid, key, org in people:
        for b in normalise.block_keys(key):
            blocks[b].append((pid, key, normalise.name_key(org) if org else ""))
    known = {(a, b) for a, b in db.rows("SELECT person_a, person_b FROM review_queue")}
    known |= {(a, b) for a, b in db.rows("SELECT person_a, person_b FROM distinct_people")}
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        if touched is not None and not any(m[0] in touched for m in members):
            continue
        for i, (pa, ka, oa) in enumerate(members):
            for pb, kb, ob in members[i + 1:]:
                if touched is not None and pa not in touched and pb not in touched:
                    continue
                pair = (min(pa, pb), max(pa, pb))
                if pa == pb or pair in known or pair in found:
                    continue
                name_score = fuzz.token_sort_ratio(ka, kb)
                if name_score < NAME_THRESHOLD:
                    continue
                if oa and ob:
                    org_score = fuzz.token_set_ratio(oa, ob)
                    if org_score < ORG_THRESHOLD:
                        continue
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
        from closeknit.errors import NotFoundError

        raise NotFoundError(f"no open review item {item_id}")
    a, b = row[0]
    if same:
        merge_into(db, a, b, f"review item {item_id}")
    else:
        db.execute("UPDATE review_queue SET status = 'different' WHERE id = :i", {"i": item_id})
        db.execute("INSERT OR IGNORE INTO distinct_people(person_a, person_b) VALUES (:a, :b)", {"a": a, "b": b})
