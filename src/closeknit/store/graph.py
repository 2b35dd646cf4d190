"""Who knows whom: graph_edges kept in step with imports, recorded relationships (knows), and their reads.

`graph_edges` holds, per pair of people (person_a < person_b) who were on one message or meeting, how many
interactions they shared, their weight (Σ 1/(n − 1), n the interaction's participants) and the first and last
time. `refresh` adds the interactions stored since the mark `graph_marks['interactions']` (set-based, a chunk
at a time) and then recomputes the edges of the people in `graph_dirty` (marked by a merge or a split) from
their interactions, so a read never rebuilds the whole graph. The user and the ignored people stay in the
table: they are left out when the graph is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from closeknit.errors import InputError
from closeknit.identity.shown import display
from closeknit.store import ignore
from closeknit.store.base import Base, now_iso
from closeknit.store.people import name_sql

MAX_PARTICIPANTS = 25  # as intros/evaluate.MAX_PARTICIPANTS: larger messages say nothing about who knows whom
CHUNK = 50_000  # interactions per transaction of a refresh
ORG_MAX = 50  # an organisation with more people than this says nothing about who knows whom

# Everyone on each interaction of `{where}` once (a person in two roles of one message counts once): not a
# delegate sending for someone (`sender`), not an invitation declined, nothing cancelled or undated.
_PARTS = """
parts AS MATERIALIZED (
  SELECT DISTINCT ip.interaction_id AS iid, ip.person_id AS pid, i.ts AS ts
  FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id
  WHERE {where} AND i.ts IS NOT NULL AND i.cancelled = 0 AND ip.role != 'sender' AND ip.status != 'DECLINED'),
sizes AS MATERIALIZED (
  SELECT iid, count(*) AS n FROM parts GROUP BY iid HAVING count(*) BETWEEN 2 AND {most})
"""
_PAIRS = """
INSERT INTO graph_edges(person_a, person_b, shared, weight, first_ts, last_ts)
SELECT a.pid, b.pid, count(*), sum(1.0 / (s.n - 1)), min(a.ts), max(a.ts)
FROM sizes s JOIN parts a ON a.iid = s.iid JOIN parts b ON b.iid = s.iid AND a.pid < b.pid
WHERE {pairs}
GROUP BY a.pid, b.pid
ON CONFLICT(person_a, person_b) DO UPDATE SET shared = shared + excluded.shared, weight = weight + excluded.weight,
  first_ts = min(coalesce(first_ts, excluded.first_ts), excluded.first_ts),
  last_ts = max(coalesce(last_ts, excluded.last_ts), excluded.last_ts)
"""
_NEW = "WITH " + _PARTS.format(where="i.id > :lo AND i.id <= :hi", most=MAX_PARTICIPANTS) + _PAIRS.format(pairs="1")
_DIRTY = "SELECT person_id FROM graph_dirty"
_AGAIN = "WITH " + _PARTS.format(
    where=f"i.id <= :upto AND i.id IN (SELECT interaction_id FROM interaction_parties WHERE person_id IN ({_DIRTY}))",
    most=MAX_PARTICIPANTS) + _PAIRS.format(pairs=f"(a.pid IN ({_DIRTY}) OR b.pid IN ({_DIRTY}))")


def _mark(db: Base) -> int:
    return int(db.scalar("SELECT coalesce((SELECT upto FROM graph_marks WHERE key = 'interactions'), 0)") or 0)


def pending(db: Base) -> bool:
    """Whether interactions or marked people wait to be taken into graph_edges."""
    return bool(db.scalar("SELECT EXISTS (SELECT 1 FROM graph_dirty) OR (SELECT coalesce(max(id), 0)"
                          " FROM interactions) != (SELECT upto FROM graph_marks WHERE key = 'interactions')"))


def mark_dirty(db: Base, ids: list[int]) -> None:
    """Have these people's edges recomputed before the graph is next read (in the caller's transaction)."""
    with db.transaction():
        db.dbapi().executemany("INSERT OR IGNORE INTO graph_dirty(person_id) VALUES (?)", [(int(i),) for i in ids])


def refresh(db: Base) -> dict[str, int]:
    """Bring graph_edges in step: the interactions stored since the last refresh, then the marked people.
    Returns how many interactions and people were taken in (both 0 when nothing changed)."""
    if not pending(db):
        return {"interactions": 0, "people": 0}
    newest = int(db.scalar("SELECT coalesce(max(id), 0) FROM interactions") or 0)
    if newest < _mark(db):  # interactions ending before the mark (a restored backup): from scratch
        rebuild(db)
        return {"interactions": newest, "people": 0}
    added = 0
    while (upto := _mark(db)) < newest:
        with db.transaction():  # a chunk at a time: an interrupted refresh keeps what it did
            hi = int(db.scalar("SELECT max(id) FROM (SELECT id FROM interactions WHERE id > :u ORDER BY id LIMIT :n)",
                               {"u": upto, "n": CHUNK}))
            db.dbapi().execute(_NEW, {"lo": upto, "hi": hi})
            added += int(db.scalar("SELECT count(*) FROM interactions WHERE id > :u AND id <= :h",
                                   {"u": upto, "h": hi}) or 0)
            db.execute("UPDATE graph_marks SET upto = :h WHERE key = 'interactions'", {"h": hi})
    with db.transaction():
        raw = db.dbapi()
        people = int(raw.execute("SELECT count(*) FROM graph_dirty").fetchone()[0])
        if people:
            raw.execute(f"DELETE FROM graph_edges WHERE person_a IN ({_DIRTY}) OR person_b IN ({_DIRTY})")
            raw.execute(_AGAIN, {"upto": _mark(db)})
            raw.execute("DELETE FROM graph_dirty")
    return {"interactions": added, "people": people}


def rebuild(db: Base) -> None:
    """Every edge from scratch (after a restore, or to check the incremental refresh)."""
    with db.transaction():
        db.execute("DELETE FROM graph_edges")
        db.execute("DELETE FROM graph_dirty")
        db.execute("UPDATE graph_marks SET upto = 0 WHERE key = 'interactions'")
    refresh(db)


def fresh(db: Base) -> bool:
    """`refresh`, unless the database cannot be written (read-only): then the graph is read as it is (False)."""
    try:
        refresh(db)
    except InputError:
        return False
    return True


def hidden(db: Base) -> set[int]:
    """The people no path goes through: the user and the ignored."""
    return {*ignore.people(db), *(i for (i,) in db.fast_rows("SELECT id FROM people WHERE is_me = 1"))}


# --------------------------------------------------------------------------- reads


@dataclass(slots=True)
class Edges:
    """Every pair with evidence, as parallel arrays (person ids; the user and the ignored left out)."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    shared: np.ndarray  # int64: interactions both were on
    weight: np.ndarray  # float64
    last_ts: np.ndarray  # int64: the last of them (unix seconds)


