"""Likely duplicates by name and organisation: the sure ones merged, the others queued for the user."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from closeknit.errors import NotFoundError
from closeknit.identity import normalise
from closeknit.store.base import Base, now_iso
from closeknit.store.people import merge_into

NAME_PREFILTER = 80.0  # whole-name likeness a pair needs before its names are compared word by word
ORG_THRESHOLD = 80.0
MIN_SCORE = 75.0  # a pair scoring less is not worth the user's time
# What differing strong identifiers cost: both have phones and share none (an address book keeps
# one entry per person), both have addresses and share none (people do have several addresses, so
# less when every address agrees with the name).
PHONES_DIFFER = 30.0
EMAILS_DIFFER = 20.0
EMAILS_DIFFER_NAMED = 5.0
# Two addresses at one domain, each spelling its own, different, name ("david.port@", "david.portz@"):
# the organisation gave two people an address each.
OWN_ADDRESSES = 20.0
MAX_BLOCK = 200  # a block this large is a common name with no signal; skip rather than go quadratic
SPLIT_BLOCK = 50  # a block larger than this is split by a second letter
_CHUNK = 250_000  # pairs scored per rapidfuzz call


class Found(NamedTuple):
    queued: int  # pairs queued for review
    merged: int  # people merged into another as surely the same person


def find_candidates(db: Base, touched: set[int] | None = None) -> Found:
    """Merge the pairs that are surely one person (`_one_person`), then queue the pairs with similar names
    (and compatible organisations and identifiers) within a name block.

    Only pairs that involve a `touched` person are compared (all people when None), so an
    import costs time in proportion to what it added, not to the size of the database.
    Placeholder names ("e-mail", "LinkedIn Member", an address) are no names at all.
    """
    merged: dict[int, int] = {}  # merged away: kept
    scored, sure = _scored(db, touched)
    while sure:  # a merge gives the kept person more addresses: compare the kept people again
        _merge_sure(db, sure, merged)
        kept = {_alive(merged, p) for a, b, _ in sure for p in (a, b)}
        scored = [item for item in scored if not {item[0], item[1]} & (kept | merged.keys())]
        more, sure = _scored(db, kept)
        scored += more
    now = now_iso()
    rows = [(*item, now) for item in _linking(db, scored)]
    if rows:
        db.execute_many(
            "INSERT OR IGNORE INTO review_queue(person_a, person_b, score, reason, status, created_at)"
            " VALUES (?, ?, ?, ?, 'open', ?)",
            rows,
        )
    return Found(len(rows), len(merged))


def _scored(db: Base, touched: set[int] | None) -> tuple[list[tuple[int, int, float, str]], list[tuple[int, int, str]]]:
    """The pairs worth the user's review, (a, b, score, why), and those surely one person, (a, b, why)."""
    people = [
        (pid, key, org)
        for pid, key, org, name in db.fast_rows(
            "SELECT id, name_key, organization, name FROM people WHERE name_key != '' AND is_me = 0"
        )
        if not normalise.placeholder_name(name)
    ]
    a, b = _block_pairs(people, touched)
    if not len(a):
        return [], []
    # token_sort_ratio is the plain ratio of the names' sorted tokens: sorted here once per person.
    keys = np.array([" ".join(sorted(p[1].split())) for p in people], dtype=object)
    organisations = _Organisations(people)
    # Pairs go through rapidfuzz's C loops (on all cores) a chunk at a time, so memory stays
    # bounded; Python only sees the pairs that pass.
    passed = [_alike(keys, organisations, a[i:i + _CHUNK], b[i:i + _CHUNK]) for i in range(0, len(a), _CHUNK)]
    a, b, _, orgs, both = (np.concatenate(col) for col in zip(*passed, strict=True))
    ids = np.array([p[0] for p in people])
    key_of = {p[0]: p[1] for p in people}
    # An open item may turn out sure (queued before, or by a version that merged nothing itself).
    queued = {(x, y) for x, y in db.fast_rows("SELECT person_a, person_b FROM review_queue WHERE status = 'open'")}
    decided = {(x, y) for x, y in db.fast_rows("SELECT person_a, person_b FROM review_queue WHERE status != 'open'")}
    decided |= {(x, y) for x, y in db.fast_rows("SELECT person_a, person_b FROM distinct_people")}
    pairs = []
    for pa, pb, org_score, with_org in zip(ids[a].tolist(), ids[b].tolist(), orgs.tolist(), both.tolist(),
                                           strict=True):
        pair = (min(pa, pb), max(pa, pb))
        if pair in decided:
            continue
        name_score = names_alike(key_of[pa], key_of[pb])
        if name_score:
            pairs.append((pair, name_score, org_score if with_org else None))
    idents = _strong_identifiers(db, {p for (pair, _, _) in pairs for p in pair})
    scored, sure = [], []
    for (pa, pb), name_score, org_score in pairs:
        if (domain := _one_person(idents.get(pa, {}), idents.get(pb, {}), key_of[pa], key_of[pb])) is not None:
            sure.append((pa, pb, f"the same name, each with an address of it at {domain}"))
            continue
        if (pa, pb) in queued:
            continue
        if org_score is None:
            why = [f"name {name_score:.0f}% alike, no organisation to compare"]
            score = name_score * 0.9
        else:
            why = [f"name {name_score:.0f}% alike, organisation {org_score:.0f}% alike"]
            score = (name_score + org_score) / 2
        cost, differ = _identifier_conflict(idents.get(pa, {}), idents.get(pb, {}), key_of[pa], key_of[pb])
        score -= cost
        why += differ
        if score >= MIN_SCORE:
            scored.append((pa, pb, round(score, 1), ", ".join(why)))
    return scored, sure


