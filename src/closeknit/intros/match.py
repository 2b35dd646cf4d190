"""Matchmaking: introductions the user could make, where one contact's need fits another's offer, title or
organisation (lexical: stemmed full-text words), ranked by the fit and by the user's tie to both."""

from __future__ import annotations

import math
import shlex
from collections import defaultdict
from typing import Any

from closeknit.errors import InputError
from closeknit.intros import drafts
from closeknit.search.find import LEXICAL_NOTE, marked_parts
from closeknit.store import ignore
from closeknit.store import intros as intro_store
from closeknit.store import needs as needs_store
from closeknit.store import search as index
from closeknit.store.base import Base

# What a need is matched against, and what a match in each is worth: an offer says what someone can do; a
# title or an organisation says it less surely.
FIELDS = {"offers": ("offer", 1.0), "titles": ("title", 0.7), "organizations": ("organization", 0.5)}
NOT_TELLING = frozenset(("intro", "intros", "introduction", "introductions"))  # every need here is for one
TIE_FLOOR = 0.25  # the factor of a pair the user has no tie to; the strongest ties to both get 1.0


def _term_query(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def tie(a: float | None, b: float | None) -> float:
    """The user's tie to both of a pair, 0-1: the geometric mean of the two strengths (0-100)."""
    return math.sqrt(max(a or 0.0, 0.0) * max(b or 0.0, 0.0)) / 100


def suggestions(db: Base, limit: int = 20) -> dict[str, Any]:
    """The best `limit` introductions to make, best first, each with why it matched and a drafted opt-in message
    to the one with the need. Pairs already introduced (or being introduced, or declined, or recorded as knowing
    each other) and people ignored are left out."""
    stale = False
    try:
        index.refresh(db)
    except InputError:
        stale = True
    hidden = ignore.people(db)
    taken = intro_store.pairs(db)
    best: dict[frozenset[int], dict[str, Any]] = {}
    for need in needs_store.entries(db, None, "need"):
        seeker = need["person"]
        if seeker is None or seeker in hidden:  # the user's own needs are for find, not for an introduction
            continue
        for found in _fits(db, need, hidden, taken):
            pair = frozenset((seeker, found["target"]))
            if pair not in best or found["score"] > best[pair]["score"]:
                best[pair] = found
    ranked = sorted(best.values(), key=lambda s: (-s["score"], -s["fit"], s["seeker"], s["target"]))
    top = ranked[:limit]
    for s in top:
        s["why"] = _why(s)
    for s in ranked:
        del s["_marked"]
    _describe(db, top)
    return {"mode": "lexical", "note": LEXICAL_NOTE, "stale": stale, "total": len(ranked), "suggestions": top}


def _fits(db: Base, need: dict[str, Any], hidden: set[int], taken: set[frozenset[int]]) -> list[dict[str, Any]]:
    """The people whose offers, titles or organisations fit `need`, each with its fit and why."""
    seeker = need["person"]
    terms = [t for t in needs_store.offer_terms(need["text"]) if t not in NOT_TELLING]
    if not terms:
        return []
    matched: dict[int, dict[str, float]] = defaultdict(dict)  # person -> term -> best field weight
    shown: dict[int, dict[str, list[str]]] = defaultdict(dict)  # person -> column -> its text as each term marked it
    relevance: dict[int, float] = defaultdict(float)
    strengths: dict[int, float | None] = {}
    columns = list(FIELDS)
    for term in terms:
        for pid, rel, strength, marked in index.column_hits(db, _term_query(term), columns, hidden):
            if pid == seeker or frozenset((seeker, pid)) in taken:
                continue
            strengths[pid] = strength
            relevance[pid] += rel
            for column, text in zip(columns, marked, strict=True):
                if index.MARK_OPEN not in text:
                    continue
                weight = FIELDS[column][1]
                matched[pid][term] = max(matched[pid].get(term, 0.0), weight)
                shown[pid].setdefault(column, []).append(text)
    out = []
    seeker_strength = intro_store.strengths(db, [seeker]).get(seeker)
    for pid, hits in matched.items():
        in_offer = any(w == FIELDS["offers"][1] for w in hits.values())
        if len(hits) < min(2, len(terms)) and not in_offer:
            continue
        fit = sum(hits.values()) / len(terms)
        both = tie(seeker_strength, strengths[pid])
        out.append({
            "seeker": seeker, "target": pid, "need_id": need["id"], "need": need["text"],
            "terms": sorted(hits), "fit": round(fit, 4), "relevance": round(relevance[pid], 4),
            "seeker_strength": seeker_strength, "target_strength": strengths[pid], "tie": round(both, 4),
            "score": round(fit * (TIE_FLOOR + (1 - TIE_FLOOR) * both), 4),
            "_marked": shown[pid],
        })
    return out


def _why(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Why a suggestion matched: the need's words found, then each field they were found in with its words."""
    why = [{"field": "need", "text": s["need"], "matched": s["terms"]}]
    for column, (field, _) in FIELDS.items():
        texts = s["_marked"].get(column)
        if not texts:
            continue
        words: list[str] = []
        for text in texts:  # each term's highlight of the same text
            plain, found = marked_parts(text)
            words += [w for w in found if w.lower() not in {x.lower() for x in words}]
        why.append({"field": field, "text": plain, "matched": sorted(words, key=plain.lower().find)})
    return why


def _describe(db: Base, found: list[dict[str, Any]]) -> None:
    """Add names, the drafted opt-in message and the command that starts the introduction to each suggestion."""
    people = intro_store.people(db, [p for s in found for p in (s["seeker"], s["target"])])
    me = intro_store.me(db)
    sender = drafts.Person(me["name"], me["email"])
    for s in found:
        a, b = people[s["seeker"]], people[s["target"]]
        s["seeker_name"], s["target_name"] = a["name"], b["name"]
        offer = next((w["text"] for w in s["why"] if w["field"] == "offer"), "")
        role = " at ".join(x for x in (b["title"], b["organization"]) if x)
        s["draft"] = drafts.match_draft(drafts.Person(a["name"], a["email"], a["profile"]),
                                        drafts.Person(b["name"], b["email"], b["profile"]),
                                        s["need"], role, offer, sender).as_dict()
        s["command"] = (f"closeknit intro request {s['target']} --for {s['seeker']}"
                        f" --why {shlex.quote('needs ' + s['need'])}")
