"""Needs and offers recorded on people (or on the user, person None): what someone can do or is looking for."""

from __future__ import annotations

import re
from typing import Any

from closeknit.errors import InputError, NotFoundError
from closeknit.identity.shown import display
from closeknit.store.base import Base, now_iso
from closeknit.store.people import name_sql

KINDS = ("need", "offer")
MAX_TEXT = 2000  # a need or offer is a sentence or two, not a document


def text_key(text: str) -> str:
    """The text as compared for duplicates: lower-cased, runs of white space as one space."""
    return " ".join(text.lower().split())


def _check(kind: str, text: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}: use need or offer")
    clean = " ".join(text.split())
    if not clean:
        raise InputError(f"an empty {kind}: say what it is, e.g. \"lidar perception\"")
    if len(clean) > MAX_TEXT:
        raise InputError(f"a {kind} of {len(clean):,} characters: keep it under {MAX_TEXT:,}")
    return clean


def record(db: Base, pid: int | None, kind: str, text: str) -> bool:
    """Record a need or offer of person `pid` (None: the user's own); False when it is recorded already."""
    clean = _check(kind, text)
    with db.transaction():
        before = db.scalar(
            "SELECT count(*) FROM needs_offers WHERE ifnull(person_id, 0) = ifnull(:p, 0) AND kind = :k"
            " AND text_key = :t", {"p": pid, "k": kind, "t": text_key(clean)})
        db.execute(
            "INSERT OR IGNORE INTO needs_offers(person_id, kind, text, text_key, created_at)"
            " VALUES (:p, :k, :text, :t, :at)",
            {"p": pid, "k": kind, "text": clean, "t": text_key(clean), "at": now_iso()},
        )
    return not before


def remove(db: Base, pid: int | None, kind: str, what: str) -> dict[str, Any]:
    """Remove one need or offer of person `pid` (None: the user's), named by its text or its id; returns it."""
    mine = entries(db, pid, kind, own=pid is None)
    key = text_key(what)
    found = [e for e in mine if e["key"] == key] or [e for e in mine if what.strip().lstrip("#") == str(e["id"])]
    if not found:
        who = "you have" if pid is None else f"person {pid} has"
        raise NotFoundError(f"no {kind} {what!r} that {who} (see closeknit {kind} {'me' if pid is None else pid})")
    db.execute("DELETE FROM needs_offers WHERE id = :i", {"i": found[0]["id"]})
    return found[0]


def entries(db: Base, pid: int | None = None, kind: str | None = None, own: bool = False) -> list[dict[str, Any]]:
    """Needs and offers, oldest first: of person `pid` (and the user's own too when `own`), of the user alone
    when `pid` is None and `own`, of everyone when neither; only of `kind` when given."""
    where, params = ["1"], {"p": pid, "k": kind}
    if pid is not None:
        where.append("(n.person_id = :p OR n.person_id IS NULL)" if own else "n.person_id = :p")
    elif own:
        where.append("n.person_id IS NULL")
    if kind:
        where.append("n.kind = :k")
    rows = db.rows(
        f"SELECT n.id, n.person_id, {name_sql('p')}, n.kind, n.text, n.text_key, n.created_at FROM needs_offers n"
        f" LEFT JOIN people p ON p.id = n.person_id WHERE {' AND '.join(where)} ORDER BY n.id", params)
    return [{"id": r[0], "person": r[1], "name": "you" if r[1] is None else display(r[2] or ""), "kind": r[3],
             "text": r[4], "key": r[5], "created_at": r[6]} for r in rows]


def of_person(db: Base, pid: int, is_me: bool = False) -> dict[str, list[dict[str, Any]]]:
    """A person's offers and needs (with the user's own, for the person who is the user), for `show`."""
    found = entries(db, pid, own=is_me)
    return {f"{k}s": [{"id": e["id"], "text": e["text"], "created_at": e["created_at"]} for e in found
                      if e["kind"] == k] for k in ("offer", "need")}


# Words that say nothing about what is needed or offered: left out when an offer is matched against needs.
_STOP_TEXT = (
    "a about after all also an and any are as at be been but by can could do for from get has have help helping"
    " her his how i in into is it its looking me more my need needs new of offer offers on or our out people"
    " some someone something that the their them they this to up us want wants we who with would you your"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"\w+")
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_MARKED = re.compile(f"{_MARK_OPEN}(.*?){_MARK_CLOSE}", re.S)


def offer_terms(text: str) -> list[str]:
    """The telling words of an offer (no stop words, none shorter than 3 letters), each once, in order."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        if len(w) >= 3 and w not in STOPWORDS and not w.isdigit():
            seen.setdefault(w, None)
    return list(seen)


def needs_i_can_meet(db: Base, hidden: set[int] | frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """People whose recorded need matches one of the user's own offers: "they need X; you offer Y".

    A need matches an offer when it shares the offer's telling words, stemmed ("designing" meets "design"):
    at least two of them, or the one an offer of a single telling word has. Each person once, with the best
    pair (most shared words, then full-text relevance), strongest tie first; people in `hidden` left out.
    """
    best: dict[int, dict[str, Any]] = {}
    for offer in entries(db, None, "offer", own=True):
        terms = offer_terms(offer["text"])
        if not terms:
            continue
        query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = db.fast_rows(
            f"SELECT n.id, n.person_id, n.text, bm25(search_needs_offers),"
            f" highlight(search_needs_offers, 0, '{_MARK_OPEN}', '{_MARK_CLOSE}'), s.strength, s.tier,"
            f" {name_sql('p')} FROM search_needs_offers JOIN needs_offers n ON n.id = search_needs_offers.rowid"
            " JOIN people p ON p.id = n.person_id LEFT JOIN scores s ON s.person_id = n.person_id"
            " WHERE search_needs_offers MATCH :q AND n.kind = 'need' AND p.is_me = 0",
            {"q": query},
        )
        for nid, pid, need, rank, marked, strength, tier, name in rows:
            if pid in hidden:
                continue
            shared = sorted({m.lower() for m in _MARKED.findall(marked)})
            if len(shared) < min(2, len(terms)):
                continue
            pair = {"person": pid, "name": display(name), "need_id": nid, "need": need, "offer_id": offer["id"],
                    "offer": offer["text"], "shared": shared, "strength": strength, "tier": tier,
                    "_rank": (len(shared), -rank)}
            if pid not in best or pair["_rank"] > best[pid]["_rank"]:
                best[pid] = pair
    out = sorted(best.values(), key=lambda p: (-(p["strength"] or 0), -p["_rank"][0], -p["_rank"][1], p["person"]))
    for p in out:
        del p["_rank"]
    return out
