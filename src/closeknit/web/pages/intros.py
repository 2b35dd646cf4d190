"""Pages and API routes for introductions: the double opt-in board."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from closeknit.answers import intros as answers
from closeknit.answers.plan import scored_day
from closeknit.errors import InputError
from closeknit.intros import match as matcher
from closeknit.intros import view, workflow
from closeknit.pipeline.scoring import rescore
from closeknit.store import intros as intro_store
from closeknit.web.app import database, render, row_id

router = APIRouter()

IntroId = Annotated[int, row_id("The intro's id.")]
StepName = Literal["accept", "decline", "done", "outcome"]
Role = Literal["connector", "seeker", "target"]


class Party(BaseModel):
    id: int | None = Field(description="None: you.")
    name: str
    email: str | None
    profile: str | None = Field(description="Their LinkedIn profile, when an import gave one.")
    you: bool


class WaitingOn(BaseModel):
    role: str = Field(description="connector, seeker, target or you")
    id: int | None
    name: str
    what: str


class Intro(BaseModel):
    id: int
    kind: str = Field(description="via: you ask a connector; for: you introduce a seeker.")
    state: str
    connector: Party
    seeker: Party
    target: Party
    why: str
    created_at: str
    updated_at: str
    outcome: str | None
    value: float | None
    favor_id: int | None
    waiting_on: WaitingOn | None
    days: int = Field(description="Days since the last step.")


class Event(BaseModel):
    state: str
    at: str
    by: str
    note: str


class Recipient(BaseModel):
    name: str
    email: str | None
    profile: str | None = Field(description="Their LinkedIn profile: where to send the draft without an address.")


class Draft(BaseModel):
    step: str
    to: list[Recipient]
    subject: str
    body: str
    mailto: str
    missing: list[str] = Field(description="Recipients without a known address.")


class IntroInFull(Intro):
    history: list[Event]
    draft: Draft | None = Field(description="The message for the next step (never sent), None when finished.")


class IntroIn(BaseModel):
    target: str = Field(min_length=1, max_length=200, description="Whom to meet: id, email or name.")
    via: str | None = Field(None, max_length=200, description="The connector you ask (or give for_).")
    for_: str | None = Field(None, alias="for", max_length=200, description="The seeker you introduce.")
    why: str = Field("", max_length=1000)


class StepIn(BaseModel):
    by: Role | None = Field(None, description="Who agreed or declined (default: the one it waits on).")
    text: str | None = Field(None, max_length=1000, description="How it went (outcome).")
    value: float | None = Field(None, ge=0, description="Its worth (outcome); the ledger's favor takes it.")


class Suggestion(BaseModel):
    seeker: int
    target: int
    need_id: int
    need: str
    fit: float
    tie: float
    score: float
    seeker_name: str
    target_name: str
    why: list[dict[str, Any]]
    draft: Draft


class Matches(BaseModel):
    mode: str
    note: str
    stale: bool
    total: int
    suggestions: list[Suggestion]


def _step(request: Request, iid: int, step: str, by: str | None, text: str | None, value: float | None) -> str:
    with database(request) as db:
        if step == "accept":
            return answers.accept(db, iid, by)
        if step == "decline":
            return answers.decline(db, iid, by)
        if step == "done":
            said = answers.done(db, iid, scored_day(db))
            rescore(db)
            return said
        if not text or not text.strip():
            raise InputError("say how it went")
        said = answers.outcome(db, iid, text.strip(), value)
        rescore(db)
        return said


def _request(request: Request, target: str, via: str | None, for_: str | None, why: str) -> int:
    with database(request) as db:
        return answers.request(db, target, via or None, for_ or None, why)


def _one(request: Request, iid: int) -> IntroInFull:
    with database(request) as db:
        return IntroInFull(**view.one(db, iid))


@router.get("/api/intros", tags=["intros"])
def api_intros(request: Request, all: bool = Query(False, description="Also finished ones.")) -> list[Intro]:
    """Introductions, the longest waiting first: whom each waits on and for how long
    (as `closeknit intro list --json`)."""
    with database(request) as db:
        return [Intro(**r) for r in view.summaries(db, intro_store.intros(db, all))]


@router.get("/api/intros/{iid}", tags=["intros"])
def api_intro(request: Request, iid: IntroId) -> IntroInFull:
    """One introduction: its parties, history and the draft of its next step."""
    return _one(request, iid)


@router.post("/api/intros", tags=["intros"], status_code=201)
def api_request(request: Request, body: IntroIn) -> IntroInFull:
    """Start an introduction: to `target` via a connector you ask, or for a seeker you introduce."""
    return _one(request, _request(request, body.target, body.via, body.for_, body.why))


@router.post("/api/intros/{iid}/{step}", tags=["intros"])
def api_step(request: Request, iid: IntroId, step: StepName, body: StepIn | None = None) -> IntroInFull:
    """Record a step: accept or decline (by a party), done (the introduction was made; the favor goes to the
    ledger), outcome (how it went)."""
    body = body or StepIn(by=None, text=None, value=None)
    _step(request, iid, step, body.by, body.text, body.value)
    return _one(request, iid)


@router.get("/api/match", tags=["intros"])
def api_match(request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Matches:
    """Introductions you could make: one contact's need fits another's offer (as `closeknit match --json`)."""
    with database(request) as db:
        scored_day(db)
        return Matches(**matcher.suggestions(db, limit))


@router.get("/intros", include_in_schema=False)
def intros_page(request: Request, all: bool = False, said: int | None = None) -> Response:
    with database(request) as db:
        rows = view.summaries(db, intro_store.intros(db, all))
        shown = [view.one(db, r["id"]) for r in rows]
    for s in shown:
        s["sentence"], s["status"] = view.sentence(s), view.status(s)
        s["roles"] = [r for r in workflow.ROLES if s[r]["id"] is not None]
    return render(request, "intros.html", {"title": "Introductions", "nav": "/intros", "intros": shown,
                                           "all": all, "said": said, "open": workflow.OPEN})


@router.get("/intros/{iid}.eml", include_in_schema=False)
def intro_eml(request: Request, iid: IntroId) -> Response:
    with database(request) as db:
        found = view.next_draft(db, view.summaries(db, [intro_store.get(db, iid)])[0])
    if found is None:
        raise InputError(f"intro {iid} has no next message to draft")
    return Response(found.eml(), media_type="message/rfc822",
                    headers={"content-disposition": f'attachment; filename="intro-{iid}.eml"'})


@router.post("/intros", include_in_schema=False)
def request_form(
    request: Request,
    target: str = Form(..., max_length=200),
    via: str = Form("", max_length=200),
    for_: str = Form("", alias="for", max_length=200),
    why: str = Form("", max_length=1000),
) -> Response:
    iid = _request(request, target, via.strip(), for_.strip(), why)
    return RedirectResponse(f"/intros?said={iid}#intro-{iid}", status_code=303)


@router.post("/intros/{iid}/{step}", include_in_schema=False)
def step_form(
    request: Request, iid: IntroId, step: StepName,
    by: str = Form("", max_length=20), text: str = Form("", max_length=1000), value: str = Form(""),
) -> Response:
    try:
        amount = float(value) if value.strip() else None
    except ValueError:
        raise InputError("the value is a number") from None
    _step(request, iid, step, by or None, text, amount)
    return RedirectResponse(f"/intros?said={iid}#intro-{iid}", status_code=303)


@router.get("/match", include_in_schema=False)
def match_page(request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    with database(request) as db:
        scored_day(db)
        found = matcher.suggestions(db, limit)
    return render(request, "intros_match.html", {"title": "Introductions you could make", "nav": "/intros",
                                                 "found": found})
