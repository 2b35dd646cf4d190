"""The full-text indexes behind `find`: each person's search document, interaction subjects, and their queries.

Triggers (migration 0007) mark a person whose indexed fields changed in `search_dirty`, and rows added to
the tables imports fill in bulk are found above a rowid mark (`search_marks`); `refresh` rebuilds those
people's documents before every search, so a search always sees every write before it (an edit, a merge,
a tag, a note, a need or an import) while a write costs at most a row in a small table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from closeknit.errors import InputError
from closeknit.identity.shown import display
from closeknit.store.base import Base
from closeknit.store.people import name_sql

# The columns of `search_people`, and the field each is called by when it explains a hit.
COLUMNS = ("name", "titles", "organizations", "emails", "tags", "notes", "offers", "needs")
FIELDS = ("name", "title", "organization", "email", "tag", "note", "offer", "need")
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # around matched words in snippets; never left in text shown
_STRIP = "replace(replace({}, char(2), ' '), char(3), ' ')"  # imported text cannot fake a marker


def _joined(select: str) -> str:
    """A person's distinct values of `select` (a query of one column `v`, for person p), one per line."""
    return _STRIP.format(f"(SELECT ifnull(group_concat(v, char(10)), '') FROM (SELECT DISTINCT v FROM ({select})"
                         " WHERE v != ''))")


_DOCUMENT = ", ".join((
    _STRIP.format("p.name"),
    _joined("SELECT p.title AS v UNION ALL SELECT title FROM roles WHERE person_id = p.id"),
    _joined("SELECT p.organization AS v UNION ALL SELECT o.name FROM roles r JOIN organizations o"
            " ON o.id = r.organization_id WHERE r.person_id = p.id"),
    _joined("SELECT value AS v FROM identifiers WHERE person_id = p.id AND +kind = 'email'"),
    _joined("SELECT tag AS v FROM tags WHERE person_id = p.id"),
    _joined("SELECT text AS v FROM notes WHERE person_id = p.id"),
    _joined("SELECT text AS v FROM needs_offers WHERE person_id = p.id AND kind = 'offer'"),
    _joined("SELECT text AS v FROM needs_offers WHERE person_id = p.id AND kind = 'need'"),
))


MARKED = ("identifiers", "roles", "tags", "notes")  # their new rows are found by rowid (see the migration)
_ADDED = " UNION ALL ".join(
    f"SELECT * FROM (SELECT max(rowid) > (SELECT upto FROM search_marks WHERE tbl = '{t}') FROM {t})" for t in MARKED)


def pending(db: Base) -> bool:
    """Whether some search document waits to be rebuilt."""
    return bool(db.scalar(f"SELECT EXISTS (SELECT 1 FROM search_dirty) OR 1 IN ({_ADDED})"))


def refresh(db: Base) -> int:
    """Rebuild the search documents of the people changed since the last search; returns how many."""
    if not pending(db):
        return 0
    with db.transaction():
        cur = db.dbapi().cursor()
        try:
            for table in MARKED:
                cur.execute(f"INSERT OR IGNORE INTO search_dirty(person_id) SELECT person_id FROM {table}"
                            f" WHERE rowid > (SELECT upto FROM search_marks WHERE tbl = '{table}')")
                cur.execute(f"UPDATE search_marks SET upto = (SELECT ifnull(max(rowid), 0) FROM {table})"
                            f" WHERE tbl = '{table}'")
            marked = "SELECT person_id FROM search_dirty"
            cur.execute(f"DELETE FROM search_people WHERE rowid IN ({marked})")
            cur.execute(f"INSERT INTO search_people(rowid, {', '.join(COLUMNS)}) SELECT p.id, {_DOCUMENT}"
                        f" FROM people p WHERE p.id IN ({marked})")
            done = cur.execute("SELECT count(*) FROM search_dirty").fetchone()[0]
            cur.execute("DELETE FROM search_dirty")
        finally:
            cur.close()
    return int(done)


def reindex(db: Base) -> None:
    """Rebuild every search document and the subject index from scratch (after a restore, or to compact them)."""
    with db.transaction():
        db.execute("INSERT OR IGNORE INTO search_dirty(person_id) SELECT id FROM people")
        db.execute("DELETE FROM search_people")
        db.execute("INSERT INTO search_subjects(search_subjects) VALUES ('rebuild')")
        db.set_setting(_SUBJECTS_UPTO, _newest_interaction(db))
    refresh(db)
    db.execute("INSERT INTO search_people(search_people) VALUES ('optimize')")


_SUBJECTS_UPTO = "search_subjects_upto"  # setting: the newest interaction id the subject index holds
SUBJECT_BATCH = 50_000


def _newest_interaction(db: Base) -> int:
    return int(db.scalar("SELECT coalesce(max(id), 0) FROM interactions") or 0)


