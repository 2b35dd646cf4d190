"""One person as the CLI's show, the person page and its JSON twin give them, and the changes made to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from closeknit.errors import InputError, NotFoundError
from closeknit.identity.shown import display
from closeknit.pipeline import scoring
from closeknit.report import chance
from closeknit.store import Store, life
from closeknit.store import graph as graph_store
from closeknit.store import ignore as ignore_store
from closeknit.store import interactions as ix
from closeknit.store import needs as needs_store
from closeknit.store import people as people_store
from closeknit.store import scores as score_store

SCORE_FIELDS = ("strength", "tier", "last_contact", "last_two_way", "p_contact_90d", "p_lapse_90d")
TIMELINE_SHOWN = 50  # interactions on a person's page before "show more"
SHOWN_KNOWN = 5  # the people someone shared the most with, after those recorded, that `show` lists


def view(db: Store, pid: int) -> dict[str, Any]:
    """Everything known about one person: fields, identifiers, sources, roles, tags, notes, score, tier, edits,
    merges, life events, offers and needs (the scores as they stand; computing them is the caller's)."""
    detail = people_store.person_detail(db, pid)
    first = next(iter(detail["emails"] + detail["profiles"] + detail["phones"]), "")
    detail["name"] = display(detail["name"], first)
    score = score_store.person_score(db, pid)
    for key in SCORE_FIELDS:
        detail[key] = score[key] if score else None
    detail["ignored"] = pid in ignore_store.people(db)
    detail["edits"] = people_store.edits(db, pid)
    detail["merges"] = people_store.merges(db, pid)
    detail["life_events"] = life.events(db, [pid]).get(pid, [])
    detail.update(needs_store.of_person(db, pid, is_me=detail["is_me"]))  # offers, needs
    return detail


def likelihoods(score: dict[str, Any]) -> list[str]:
    """The score's two probabilities in words, as `closeknit explain` says them."""
    said = []
    if score.get("p_contact_90d") is not None:
        said.append(f"{chance(score['p_contact_90d'])} likely that you and they write to each other (a message each"
                    " way) within 90 days, judging from your own history")
    if score.get("p_lapse_90d") is not None:
        said.append(f"{chance(score['p_lapse_90d'])} likely that the tie lapses (no message each way within 90"
                    " days), judging from your active ties' history")
    return said


def full(db: Store, pid: int, timeline: int = TIMELINE_SHOWN) -> dict[str, Any]:
    """`view` with the score's explanation (factors and words), the probabilities in words, the day the scores
    are for, and the newest `timeline` interactions (`more` tells whether there are older ones)."""
    detail = view(db, pid)
    score = score_store.person_score(db, pid)
    factors = score["factors"] if score else {"top": [], "why": []}
    run = score_store.last_run(db)
    rows = ix.timeline(db, pid, timeline + 1)
    return {
        **detail, "factors": factors["top"], "why": factors["why"], "likely": likelihoods(score or {}),
        "scored_as_of": run["as_of"] if run else None, "timeline": rows[:timeline], "more": len(rows) > timeline,
    }


def at_midnight(day: date) -> datetime:
    """A day as the moment `closeknit log --when DAY` records (its start, UTC)."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def strength_of(db: Store, pid: int) -> float | None:
    score = score_store.person_score(db, pid)
    return None if score is None else float(score["strength"])


def log(db: Store, pid: int, channel: str, day: date | None, direction: str, note: str) -> dict[str, Any]:
    """Log an interaction by hand and score again; what changed (added, strength before and after)."""
    people_store.person_detail(db, pid)  # a person that does not exist is a 404, not a new party
    before = strength_of(db, pid)
    added = ix.log(db, pid, channel, at_midnight(day or scoring.scores_day(db)), direction, note.strip())
    if added:
        scoring.rescore(db)
    return {"person": pid, "channel": channel, "added": added, "strength_before": before,
            "strength": strength_of(db, pid)}


def rate(db: Store, pid: int, rating: str | None) -> dict[str, Any]:
    """Your own rating of a tie (None clears it), then the scores again."""
    people_store.person_detail(db, pid)
    score_store.rate(db, pid, rating)
    scoring.rescore(db)
    return {"person": pid, "rating": rating, "strength": strength_of(db, pid)}


def split(db: Store, pid: int, records: list[int]) -> dict[str, Any]:
    """Move source records to a new person, then the scores again."""
    new = people_store.split(db, pid, records)
    scoring.rescore(db)
    return {"person": pid, "new_person": new, "records": records}


def merge(db: Store, keep: int, other: int) -> dict[str, Any]:
    """Merge `other` into `keep` by hand (`closeknit merge`), then the scores again."""
    for pid in (keep, other):
        people_store.person_detail(db, pid)
    people_store.merge_into(db, keep, other, "manual merge")
    scoring.rescore(db)
    return {"kept": keep, "merged": other}


def knows(db: Store, pid: int, limit: int = SHOWN_KNOWN) -> list[dict[str, Any]]:
    """Whom `pid` is known to know: every relationship recorded, then the `limit` people they shared the most
    interactions with (the graph brought up to date first), each with its evidence and the day of the last."""
    graph_store.fresh(db)
    found = graph_store.neighbours(db, pid)
    recorded = [n for n in found if n["knows"] is not None]
    shared = [n for n in found if n["knows"] is None][:limit]
    return [{**n, "last": _day(n["last_ts"])} for n in recorded + shared]


def record_knows(db: Store, pid: int, other: int, how: str = "", forget: bool = False) -> dict[str, Any]:
    """Record that two people know each other, how, in your words (`closeknit knows A B --how`), or forget it."""
    for someone in (pid, other):
        people_store.person_detail(db, someone)  # NotFoundError for an unknown id
    if pid == other:
        raise InputError("that is one person twice: name two different people")
    if forget:
        if not graph_store.forget(db, pid, other):
            raise NotFoundError("no relationship recorded between them; nothing changed")
        return {"person": pid, "other": other, "how": None, "added": False, "forgotten": True}
    added = graph_store.know(db, pid, other, how)  # else an existing record takes the new text, when given
    return {"person": pid, "other": other, "how": " ".join(how.split()), "added": added, "forgotten": False}


def _day(ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).date().isoformat()


def set_rule(db: Store, kind: str, value: str | int, ignored: bool) -> bool:
    """Ignore (or stop ignoring) an address, a domain or a person (`closeknit ignore`): the rule is saved, the
    mail it covers marked bulk or not, and the scores computed again when there are any. Whether it changed."""
    rules = ignore_store.load(db)
    held: set[str | int] = getattr(rules, kind)
    if (value in held) == ignored:
        return False
    (held.add if ignored else held.discard)(value)
    ignore_store.save(db, rules)
    ignore_store.mark_interactions(db, rules)
    if score_store.last_run(db) is not None:  # scores are derived data: bring them up to date with the rules
        scoring.rescore(db)
    return True


def ignore(db: Store, pid: int, ignored: bool) -> dict[str, Any]:
    """Leave a person out of scores, lists, reports and review, or take them back (`closeknit ignore PERSON`)."""
    people_store.person_detail(db, pid)
    changed = set_rule(db, "person", pid, ignored)
    return {"person": pid, "ignored": ignored, "changed": changed}


def tags(db: Store, pid: int, add: list[str], remove: list[str]) -> list[str]:
    """Add and remove tags (blank ones refused); the person's tags after."""
    people_store.person_detail(db, pid)
    add, remove = [t.strip() for t in add], [t.strip() for t in remove]
    if not all(add) or not all(remove):
        raise InputError("a tag cannot be blank")
    if add:
        people_store.add_tags(db, pid, add)
    if remove:
        people_store.add_tags(db, pid, remove, remove=True)
    return list(people_store.person_detail(db, pid)["tags"])


def note(db: Store, pid: int, text: str) -> list[dict[str, Any]]:
    """Add a note (blank refused); the person's notes after."""
    people_store.person_detail(db, pid)
    if not text.strip():
        raise InputError("a note cannot be blank")
    people_store.add_note(db, pid, text.strip())
    return list(people_store.person_detail(db, pid)["notes"])
