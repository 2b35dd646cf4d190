"""Pages and API routes for the review queue: possible duplicates side by side, merged or kept apart."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from closeknit.answers import review as answers
from closeknit.store import people as people_store
from closeknit.web.app import database, render, row_id
from closeknit.web.pages.person import Record

router = APIRouter()

SHOWN = 50  # items on the page, best first
ItemId = Annotated[int, row_id("The review item's number.")]


class ReviewItem(BaseModel):
    """An open review item: two people who may be one, each side's identifiers and sources, and why."""

    id: int
    score: float
    reason: str
    person_a: int
    name_a: str
    org_a: str
    title_a: str
    identifiers_a: list[str]
    records_a: list[Record]
    tags_a: list[str]
    strength_a: float | None
    person_b: int
    name_b: str
    org_b: str
    title_b: str
    identifiers_b: list[str]
    records_b: list[Record]
    tags_b: list[str]
    strength_b: float | None


class DecisionIn(BaseModel):
    decision: Literal["merge", "different"]


class DecisionOut(BaseModel):
    """The pair decided; `kept` is the person both now are, after a merge."""

    item: int
    decision: str
    person_a: int
    person_b: int
    kept: int | None


@router.get("/api/review", response_model=list[ReviewItem])
def api_review(request: Request,
               limit: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> list[dict[str, Any]]:
    """The open review items, best first (`closeknit review`)."""
    with database(request) as db:
        return answers.side_by_side(db, limit)


@router.post("/api/review/{item}", response_model=DecisionOut)
def api_decide(request: Request, item: ItemId, body: DecisionIn) -> dict[str, Any]:
    """Merge the pair (the scores are computed again) or keep them apart (`closeknit review --merge/--different`)."""
    with database(request) as db:
        return answers.decide(db, item, body.decision == "merge")


@router.get("/review", include_in_schema=False)
def review_page(
    request: Request,
    merged: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    apart: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    with database(request) as db:
        items = answers.side_by_side(db, SHOWN)
        merged_name = people_store.names(db, [merged]).get(merged) if merged else None
    return render(request, "review.html", {
        "title": "Review", "nav": "/review", "items": items, "shown": SHOWN,
        "merged": merged if merged_name is not None else None, "merged_name": merged_name, "apart": apart,
    })


@router.post("/review/{item}/merge", include_in_schema=False)
def merge_form(request: Request, item: ItemId) -> Response:
    with database(request) as db:
        kept = answers.decide(db, item, True)["kept"]
    return RedirectResponse(f"/review?merged={kept}", status_code=303)


@router.post("/review/{item}/different", include_in_schema=False)
def different_form(request: Request, item: ItemId) -> Response:
    with database(request) as db:
        answers.decide(db, item, False)
    return RedirectResponse(f"/review?apart={item}", status_code=303)