def subjects_pending(db: Base) -> int:
    """Interactions whose subject is not indexed yet."""
    upto = int(db.get_setting(_SUBJECTS_UPTO, 0))
    return int(db.scalar("SELECT count(*) FROM interactions WHERE id > :u", {"u": upto}) or 0)


def refresh_subjects(db: Base, progress: Callable[[int, int], None] | None = None) -> int:
    """Index the subjects of interactions stored since the last subject search (they are never rewritten);
    returns how many. A database whose interactions end before the index (restored from a backup) is
    indexed again from scratch."""
    upto = int(db.get_setting(_SUBJECTS_UPTO, 0))
    newest = _newest_interaction(db)
    if newest < upto:
        with db.transaction():
            db.execute("INSERT INTO search_subjects(search_subjects) VALUES ('rebuild')")
            db.set_setting(_SUBJECTS_UPTO, newest)
        return newest
    total = int(db.scalar("SELECT count(*) FROM interactions WHERE id > :u", {"u": upto}) or 0)
    done = 0
    while upto < newest:
        with db.transaction():  # a batch at a time: an interrupted first index keeps what it did
            end = db.scalar("SELECT max(id) FROM (SELECT id FROM interactions WHERE id > :u ORDER BY id LIMIT :n)",
                            {"u": upto, "n": SUBJECT_BATCH})
            db.execute("INSERT INTO search_subjects(rowid, subject) SELECT id, subject FROM interactions"
                       " WHERE id > :u AND id <= :e AND subject != ''", {"u": upto, "e": end})
            done += int(db.scalar("SELECT count(*) FROM interactions WHERE id > :u AND id <= :e",
                                  {"u": upto, "e": end}) or 0)
            upto = int(end)
            db.set_setting(_SUBJECTS_UPTO, upto)
        if progress:
            progress(done, total)
    return done


def _fts(call: Callable[[], Any]) -> Any:
    """Run a full-text query; a query FTS5 still refuses becomes a one-line error instead of a crash."""
    try:
        return call()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "syntax error" in str(exc) or "no such column" in str(exc):
            raise InputError(f"cannot search for that: {exc}") from None
        raise


def has_subjects(db: Base) -> bool:
    """Whether any interaction has a subject to search."""
    return bool(db.scalar("SELECT 1 FROM interactions WHERE subject != '' LIMIT 1"))


def match_people(db: Base, query: str, weights: tuple[float, ...], floor: float, limit: int | None = None,
                 hidden: set[int] | frozenset[int] = frozenset()) -> tuple[list[tuple[int, float, float | None,
                                                                                     str | None]], int, float]:
    """Everyone but the user and the `hidden` matching `query` (an FTS5 expression), each column weighted by
    `weights`: (person, BM25 relevance as a positive number, strength, tier) best first by relevance × (floor +
    (1 - floor) × strength / 100), at most `limit` of them; with how many matched and the best relevance."""
    rank = f"rel * ({float(floor)} + {1 - float(floor)} * ifnull(strength, 0) / 100)"
    sql = (
        f"SELECT id, rel, strength, tier, count(*) OVER (), max(rel) OVER () FROM (SELECT m.rowid AS id,"
        f" -bm25(search_people, {', '.join(str(float(w)) for w in weights)}) AS rel, s.strength, s.tier"
        " FROM search_people m JOIN people p ON p.id = m.rowid LEFT JOIN scores s ON s.person_id = m.rowid"
        " WHERE search_people MATCH :q AND p.is_me = 0 AND m.rowid NOT IN (SELECT value FROM json_each(:hidden)))"
        f" ORDER BY {rank} DESC, rel DESC, id" + (" LIMIT :n" if limit else "")
    )
    rows = _fts(lambda: db.fast_rows(sql, {"q": query, "hidden": json.dumps(sorted(hidden)), "n": limit}))
    total, best = (rows[0][4], rows[0][5]) if rows else (0, 0.0)
    return [r[:4] for r in rows], total, best


def people_snippets(db: Base, query: str, ids: list[int], tokens: int = 12) -> dict[int, list[str]]:
    """For each person in `ids` matching `query`: a snippet of every column, matched words between
    MARK_OPEN and MARK_CLOSE (a column without a match has none)."""
    cols = ", ".join(f"snippet(search_people, {i}, char(2), char(3), '…', {int(tokens)})"
                     for i in range(len(COLUMNS)))
    rows = _fts(lambda: db.fast_rows(
        f"SELECT rowid, {cols} FROM search_people WHERE search_people MATCH :q"
        " AND rowid IN (SELECT value FROM json_each(:ids))", {"q": query, "ids": json.dumps(ids)}))
    return {r[0]: list(r[1:]) for r in rows}