def _one_person(a: dict[str, set[str]], b: dict[str, set[str]], key_a: str, key_b: str) -> str | None:
    """The domain that makes two people surely one, or None: the same full name (two words or more, initials
    aside), no differing phones, and each with an address of that name at one domain: the name, or its family
    name with or without initials ("ann.lee@", "lee@", "m..lee@" for Ann M. Lee). An organisation gives one
    person such addresses; two people of one name would each be shown with their own."""
    words = sorted(w for w in key_a.split() if len(w) > 1)
    if len(words) < 2 or words != sorted(w for w in key_b.split() if len(w) > 1):
        return None
    if a.get("phone") and b.get("phone") and not a["phone"] & b["phone"]:
        return None
    family = [w for w in key_a.split() if len(w) > 1][-1]

    def domains(emails: set[str]) -> set[str]:
        out = set()
        for e in emails:
            local = {w for w in normalise.local_words(e).split() if len(w) > 1}
            if family in local and local <= set(words):
                out.add(e.rsplit("@", 1)[1])
        return out

    shared = domains(a.get("email", set())) & domains(b.get("email", set()))
    return min(shared) if shared else None


def _merge_sure(db: Base, sure: list[tuple[int, int, str]], merged: dict[int, int]) -> None:
    """Merge each group of people linked by sure pairs into its oldest (lowest id), noting {merged away: kept}.
    One transaction: a commit per merge would cost more than the merges."""
    with db.transaction():
        for x, y, why in sorted(sure):
            x, y = _alive(merged, x), _alive(merged, y)
            if x != y:
                keep, other = min(x, y), max(x, y)
                merge_into(db, keep, other, why)
                merged[other] = keep


def _alive(kept: dict[int, int], pid: int) -> int:
    while pid in kept:
        pid = kept[pid]
    return pid


def _word_alike(x: str, y: str, given: bool) -> float:
    """How far two words of a name are the same word: equal, an initial, a typo (one letter), or (for two
    `given` names) a short form."""
    if x == y:
        return 1.0
    if not (x.isalpha() and y.isalpha()):  # "list1" and "list3", "all_ees" and "all_ews": different things
        return 0.0
    short, long = sorted((x, y), key=len)
    if len(short) == 1:
        return 0.9 if long[0] == short else 0.0
    if given and 3 <= len(short) <= 5 and long.startswith(short):  # "Chris"; but "Ford" is not "Fordham"
        return 0.9
    if len(short) >= 4 and Levenshtein.distance(x, y, score_cutoff=1) <= 1:  # a typo is one letter
        return fuzz.ratio(x, y) / 100
    return 0.0


