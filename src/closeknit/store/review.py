"""The review queue: likely duplicates by name and organisation, never merged without the user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
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
SPLIT_BLOCK = 50  # a block larger than this is split by a second letter
_CHUNK = 250_000  # pairs scored per rapidfuzz call


def find_candidates(db: Base, touched: set[int] | None = None) -> int:
    """Queue pairs with similar names (and compatible organisations) within a name block.

    Only pairs that involve a `touched` person are compared (all people when None), so an
    import costs time in proportion to what it added, not to the size of the database.
    """
    people = db.fast_rows("SELECT id, name_key, organization FROM people WHERE name_key != '' AND is_me = 0")
    a, b = _block_pairs(people, touched)
    if not len(a):
        return 0
    # token_sort_ratio is the plain ratio of the names' sorted tokens: sorted here once per person.
    keys = np.array([" ".join(sorted(p[1].split())) for p in people], dtype=object)
    organisations = _Organisations(people)
    # Pairs go through rapidfuzz's C loops (on all cores) a chunk at a time, so memory stays
    # bounded; Python only sees the pairs that pass.
    passed = [_alike(keys, organisations, a[i:i + _CHUNK], b[i:i + _CHUNK]) for i in range(0, len(a), _CHUNK)]
    a, b, names, orgs, both = (np.concatenate(col) for col in zip(*passed, strict=True))
    ids = np.array([p[0] for p in people])
    known = {(x, y) for x, y in db.fast_rows("SELECT person_a, person_b FROM review_queue")}
    known |= {(x, y) for x, y in db.fast_rows("SELECT person_a, person_b FROM distinct_people")}
    rows = []
    now = now_iso()
    for pa, pb, name_score, org_score, with_org in zip(
        ids[a].tolist(), ids[b].tolist(), names.tolist(), orgs.tolist(), both.tolist(), strict=True
    ):
        pair = (min(pa, pb), max(pa, pb))
        if pair in known:
            continue
        if with_org:
            reason = f"name {name_score:.0f}% alike, organisation {org_score:.0f}% alike"
            score = (name_score + org_score) / 2
        else:
            reason = f"name {name_score:.0f}% alike, no organisation to compare"
            score = name_score * 0.9
        rows.append((pair[0], pair[1], round(score, 1), reason, now))
    if rows:
        db.execute_many(
            "INSERT OR IGNORE INTO review_queue(person_a, person_b, score, reason, status, created_at)"
            " VALUES (?, ?, ?, ?, 'open', ?)",
            rows,
        )
    return len(rows)


class _Organisations:
    """Each person's organisation as a number, so that a pair of organisations is compared once."""

    def __init__(self, people: list[Any]) -> None:
        numbers: dict[str, int] = {"": 0}  # organisation name key -> number; 0 is no organisation
        by_name: dict[str, int] = {}
        self.of = np.zeros(len(people), dtype=np.int64)
        for row, (_, _, org) in enumerate(people):
            number = by_name.get(org)
            if number is None:
                key = normalise.name_key(org) if org else ""
                number = by_name[org] = numbers.setdefault(key, len(numbers))
            self.of[row] = number
        self.keys = np.array(list(numbers), dtype=object)

    def alike(self, a: Any, b: Any) -> Any:
        """token_set_ratio of the organisations of the people in rows a and b (both have one)."""
        n = len(self.keys)
        pairs = self.of[a] * n + self.of[b]
        if not len(pairs):
            return np.zeros(0)
        distinct = np.sort(pairs)
        distinct = distinct[np.concatenate(([True], distinct[1:] != distinct[:-1]))]
        scores = process.cpdist(self.keys[distinct // n], self.keys[distinct % n], scorer=fuzz.token_set_ratio,
                                workers=-1)
        return scores[np.searchsorted(distinct, pairs)]


def _alike(keys: Any, orgs: _Organisations, a: Any, b: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The pairs (a, b) whose names are alike and whose organisations, when both have one, too."""
    names = process.cpdist(keys[a], keys[b], scorer=fuzz.ratio, score_cutoff=NAME_THRESHOLD, workers=-1)
    keep = names > 0
    a, b, names = a[keep], b[keep], names[keep]
    both = (orgs.of[a] != 0) & (orgs.of[b] != 0)
    org_scores = np.zeros(len(a))
    org_scores[both] = orgs.alike(a[both], b[both])
    keep = ~both | (org_scores >= ORG_THRESHOLD)
    return a[keep], b[keep], names[keep], org_scores[keep], both[keep]


def _split_common(block: tuple[str, list[int]], people: list[Any]) -> Iterable[list[int]]:
    """A block as it is, or, for a common name, split by the first two letters of the other name.

    "zhang|j" may hold hundreds of people: only "zhang|ji…" with "zhang|ji…" are worth comparing.
    """
    key, rows = block
    if len(rows) <= SPLIT_BLOCK:
        return [rows]
    blocked = key.split("|")[0]
    finer: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        tokens = people[row][1].split()
        other = tokens[0] if tokens[-1] == blocked else tokens[-1]
        finer[other[:2]].append(row)
    return finer.values()


def _block_pairs(people: list[Any], touched: set[int] | None) -> tuple[Any, Any]:
    """Row numbers (a, b) of every pair sharing a name block, at least one of them touched, each pair once."""
    members: dict[str, list[int]] = defaultdict(list)
    wanted: set[str] | None = None
    if touched is not None:
        wanted = {k for pid, key, _ in people if pid in touched for k in normalise.block_keys(key)}
    for row, (_, key, _) in enumerate(people):
        for k in set(normalise.block_keys(key)):
            if wanted is None or k in wanted:
                members[k].append(row)
    by_size: dict[int, list[list[int]]] = defaultdict(list)
    for block in members.items():
        for rows in _split_common(block, people):
            if 2 <= len(rows) <= MAX_BLOCK:
                by_size[len(rows)].append(rows)
    parts_a, parts_b = [], []
    for size, blocks in by_size.items():
        # Blocks of one size share the pattern of their pairs: one numpy step for all of them.
        grid = np.array(blocks, dtype=np.int32)
        i, j = np.triu_indices(size, 1)
        parts_a.append(grid[:, i].ravel())
        parts_b.append(grid[:, j].ravel())
    if not parts_a:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    a, b = np.concatenate(parts_a), np.concatenate(parts_b)
    if touched is not None:
        hot = np.array([p[0] in touched for p in people])
        keep = hot[a] | hot[b]
        a, b = a[keep], b[keep]
    # Two people can share both blocks (both name orders): keep each pair once. (Sorting is
    # much faster here than np.unique.)
    n = len(people)
    pairs = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    del a, b
    pairs.sort()
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return (pairs // n).astype(np.int32), (pairs % n).astype(np.int32)


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
