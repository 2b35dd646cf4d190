"""Pages and API routes for who can do X: capability search and warm paths."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from closeknit.answers import find as answers
from closeknit.answers.plan import scored_day
from closeknit.intros import graph as paths
from closeknit.search import find as search
from closeknit.store import intros as intro_store
from closeknit.web.app import database, render, row_id

router = APIRouter()

Words = Annotated[str, Query(min_length=1, max_length=500, description='Words: lidar perception, "a phrase", eng*,'
                                                                       " title:cto, -word, OR.")]
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many.")]
PersonId = Annotated[int, row_id("The person to reach.")]
PathLimit = Annotated[int, Query(ge=1, le=20, description="At most this many paths.")]


class Why(BaseModel):
    field: str = Field(description="The field that matched: offer, title, organization, note…")
    snippet: str
    matched: list[str] = Field(description="The words that matched, as they appear in the snippet.")
    on: str | None = None
    interactions: int | None = None


class Found(BaseModel):
    id: int
    name: str
    organization: str
    title: str
    strength: float | None
    tier: str | None
    score: float
    relevance: float
    why: list[Why]


class FindResult(BaseModel):
    query: str
    terms: list[str]
    ignored: list[str] = Field(description="Common words of the query left out (who, in, with…).")
    every_word: bool = Field(description="False when no one matched every word and the results match some.")
    mode: str
    semantic: bool
    note: str
    subjects: bool
    subjects_might_help: bool = Field(description="True when subjects were not searched, no one matched every word "
                                                  "(or no one at all) and past interactions have subjects.")
    stale: bool
    total: int
    results: list[Found]


class PathPerson(BaseModel):
    id: int
    name: str


class Step(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int | None = Field(alias="from", description="None: you.")
    to: int
    strength: float
    evidence: list[dict[str, Any]]
    text: str = Field(description="The hop in words: strong, warm or weak, and why.")


class WarmPath(BaseModel):
    target: int
    cost: float
    hops: int
    warm: bool = Field(description="Every hop is at least warm.")
    weak_hop: int | None = Field(description="The index of the first weak hop.")
    why_not_warm: str | None = None
    people: list[PathPerson]
    steps: list[Step]
    text: str


class Target(BaseModel):
    kind: str
    ref: str
    people: list[int]
    organization: str | None = None


class Routes(BaseModel):
    target: Target
    as_of: str
    stale: bool
    paths: list[WarmPath]


def _find(request: Request, q: str, limit: int, subjects: bool) -> dict[str, Any]:
    with database(request) as db:
        scored_day(db)
        return search.find(db, q, limit=limit, subjects=subjects)


def _routes(request: Request, pid: int, limit: int) -> answers.Routes:
    with database(request) as db:
        answers.existing(db, pid)
        scored_day(db)
        return answers.routes(db, str(pid), limit)


@router.get("/api/find", tags=["find"], response_model_exclude_unset=True)
def api_find(request: Request, q: Words, limit: Limit = 20, subjects: bool = False) -> FindResult:
    """Who can do X: people whose name, title, organisation, tags, notes, offers or needs match, ranked by
    relevance and tie strength, each saying why (as `closeknit find --json`)."""
    return FindResult(**_find(request, q, limit, subjects))


@router.get("/api/paths/{pid}", tags=["find"], response_model_exclude_unset=True)
def api_paths(request: Request, pid: PersonId, limit: PathLimit = 3) -> Routes:
    """The best ways to reach someone: paths of at most three hops, each hop explained, warm when every hop is
    strong enough (as `closeknit path PID --json`)."""
    return Routes(**_routes(request, pid, limit).as_dict())


@router.get("/find", include_in_schema=False)
def find_page(request: Request, q: Annotated[str, Query(max_length=500)] = "", limit: Limit = 20,
              subjects: bool = False) -> Response:
    found = _find(request, q, limit, subjects) if q.strip() else None
    return render(request, "find.html", {"title": f"Find: {q}" if q.strip() else "Find", "nav": "/find",
                                         "q": q, "subjects": subjects, "found": found, "marked": answers.marked,
                                         "how_matched": search.how_matched})


@router.get("/path/{pid}", include_in_schema=False)
def path_page(request: Request, pid: PersonId, limit: PathLimit = 3) -> Response:
    found = _routes(request, pid, limit)
    with database(request) as db:  # the introductions already asked for: one per connector at a time
        asked = {i["connector_id"]: i["id"] for i in intro_store.intros(db, False)
                 if i["target_id"] == pid and i["seeker_id"] is None}
    name = found.names.get(pid) or f"person {pid}"
    return render(request, "path.html", {"title": f"Paths to {name}", "nav": "/find", "found": found,
                                         "pid": pid, "name": name, "strength_of": paths.strength_of,
                                         "two_places": paths.two_places,
                                         "asked": asked})