def names_alike(key_a: str, key_b: str) -> float:
    """0-100: how far two name keys name one person, word by word; 0 when they cannot.

    Every word of the shorter name must match its own word of the longer one, at least one of them
    in full (not by initial); each extra word of the longer name costs. Relation words ("father",
    "bhai") are no evidence: names holding different ones are different people.
    """
    words_a, words_b = key_a.split(), key_b.split()
    if {w for w in words_a if w in normalise.RELATION_WORDS} != {w for w in words_b if w in normalise.RELATION_WORDS}:
        return 0.0
    words_a = [w for w in words_a if w not in normalise.RELATION_WORDS]
    words_b = [w for w in words_b if w not in normalise.RELATION_WORDS]
    short, long = sorted((words_a, words_b), key=len)
    if not short:
        return 0.0
    used: set[int] = set()
    total = 0.0
    full = False
    for i, word in enumerate(short):
        best, at = 0.0, -1
        for j, other in enumerate(long):
            if j not in used and (alike := _word_alike(word, other, i == j == 0)) > best:
                best, at = alike, j
        if not best:
            return 0.0
        used.add(at)
        total += best
        # A label shared by a class of contacts ("10th", "2b") is no evidence of one person.
        full = full or (len(word) > 1 and len(long[at]) > 1 and not any(c.isdigit() for c in word))
    if not full:
        return 0.0
    extra = [w for j, w in enumerate(long) if j not in used]
    return max(0.0, 100 * total / len(short) - sum(5 if len(w) == 1 else 20 for w in extra))


def _strong_identifiers(db: Base, pids: set[int]) -> dict[int, dict[str, set[str]]]:
    """Each person's emails and phones, for the people in `pids`."""
    out: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    ordered = sorted(pids)
    for i in range(0, len(ordered), 1000):
        for pid, kind, value in db.fast_rows(
            "SELECT person_id, kind, value FROM identifiers WHERE kind IN ('email', 'phone')"
            " AND person_id IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(ordered[i:i + 1000])},
        ):
            out[pid][kind].add(value)
    return out


def _named_by(address: str, words: set[str]) -> bool:
    """True when the address's local part holds a word of the name (three letters or more)."""
    local = address.rsplit("@", 1)[0]
    return any(len(w) >= 3 and w in local for w in words)


def _identifier_conflict(
    a: dict[str, set[str]], b: dict[str, set[str]], key_a: str, key_b: str
) -> tuple[float, list[str]]:
    """What differing emails and phones cost a pair, and why."""
    cost, why = 0.0, []
    if a.get("phone") and b.get("phone") and not a["phone"] & b["phone"]:
        cost += PHONES_DIFFER
        why.append("different phones")
    if a.get("email") and b.get("email") and not a["email"] & b["email"]:
        words = set(key_a.split()) | set(key_b.split())
        named = all(_named_by(e, words) for e in a["email"] | b["email"])
        cost += EMAILS_DIFFER_NAMED if named else EMAILS_DIFFER
        why.append("different emails" + (", each holding the name" if named else ""))
        if sorted(key_a.split()) != sorted(key_b.split()) and {
            e.rsplit("@", 1)[1] for e in a["email"] if _spells(e, key_a)
        } & {e.rsplit("@", 1)[1] for e in b["email"] if _spells(e, key_b)}:
            cost += OWN_ADDRESSES
            why.append("each with an address of their own name")
    return cost, why


def _spells(address: str, key: str) -> bool:
    """True when the address's local part is the name, word for word (initials aside)."""
    words = {w for w in normalise.local_words(address).split() if len(w) > 1}
    return bool(words) and words == {w for w in key.split() if len(w) > 1}


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
    names = process.cpdist(keys[a], keys[b], scorer=fuzz.ratio, score_cutoff=NAME_PREFILTER, workers=-1)
    keep = names > 0
    a, b, names = a[keep], b[keep], names[keep]
    both = (orgs.of[a] != 0) & (orgs.of[b] != 0)
    org_scores = np.zeros(len(a))
    org_scores[both] = orgs.alike(a[both], b[both])
    keep = ~both | (org_scores >= ORG_THRESHOLD)
    return a[keep], b[keep], names[keep], org_scores[keep], both[keep]