def _left_out(db: Base) -> str:
    return json.dumps(sorted(hidden(db)))


def edges(db: Base) -> Edges:
    """All co-occurrence edges but those of the user and the ignored, as numpy arrays."""
    rows = db.fast_rows(
        "SELECT person_a, person_b, shared, weight, coalesce(last_ts, 0) FROM graph_edges"
        " WHERE person_a NOT IN (SELECT value FROM json_each(:h))"
        " AND person_b NOT IN (SELECT value FROM json_each(:h))",
        {"h": _left_out(db)})
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Edges(empty, empty, empty, np.zeros(0), empty)
    cols = list(zip(*rows, strict=True))
    return Edges(np.asarray(cols[0], dtype=np.int64), np.asarray(cols[1], dtype=np.int64),
                 np.asarray(cols[2], dtype=np.int64), np.asarray(cols[3], dtype=np.float64),
                 np.asarray(cols[4], dtype=np.int64))


def known(db: Base) -> list[tuple[int, int, str]]:
    """Every recorded relationship (person_a, person_b, how) but those of the user and the ignored."""
    return [(int(a), int(b), str(h)) for a, b, h in db.fast_rows(
        "SELECT person_a, person_b, how FROM knows WHERE person_a NOT IN (SELECT value FROM json_each(:h))"
        " AND person_b NOT IN (SELECT value FROM json_each(:h))", {"h": _left_out(db)})]


def colleagues(db: Base, most: int = ORG_MAX) -> dict[str, list[int]]:
    """People by current organisation (its name as first written), for organisations of 2 to `most` people;
    the user and the ignored left out."""
    rows = db.fast_rows(
        "SELECT min(trim(organization)), json_group_array(id) FROM people WHERE trim(organization) != ''"
        " AND id NOT IN (SELECT value FROM json_each(:h)) GROUP BY lower(trim(organization))"
        " HAVING count(*) BETWEEN 2 AND :most", {"h": _left_out(db), "most": most})
    return {str(name): sorted(json.loads(ids)) for name, ids in rows}


