"""An introduction as shown: its parties, whom it waits on and since when, its history and the next draft."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from closeknit.intros import drafts, workflow
from closeknit.store import intros as intro_store
from closeknit.store.base import Base


def _party(people: dict[int, dict[str, Any]], pid: int | None) -> dict[str, Any]:
    if pid is None:
        return {"id": None, "name": "you", "email": None, "profile": None, "you": True}
    p = people.get(pid, {"id": pid, "name": f"person {pid}", "email": None, "profile": None})
    return {"id": pid, "name": p["name"], "email": p["email"], "profile": p["profile"], "you": False}


def summaries(db: Base, rows: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """Each stored intro of `rows` with its parties' names and addresses, whom it waits on, and for how long."""
    now = now or datetime.now(UTC)
    ids = [r[k] for r in rows for k in ("seeker_id", "connector_id", "target_id") if r[k] is not None]
    people = intro_store.people(db, ids)
    out = []
    for r in rows:
        parties = {role: _party(people, r[f"{role}_id"]) for role in workflow.ROLES}
        wait = workflow.waiting(r["kind"], r["state"])
        waiting_on = None
        if wait is not None:
            who = parties[wait.role] if wait.role != workflow.YOU else _party(people, None)
            waiting_on = {"role": wait.role, "id": who["id"], "name": who["name"], "what": wait.what}
        out.append({
            "id": r["id"], "kind": r["kind"], "state": r["state"], **parties, "why": r["why"],
            "created_at": r["created_at"], "updated_at": r["updated_at"], "outcome": r["outcome"] or None,
            "value": r["value"], "favor_id": r["favor_id"], "waiting_on": waiting_on,
            "days": intro_store.age_days(r["updated_at"], now),
        })
    return out


def one(db: Base, iid: int) -> dict[str, Any]:
    """Intro `iid` in full: its summary, its history and the draft of the next step (None when there is none)."""
    summary = summaries(db, [intro_store.get(db, iid)])[0]
    summary["history"] = intro_store.events(db, iid)
    found = next_draft(db, summary)
    summary["draft"] = found.as_dict() if found else None
    return summary


def next_draft(db: Base, summary: dict[str, Any]) -> drafts.Draft | None:
    """The drafted message for the next step of an intro `summaries` gave."""
    me = intro_store.me(db)

    def person(role: str) -> drafts.Person | None:
        p = summary[role]
        return None if p["you"] else drafts.Person(p["name"], p["email"], p["profile"])

    target = person("target")
    assert target is not None
    return drafts.draft(summary, person("seeker"), person("connector"), target,
                        drafts.Person(me["name"], me["email"]))


def sentence(summary: dict[str, Any]) -> str:
    """What an intro is, in words: "you ask Ana to introduce you to Ben" or "you introduce Cai to Ben"."""
    if summary["kind"] == workflow.VIA:
        return f"you ask {summary['connector']['name']} to introduce you to {summary['target']['name']}"
    return f"you introduce {summary['seeker']['name']} to {summary['target']['name']}"


def status(summary: dict[str, Any]) -> str:
    """Where an intro stands: whom it waits on, or how it ended."""
    wait = summary["waiting_on"]
    if wait is None:
        return "declined" if summary["state"] == workflow.DECLINED else f"done: {summary['outcome']}"
    who = "you" if wait["role"] == workflow.YOU else f"the {wait['role']} ({wait['name']})"
    days = summary["days"]
    return f"waits on {who} {wait['what']}, for {days} day{'' if days == 1 else 's'}"
