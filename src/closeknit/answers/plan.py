"""The weekly plan as the CLI and the web app show it: its day, its people, done and snooze, life events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from closeknit.care import plan as care_plan
from closeknit.durations import parse_days
from closeknit.errors import InputError
from closeknit.pipeline import scoring
from closeknit.store import Store, life
from closeknit.store import interactions as ix
from closeknit.store import people as people_store
from closeknit.store.base import Base


def days(value: str, what: str) -> int:
    """A positive duration (10d, 6w, 3m, 1y) in days, or an InputError naming `what`."""
    found = parse_days(value)
    if found is None or found <= 0:
        raise InputError(f"{what} {value!r}: use a duration like 10d, 6w, 3m or 1y")
    return found


def until(period: str, today: date | None = None) -> str | None:
    """The day a snooze of `period` (a duration from `today`, default now; a day; or "off") ends; None for off."""
    if period == "off":
        return None
    try:
        return date.fromisoformat(period).isoformat()
    except ValueError:
        start = today or datetime.now(UTC).date()
        return (start + timedelta(days=days(period, "snooze"))).isoformat()


def scored_day(db: Store) -> date:
    """The plan's day: the day the scores are for, scoring as of today first when the database never was."""
    return scoring.scores_day(db, compute_if_missing=True)


def week(db: Base, today: date, budget: int) -> dict[str, Any]:
    """This week's plan from `today`, as `closeknit nudge --json` gives it."""
    return as_dict(care_plan.weekly(db, today, budget), today, budget)


def as_dict(plan: list[care_plan.Nudge], today: date, budget: int) -> dict[str, Any]:
    return {"as_of": today.isoformat(), "budget": budget, "plan": [n.as_dict() for n in plan]}


def done(db: Base, pid: int, channel: str, when: datetime, note: str = "in touch") -> dict[str, Any]:
    """Log that the user got in touch with `pid`: it resets the tie's cadence at once."""
    added = ix.log(db, pid, channel, when, "both", note)
    return {"person": pid, "channel": channel, "added": added}


def noon(day: date) -> datetime:
    """A touch logged for a day, at its noon (UTC): inside the plan's day whatever the time zone."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def life_events(db: Base) -> list[dict[str, Any]]:
    """Every life event seen across imports, oldest person first, each with its reason to get in touch."""
    seen = life.events(db)
    names = people_store.names(db, list(seen))
    return [{"person": pid, "name": names.get(pid, ""), **e, "text": life.in_words(e, names.get(pid, ""))}
            for pid, evs in sorted(seen.items()) for e in evs]