def organization_people(db: Base, ref: str) -> tuple[str, list[int]] | None:
    """The people of an organisation named `ref` (current or past role, any case) or with an address at the
    domain `ref` (acme.example, @acme.example): (its name as written, their ids); None when there is none."""
    name = ref.strip()
    domain = name.lstrip("@").lower()
    rows = db.fast_rows(
        "SELECT p.id, trim(p.organization) FROM people p WHERE lower(trim(p.organization)) = lower(:n) AND p.is_me = 0"
        " UNION SELECT r.person_id, o.name FROM roles r JOIN organizations o ON o.id = r.organization_id"
        " JOIN people p ON p.id = r.person_id WHERE lower(trim(o.name)) = lower(:n) AND p.is_me = 0",
        {"n": name})
    if not rows and "." in domain and " " not in domain:
        rows = db.fast_rows(
            "SELECT DISTINCT i.person_id, :d FROM identifiers i JOIN people p ON p.id = i.person_id"
            " WHERE i.kind = 'email' AND p.is_me = 0"
            " AND (i.value LIKE :at ESCAPE '\\' OR i.value LIKE :sub ESCAPE '\\')",
            {"d": domain, "at": "%@" + _like(domain), "sub": "%." + _like(domain)})
    if not rows:
        return None
    return str(rows[0][1]), sorted({int(r[0]) for r in rows})


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pair(db: Base, a: int, b: int) -> dict[str, Any]:
    """The evidence between two people: shared interactions (shared, weight, last_ts, or None), how they know
    each other when recorded (or None), and the organisation both are at ("" when none)."""
    lo, hi = min(a, b), max(a, b)
    row = db.fast_rows("SELECT shared, weight, last_ts FROM graph_edges WHERE person_a = :a AND person_b = :b",
                       {"a": lo, "b": hi})
    how = db.fast_rows("SELECT how FROM knows WHERE person_a = :a AND person_b = :b", {"a": lo, "b": hi})
    org = db.fast_rows(
        "SELECT trim(x.organization) FROM people x JOIN people y ON y.id = :b AND x.id = :a"
        " WHERE trim(x.organization) != '' AND lower(trim(x.organization)) = lower(trim(y.organization))",
        {"a": a, "b": b})
    return {"mail": None if not row else {"shared": int(row[0][0]), "weight": float(row[0][1]),
                                          "last_ts": None if row[0][2] is None else int(row[0][2])},
            "knows": None if not how else str(how[0][0]), "organization": org[0][0] if org else ""}


def neighbours(db: Base, pid: int, limit: int | None = None) -> list[dict[str, Any]]:
    """The people `pid` was on interactions with (not the user nor the ignored), most shared first:
    id, name, shared, weight, last_ts; and who they are recorded to know (shared 0 when only recorded)."""
    found = db.fast_rows(
        "WITH e AS (SELECT person_b AS other, shared, weight, last_ts FROM graph_edges WHERE person_a = :p"
        " UNION ALL SELECT person_a, shared, weight, last_ts FROM graph_edges WHERE person_b = :p),"
        " k AS (SELECT person_b AS other, how FROM knows WHERE person_a = :p"
        " UNION ALL SELECT person_a, how FROM knows WHERE person_b = :p),"
        " everyone AS (SELECT other FROM e UNION SELECT other FROM k)"
        f" SELECT x.other, {name_sql('p')},"
        " coalesce(e.shared, 0), coalesce(e.weight, 0), e.last_ts, k.how"
        " FROM everyone x JOIN people p ON p.id = x.other LEFT JOIN e ON e.other = x.other"
        " LEFT JOIN k ON k.other = x.other"
        " WHERE x.other NOT IN (SELECT value FROM json_each(:h))"
        " ORDER BY k.how IS NULL, coalesce(e.weight, 0) DESC, x.other" + (" LIMIT :n" if limit else ""),
        {"p": pid, "h": _left_out(db), "n": limit})
    return [{"id": int(r[0]), "name": display(r[1]), "shared": int(r[2]), "weight": float(r[3]),
             "last_ts": None if r[4] is None else int(r[4]), "knows": r[5]} for r in found]


def know(db: Base, a: int, b: int, how: str = "") -> bool:
    """Record that `a` and `b` know each other (how, in the user's words); True when new, else the text is
    updated (when given) and False."""
    if a == b:
        raise InputError("a person knows themselves: name two different people")
    lo, hi = min(a, b), max(a, b)
    how = " ".join(how.split())
    with db.transaction():
        there = db.scalar("SELECT how FROM knows WHERE person_a = :a AND person_b = :b", {"a": lo, "b": hi})
        if there is None:
            db.execute("INSERT INTO knows(person_a, person_b, how, created_at) VALUES (:a, :b, :h, :at)",
                       {"a": lo, "b": hi, "h": how, "at": now_iso()})
            return True
        if how and how != there:
            db.execute("UPDATE knows SET how = :h WHERE person_a = :a AND person_b = :b", {"a": lo, "b": hi, "h": how})
    return False


def forget(db: Base, a: int, b: int) -> bool:
    """Remove the recorded relationship between `a` and `b`; False when there was none."""
    lo, hi = min(a, b), max(a, b)
    with db.transaction():
        there = db.scalar("SELECT 1 FROM knows WHERE person_a = :a AND person_b = :b", {"a": lo, "b": hi})
        db.execute("DELETE FROM knows WHERE person_a = :a AND person_b = :b", {"a": lo, "b": hi})
    return there is not None
