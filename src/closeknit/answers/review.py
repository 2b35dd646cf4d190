"""The review queue as the CLI, the review page and its JSON twin give it, and the decisions made on it."""

from __future__ import annotations

from typing import Any

from closeknit.pipeline import scoring
from closeknit.store import Store
from closeknit.store import ignore as ignore_store
from closeknit.store import people as people_store
from closeknit.store import review as review_store
from closeknit.store import scores as score_store


def open_items(db: Store, limit: int | None = None) -> list[dict[str, Any]]:
    """The open items, best first (at most `limit`), leaving out pairs with an ignored person, each with both
    people's names as shown and their emails, phones and profiles (`closeknit review`)."""
    hidden = ignore_store.people(db)
    rows = [i for i in review_store.open_items(db, limit) if not {i["person_a"], i["person_b"]} & hidden]
    shown = people_store.names(db, [p for i in rows for p in (i["person_a"], i["person_b"])])
    for i in rows:
        i["name_a"], i["name_b"] = shown[i["person_a"]], shown[i["person_b"]]
    return rows


def side_by_side(db: Store, limit: int | None = None) -> list[dict[str, Any]]:
    """`open_items` with each side's title, sources (the records with where they came from), tags and score."""
    rows = open_items(db, limit)
    pids = sorted({p for i in rows for p in (i["person_a"], i["person_b"])})
    details = {d["id"]: d for d in people_store.people_details(db, pids)}
    strengths = score_store.strengths(db)
    for item in rows:
        for side in ("a", "b"):
            d = details[item[f"person_{side}"]]
            item[f"title_{side}"] = d["title"]
            item[f"records_{side}"] = d["records"]
            item[f"tags_{side}"] = d["tags"]
            item[f"strength_{side}"] = strengths[d["id"]][0] if d["id"] in strengths else None
    return rows


def decide(db: Store, item: int, same: bool) -> dict[str, Any]:
    """Merge the pair of an open item (then score again) or keep them apart; the pair decided."""
    a, b = review_store.decide(db, item, same)
    if same:
        scoring.rescore(db)
    return {"item": item, "decision": "merge" if same else "different", "person_a": a, "person_b": b,
            "kept": a if same else None}