def _linking(db: Base, scored: list[tuple[int, int, float, str]]) -> list[tuple[int, int, float, str]]:
    """The best pairs that link people not yet linked by an open item: n people who may all be one person
    make n - 1 items, not n(n-1)/2 ("John Smith" seventeen times). A pair left out comes back when an
    item between them is decided "different" (`decide` looks again)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = x = parent.get(parent[x], parent[x])
        return x

    def link(x: int, y: int) -> bool:
        rx, ry = root(x), root(y)
        if rx == ry:
            return False
        parent[rx] = ry
        return True

    for a, b in db.fast_rows("SELECT person_a, person_b FROM review_queue WHERE status = 'open'"):
        link(a, b)
    return [item for item in sorted(scored, key=lambda i: (-i[2], i[0], i[1])) if link(item[0], item[1])]


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


def open_items(db: Base, limit: int | None = None) -> list[dict[str, Any]]:
    """The open items, best first (at most `limit`), each with both people's emails, phones and profiles."""
    items = [
        dict(r._mapping)
        for r in db.rows(
            "SELECT q.id, q.person_a, a.name AS name_a, a.organization AS org_a, q.person_b, b.name AS name_b,"
            " b.organization AS org_b, q.score, q.reason FROM review_queue q"
            " JOIN people a ON a.id = q.person_a JOIN people b ON b.id = q.person_b"
            " WHERE q.status = 'open' ORDER BY q.score DESC, q.id LIMIT :n",
            {"n": -1 if limit is None else limit},
        )
    ]
    shown: dict[int, list[str]] = defaultdict(list)
    pids = sorted({i[side] for i in items for side in ("person_a", "person_b")})
    for start in range(0, len(pids), 1000):
        for pid, value in db.fast_rows(
            "SELECT DISTINCT person_id, value FROM identifiers WHERE kind IN ('email', 'phone', 'linkedin')"
            " AND person_id IN (SELECT value FROM json_each(:ids)) ORDER BY person_id, kind, value",
            {"ids": json.dumps(pids[start:start + 1000])},
        ):
            shown[pid].append(value)
    for item in items:
        item["identifiers_a"] = shown.get(item["person_a"], [])
        item["identifiers_b"] = shown.get(item["person_b"], [])
    return items


def decide(db: Base, item_id: int, same: bool, look_again: bool = True) -> tuple[int, int]:
    """Merge the pair (same person) or remember that they are different people (and, with `look_again`,
    queue the pairs the item stood in for); the pair decided."""
    row = db.rows("SELECT person_a, person_b FROM review_queue WHERE id = :i AND status = 'open'", {"i": item_id})
    if not row:
        raise NotFoundError(f"no open review item {item_id}")
    a, b = row[0]
    if same:
        merge_into(db, a, b, f"review item {item_id}")
    else:
        db.execute("UPDATE review_queue SET status = 'different' WHERE id = :i", {"i": item_id})
        db.execute("INSERT OR IGNORE INTO distinct_people(person_a, person_b) VALUES (:a, :b)", {"a": a, "b": b})
        if look_again:
            find_candidates(db, {a, b})
    return a, b


def decide_all(db: Base, item_ids: Iterable[int], same: bool) -> list[int]:
    """`decide` each item in turn (all checked open first); items a merge closed on the way are skipped."""
    ids = list(dict.fromkeys(item_ids))
    open_ids = {i for (i,) in db.fast_rows("SELECT id FROM review_queue WHERE status = 'open'")}
    missing = [i for i in ids if i not in open_ids]
    if missing:
        raise NotFoundError(f"no open review item {', '.join(map(str, missing))}")
    done: list[int] = []
    apart: set[int] = set()
    for item in ids:
        if db.scalar("SELECT 1 FROM review_queue WHERE id = :i AND status = 'open'", {"i": item}):
            pair = decide(db, item, same, look_again=False)
            if not same:
                apart.update(pair)
            done.append(item)
    if apart:
        find_candidates(db, apart)
    return done


def items_above(db: Base, score: float) -> list[int]:
    """The open items scoring `score` or more, best first."""
    return [i for (i,) in db.fast_rows(
        "SELECT id FROM review_queue WHERE status = 'open' AND score >= :s ORDER BY score DESC, id", {"s": score}
    )]
