"""Pages and API routes for the reciprocity ledger: favors given and received, give first."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from closeknit.answers import ledger as answers
from closeknit.answers.find import existing
from closeknit.answers.plan import scored_day
from closeknit.errors import InputError
from closeknit.pipeline.scoring import rescore
from closeknit.store import favors as favor_store
from closeknit.store import people as people_store
from closeknit.web.app import SQLITE_MAX_INT, RowId, database, render

router = APIRouter()

PersonQuery = Annotated[int | None, Query(ge=1, le=SQLITE_MAX_INT,
                                          description="One person's id (default everyone with a favor).")]


class Balance(BaseModel):
    person: int
    name: str
    gave: int
    got: int
    balance: int = Field(description="Given minus got: below 0, you have received more than you gave.")
    value_gave: float
    value_got: float
    value_balance: float
    last: str
    strength: float | None
    tier: str | None


class Totals(BaseModel):
    gave: int
    got: int
    balance: int
    value_gave: float
    value_got: float
    value_balance: float
    people: int
    owing: int = Field(description="People you have received more from than you gave.")


class FavorRow(BaseModel):
    id: int
    person: int
    name: str
    direction: str
    kind: str
    value: float | None
    on: str
    what: str


class NeedYouCanMeet(BaseModel):
    person: int
    name: str
    need_id: int
    need: str
    offer_id: int
    offer: str
    shared: list[str]
    strength: float | None
    tier: str | None


class Ledger(BaseModel):
    total: Totals
    people: list[Balance]
    give_first: list[Balance]
    needs_you_can_meet: list[NeedYouCanMeet]
    favors: list[FavorRow] | None = Field(None, description="One person's favors, newest first (with ?person=).")


class FavorIn(BaseModel):
    person: RowId
    direction: Literal["give", "got"] = Field(description="give: you did them a favor; got: they did you one.")
    kind: str = Field("other", description=f"One of {', '.join(favor_store.KINDS)}.", max_length=20)
    what: str = Field(min_length=1, max_length=500)
    value: float | None = Field(None, ge=0, description="Its worth, in any unit you keep to.")
    on: date | None = Field(None, description="The day (default: the day your scores are for).")


class FavorRecorded(BaseModel):
    person: int
    direction: str
    kind: str
    added: bool = Field(description="False when the same favor was recorded already.")


def _record(request: Request, pid: int, direction: str, kind: str, what: str, on: date | None,
            value: float | None) -> FavorRecorded:
    if not what.strip():
        raise InputError("say what the favor was")
    with database(request) as db:
        existing(db, pid)
        said = answers.record(db, pid, direction, kind, what, on or scored_day(db), value)
        if said["added"]:
            rescore(db)
    return FavorRecorded(**said)


@router.get("/api/ledger", tags=["ledger"], response_model_exclude_unset=True)
def api_ledger(request: Request, person: PersonQuery = None) -> Ledger:
    """Favors given vs received per person and overall, whom to give first, needs your offers meet
    (as `closeknit ledger --json`)."""
    with database(request) as db:
        if person is not None:
            existing(db, person)
        return Ledger(**answers.ledger(db, person))


@router.post("/api/favors", tags=["ledger"], status_code=201)
def api_favor(request: Request, favor: FavorIn) -> FavorRecorded:
    """Record a favor you gave or got; the tie is scored again."""
    return _record(request, favor.person, favor.direction, favor.kind, favor.what, favor.on, favor.value)


@router.get("/ledger", include_in_schema=False)
def ledger_page(request: Request, person: PersonQuery = None, recorded: int | None = None) -> Response:
    with database(request) as db:
        if person is not None:
            existing(db, person)
        data = answers.ledger(db, person)
        day = scored_day(db)
        name = people_store.names(db, [person]).get(person, "") if person is not None else ""
    return render(request, "ledger.html", {
        "title": "Ledger", "nav": "/ledger", "data": data, "person": person, "name": name, "day": day.isoformat(),
        "kinds": favor_store.KINDS, "recorded": recorded is not None,
    })


@router.post("/ledger/favors", include_in_schema=False)
def favor_form(
    request: Request,
    person: str = Form(..., max_length=200),
    direction: str = Form(...),
    kind: str = Form("other"),
    what: str = Form(..., max_length=500),
    value: str = Form(""),
    on: str = Form(""),
) -> Response:
    with database(request) as db:
        pid = people_store.find_person(db, person)
    try:
        amount = float(value) if value.strip() else None
        day = date.fromisoformat(on) if on.strip() else None
    except ValueError:
        raise InputError("the value is a number and the date a day like 2025-11-24") from None
    _record(request, pid, direction, kind, what, day, amount)
    return RedirectResponse(f"/ledger?person={pid}&recorded=1", status_code=303)
