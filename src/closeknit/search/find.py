"""Find people by what they do: full-text relevance combined with tie strength, each hit saying why it matched.

Ranking. FTS5 scores each person's document with BM25, every field weighted (`WEIGHTS`: an offer or a title
says more about what someone can do than a note or an address). A match in the subject of past interactions
(opt-in) adds `SUBJECT_WEIGHT` × its best BM25 × (1 + ln of the number of matching interactions). That
relevance is divided by the best one among the matches (so it is 1.0 for the most relevant) and multiplied by
a factor of tie strength:

    score = relevance / best relevance × (0.5 + 0.5 × strength / 100)

A contact never scored (strength unknown) counts as strength 0: a stranger needs twice the relevance of a
strength-100 tie to rank beside them, so among equally good matches the stronger tie comes first, while a
much better match from a weaker tie still shows. Ties in score go to the more relevant, then the lower id.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from closeknit.errors import InputError
from closeknit.search.query import parse
from closeknit.store import ignore
from closeknit.store import search as index
from closeknit.store.base import Base

WEIGHTS = {"name": 3.0, "titles": 4.0, "organizations": 3.0, "emails": 1.0, "tags": 3.0, "notes": 1.5,
           "offers": 5.0, "needs": 1.5}
SUBJECT_WEIGHT = 0.5
STRENGTH_FLOOR = 0.5  # the factor of a tie of strength 0; a tie of strength 100 gets 1.0
MODE = "lexical"
VALUES_JOINED = " · "  # between the values of a field (tags, notes, titles) in a snippet
LEXICAL_NOTE = ("search is lexical (full-text: stemmed words and prefixes, no meaning); no semantic model is"
                " installed")


def combined(relevance: float, strength: float | None) -> float:
    """The score of a hit: relevance (0-1, 1 for the best) times the factor of tie strength (0-100)."""
    return relevance * (STRENGTH_FLOOR + (1 - STRENGTH_FLOOR) * (strength or 0.0) / 100)


def marked_parts(snippet: str) -> tuple[str, list[str]]:
    """A snippet without its match markers (a field's values joined by `VALUES_JOINED`), and the words that were
    marked (each once, as they appear)."""
    plain: list[str] = []
    matched: list[str] = []
    pos = 0
    while (start := snippet.find(index.MARK_OPEN, pos)) >= 0:
        end = snippet.find(index.MARK_CLOSE, start)
        if end < 0:
            break
        plain.append(snippet[pos:start])
        word = snippet[start + 1:end]
        plain.append(word)
        if word.lower() not in (m.lower() for m in matched):
            matched.append(word)
        pos = end + 1
    plain.append(snippet[pos:])
    text = "".join(plain).replace(index.MARK_OPEN, "").replace(index.MARK_CLOSE, "")
    return text.replace("\n", VALUES_JOINED), matched


def find(db: Base, text: str, limit: int = 20, subjects: bool = False, include_ignored: bool = False,
         progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """People matching the query `text`, best first (see the module's docstring), at most `limit` of them.

    With `subjects`, the subjects of past interactions are searched too (not for a query naming a field).
    The index is brought up to date first; on a database that cannot be written (read-only), the search
    runs on the index as it is and says so (`stale`).
    """
    query = parse(text)
    stale = False
    try:
        index.refresh(db)
    except InputError:
        stale = True
    hidden: set[int] = set() if include_ignored else ignore.people(db)
    searched_subjects = subjects and not query.fielded
    if searched_subjects:
        try:
            index.refresh_subjects(db, progress)
        except InputError:
            stale = True
    # Every word must match; when no one matches them all, people who match some of them are the answer (BM25
    # ranks those who match more words, and the rarer ones, first), and the answer says so.
    every = True
    expr = query.fts()
    hits, total = _hits(db, expr, limit, searched_subjects, hidden)
    if not total and len(query.groups) > 1:
        every = False
        expr = query.fts(every=False)
        hits, total = _hits(db, expr, limit, searched_subjects, hidden)
    ranked = sorted(hits, key=lambda p: (-hits[p]["score"], -hits[p]["rel"], p))[:limit]
    # A weak answer from profiles alone, in a network with mail: its subjects may say who knows the topic.
    unsearched = (not searched_subjects and not query.fielded and (not every or not total)
                  and index.has_subjects(db))
    return {
        "query": text, "terms": query.words(), "ignored": query.ignored, "every_word": every, "mode": MODE,
        "semantic": False, "note": LEXICAL_NOTE, "subjects": searched_subjects, "subjects_might_help": unsearched,
        "stale": stale, "total": total, "results": _explained(db, expr, ranked, hits),
    }


def _hits(db: Base, expr: str, limit: int, subjects: bool, hidden: set[int]) -> tuple[dict[int, dict[str, Any]], int]:
    """The people matching `expr` (with `subjects`, in past subjects too), each with relevance and score, and how
    many match; without subjects only the best `limit` are read."""
    # Without subjects, the database ranks and cuts to `limit`; with them, every hit is merged first.
    rows, total, best = index.match_people(db, expr, tuple(WEIGHTS.values()), STRENGTH_FLOOR,
                                           None if subjects else limit, hidden)
    hits: dict[int, dict[str, Any]] = {
        pid: {"rel": rel, "strength": strength, "tier": tier, "subject": None} for pid, rel, strength, tier in rows}
    if subjects:
        for pid, rel, n, latest, strength, tier in index.match_subjects(db, expr):
            if pid in hidden:
                continue
            hit = hits.setdefault(pid, {"rel": 0.0, "strength": strength, "tier": tier, "subject": None})
            hit["rel"] += SUBJECT_WEIGHT * rel * (1 + math.log(n))
            hit["subject"] = (latest, n)
        total = len(hits)
        best = max((h["rel"] for h in hits.values()), default=1.0)
    best = best or 1.0
    for h in hits.values():
        h["relevance"] = h["rel"] / best
        h["score"] = combined(h["relevance"], h["strength"])
    return hits, total


def how_matched(found: dict[str, Any], ask_subjects: str = "") -> list[str]:
    """What a search made of its words, in a line or two: the common words left out, when no one matched every
    word that the people shown match some of them, and when past subjects were not searched but might help (and
    `ask_subjects`: how to ask for them)."""
    lines = []
    if found.get("ignored"):
        lines.append("left out as common words: " + ", ".join(found["ignored"]))
    if not found.get("every_word", True) and found["total"]:
        lines.append("no one matches every word: these people match some of them, those matching more first")
    if found.get("subjects_might_help"):
        lines.append("the subjects of your past mail and meetings were not searched: searching them too may find who"
                     " knows this" + (f" ({ask_subjects})" if ask_subjects else ""))
    return lines


def _explained(db: Base, expr: str, ranked: list[int], hits: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    cards = index.cards(db, ranked)
    snippets = index.people_snippets(db, expr, ranked)
    latest = [h["subject"][0] for p in ranked if (h := hits[p])["subject"]]
    subjects = index.subject_snippets(db, expr, latest) if latest else {}
    out = []
    for pid in ranked:
        h = hits[pid]
        why: list[dict[str, Any]] = []
        for field, snippet in zip(index.FIELDS, snippets.get(pid, ()), strict=False):
            if snippet and index.MARK_OPEN in snippet:
                plain, matched = marked_parts(snippet)
                why.append({"field": field, "snippet": plain, "matched": matched})
        if h["subject"] and h["subject"][0] in subjects:
            snippet, on = subjects[h["subject"][0]]
            plain, matched = marked_parts(snippet)
            why.append({"field": "subject", "snippet": plain, "matched": matched, "on": on,
                        "interactions": h["subject"][1]})
        name, organization, title = cards.get(pid, ("", "", ""))
        out.append({"id": pid, "name": name, "organization": organization, "title": title,
                    "strength": h["strength"], "tier": h["tier"], "score": round(h["score"], 4),
                    "relevance": round(h["relevance"], 4), "why": why})
    return out
