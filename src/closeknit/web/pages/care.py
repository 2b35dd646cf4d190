"""Pages and API routes for the weekly plan: who to contact, done and snooze, life events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from closeknit.answers import plan as answers
from closeknit.answers.find import existing
from closeknit.care import feed
from closeknit.care import plan as care_plan
from closeknit.pipeline.scoring import rescore
from closeknit.store import care as care_store
from closeknit.store import interactions as ix
from closeknit.store import people as people_store
from closeknit.web.app import database, render, row_id

router = APIRouter()

SNOOZES = {"1w": "1 week", "2w": "2 weeks", "1m": "1 month"}
Budget = Annotated[int, Query(ge=1, le=100, description="At most this many people this week.")]
PersonId = Annotated[int, row_id("The person's id.")]


class Reason(BaseModel):
    kind: str = Field(description="waiting, fading, debt, birthday, anniversary, or a life event")
    text: str
    value: float = Field(description="Strength points this reason expects to keep.")


class Nudge(BaseModel):
    person: int
    name: str
    tier: str
    strength: float
    due_days: int | None
    last_contact: str | None
    p_lapse: float | None
    reasons: list[Reason]
    opener: str
    value: float


class Plan(BaseModel):
    as_of: str = Field(description="The plan's day: the day the scores are for.")
    budget: int
    plan: list[Nudge]


class DoneIn(BaseModel):
    channel: str = Field("message", description=f"One of {', '.join(ix.CHANNELS)}.", max_length=20)
    note: str = Field("in touch", max_length=500)


class Done(BaseModel):
    person: int
    channel: str
    added: bool = Field(description="False when the same touch was logged already.")
    when: str


class SnoozeIn(BaseModel):
    period: str = Field(description="For how long (1w, 2w, 1m, 10d), until a day (2027-01-15), or off.",
                        min_length=1, max_length=20)


class Snoozed(BaseModel):
    person: int
    snoozed_until: str | None


class LifeEvent(BaseModel):
    person: int
    name: str
    kind: str = Field(description="employer, title, email_domain or phone")
    old: str
    new: str
    seen: str = Field(description="The day the change was imported.")
    text: str = Field(description="The reason to get in touch, in words.")


def _done(request: Request, pid: int, channel: str, note: str) -> Done:
    with database(request) as db:
        existing(db, pid)
        day = answers.scored_day(db)
        when = min(datetime.now(UTC).replace(microsecond=0), answers.noon(day))
        said = answers.done(db, pid, channel, when, note)
        rescore(db)
    return Done(**said, when=when.isoformat())


def _snooze(request: Request, pid: int, period: str) -> Snoozed:
    with database(request) as db:
        existing(db, pid)
        until = answers.until(period, answers.scored_day(db))
        care_store.snooze(db, pid, until)
    return Snoozed(person=pid, snoozed_until=until)


@router.get("/api/plan", tags=["plan"])
def api_plan(request: Request, budget: Budget = 5) -> Plan:
    """This week's plan, as `closeknit nudge --as-of DAY --json` on the day the scores are for."""
    with database(request) as db:
        return Plan(**answers.week(db, answers.scored_day(db), budget))


@router.post("/api/plan/{pid}/done", tags=["plan"])
def api_done(request: Request, pid: PersonId, body: DoneIn) -> Done:
    """Log that you got in touch (on the plan's day): the tie's cadence starts again."""
    return _done(request, pid, body.channel, body.note)


@router.post("/api/plan/{pid}/snooze", tags=["plan"])
def api_snooze(request: Request, pid: PersonId, body: SnoozeIn) -> Snoozed:
    """Leave someone out of the plan for a while (counted from the plan's day); off brings them back."""
    return _snooze(request, pid, body.period)


@router.get("/api/life-events", tags=["plan"])
def api_life_events(request: Request) -> list[LifeEvent]:
    """Life events seen across imports (a new employer, title, address or phone), each a reason to write."""
    with database(request) as db:
        return [LifeEvent(**e) for e in answers.life_events(db)]


@router.get("/plan", include_in_schema=False)
def plan_page(request: Request, budget: Budget = 5, done: int | None = None,
              snoozed: int | None = None) -> Response:
    with database(request) as db:
        day = answers.scored_day(db)
        week = answers.week(db, day, budget)
        events = answers.life_events(db)
        shown = [p for p in (done, snoozed) if p is not None]
        names = people_store.names(db, shown) if shown else {}
    said = ""
    if done is not None:
        said = f"Logged: you were in touch with {names.get(done) or f'person {done}'}."
        still = next((n for n in week["plan"] if n["person"] == done), None)
        if still is not None:  # an occasion, news or a favor owed is not answered by a touch
            said += (" They stay in the plan for " + ", ".join(r["kind"].replace("_", " ") for r in still["reasons"])
                     + "; snooze them once that is dealt with.")
    elif snoozed is not None:
        said = f"Snoozed: {names.get(snoozed) or f'person {snoozed}'} is out of the plan for a while."
    return render(request, "plan.html", {
        "title": "This week's plan", "nav": "/plan", "week": week, "budget": budget, "events": events,
        "channels": ix.CHANNELS, "snoozes": SNOOZES, "said": said, "budgets": sorted({3, 5, 10, 20, budget}),
    })


@router.get("/plan.ics", include_in_schema=False)
def plan_ics(request: Request, budget: Budget = 5) -> Response:
    with database(request) as db:
        day = answers.scored_day(db)
        plan = care_plan.weekly(db, day, budget)
    return Response(feed.ics(plan, day), media_type="text/calendar",
                    headers={"content-disposition": f'attachment; filename="closeknit-plan-{day.isoformat()}.ics"'})


@router.post("/plan/{pid}/done", include_in_schema=False)
def done_form(request: Request, pid: PersonId, channel: str = Form("message"), budget: Budget = 5) -> Response:
    _done(request, pid, channel, "in touch")
    return RedirectResponse(f"/plan?budget={budget}&done={pid}", status_code=303)


@router.post("/plan/{pid}/snooze", include_in_schema=False)
def snooze_form(request: Request, pid: PersonId, period: str = Form(..., max_length=20),
                budget: Budget = 5) -> Response:
    _snooze(request, pid, period)
    return RedirectResponse(f"/plan?budget={budget}&snoozed={pid}", status_code=303)