def match_subjects(db: Base, query: str) -> list[tuple[int, float, int, int, float | None, str | None]]:
    """Per person (not the user) with a past interaction (not bulk) whose subject matches `query`:
    (person, best bm25 as a positive number, matching interactions, the latest of them, strength, tier)."""
    sql = (
        "SELECT ip.person_id, -bm25(search_subjects), m.rowid, coalesce(i.ts, 0), s.strength, s.tier"
        " FROM search_subjects m JOIN interactions i ON i.id = m.rowid AND i.bulk = ''"
        " JOIN interaction_parties ip ON ip.interaction_id = m.rowid JOIN people p ON p.id = ip.person_id"
        " LEFT JOIN scores s ON s.person_id = ip.person_id WHERE search_subjects MATCH :q AND p.is_me = 0"
    )
    found: dict[int, list[Any]] = {}
    seen: set[tuple[int, int]] = set()
    for pid, rel, iid, ts, strength, tier in _fts(lambda: db.fast_rows(sql, {"q": query})):
        if (pid, iid) in seen:  # one person in two roles of one message
            continue
        seen.add((pid, iid))
        row = found.get(pid)
        if row is None:
            found[pid] = [pid, rel, 1, iid, strength, tier, ts]
            continue
        row[1] = max(row[1], rel)
        row[2] += 1
        if (ts, iid) > (row[6], row[3]):
            row[3], row[6] = iid, ts
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in found.values()]


def subject_snippets(db: Base, query: str, iids: list[int], tokens: int = 12) -> dict[int, tuple[str, str | None]]:
    """The subject of each interaction in `iids`, matched words marked, with its date (YYYY-MM-DD)."""
    rows = _fts(lambda: db.fast_rows(
        f"SELECT m.rowid, snippet(search_subjects, 0, char(2), char(3), '…', {int(tokens)}), i.occurred_at"
        " FROM search_subjects m JOIN interactions i ON i.id = m.rowid WHERE search_subjects MATCH :q"
        " AND m.rowid IN (SELECT value FROM json_each(:ids))", {"q": query, "ids": json.dumps(iids)}))
    return {r[0]: (r[1], (r[2] or "")[:10] or None) for r in rows}


def cards(db: Base, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """Name (to show), organisation and title of each person in `ids`."""
    return {r[0]: (display(r[1]), r[2], r[3]) for r in db.fast_rows(
        f"SELECT p.id, {name_sql('p')}, p.organization, p.title FROM people p"
        " WHERE p.id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)})}


def like_scan(db: Base, term: str, limit: int) -> list[int]:
    """The baseline `bench/bench_search.py` measures against: people with `term` anywhere in the same fields,
    by a LIKE '%term%' scan of the tables (no index, no stemming), strongest first."""
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = "LIKE :t ESCAPE '\\'"
    return [r[0] for r in db.fast_rows(
        "SELECT p.id FROM people p LEFT JOIN scores s ON s.person_id = p.id WHERE p.is_me = 0 AND ("
        f"p.name {like} OR p.title {like} OR p.organization {like}"
        f" OR EXISTS (SELECT 1 FROM roles r JOIN organizations o ON o.id = r.organization_id WHERE r.person_id = p.id"
        f" AND (r.title {like} OR o.name {like}))"
        f" OR EXISTS (SELECT 1 FROM identifiers i WHERE i.person_id = p.id AND i.kind = 'email' AND i.value {like})"
        f" OR EXISTS (SELECT 1 FROM tags t WHERE t.person_id = p.id AND t.tag {like})"
        f" OR EXISTS (SELECT 1 FROM notes n WHERE n.person_id = p.id AND n.text {like})"
        f" OR EXISTS (SELECT 1 FROM needs_offers n WHERE n.person_id = p.id AND n.text {like}))"
        " ORDER BY s.strength IS NULL, s.strength DESC, p.id LIMIT :n", {"t": pattern, "n": limit})]


def column_hits(db: Base, query: str, columns: Sequence[str], hidden: set[int] | frozenset[int] = frozenset()
                ) -> list[tuple[int, float, float | None, list[str]]]:
    """Everyone but the user and the `hidden` whose search document matches `query` (an FTS5 expression) in one
    of `columns`: (person, BM25 relevance as a positive number, strength, each column's text with matched words
    between MARK_OPEN and MARK_CLOSE)."""
    cols = [COLUMNS.index(c) for c in columns]
    marks = ", ".join(f"highlight(search_people, {i}, char(2), char(3))" for i in cols)
    expr = "{" + " ".join(columns) + "} : (" + query + ")"
    rows = _fts(lambda: db.fast_rows(
        f"SELECT m.rowid, -bm25(search_people), s.strength, {marks} FROM search_people m"
        " JOIN people p ON p.id = m.rowid LEFT JOIN scores s ON s.person_id = m.rowid"
        " WHERE search_people MATCH :q AND p.is_me = 0 AND m.rowid NOT IN (SELECT value FROM json_each(:hidden))",
        {"q": expr, "hidden": json.dumps(sorted(hidden))}))
    return [(r[0], r[1], r[2], list(r[3:])) for r in rows]
