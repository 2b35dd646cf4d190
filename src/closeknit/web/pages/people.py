"""Pages and API routes for the people list: search, filters, sort, pages."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from closeknit import sources
from closeknit.store import Store
from closeknit.store import people as people_store
from closeknit.strength.tiers import TIERS
from closeknit.web.app import Memo, database, memo, render

router = APIRouter()

PER_PAGE = 50
Sort = Literal["strength", "contact", "name", "org", "connected", "id"]
SORT_LABELS = {"strength": "Strength (strongest first)", "contact": "Last contact (latest first)",
               "name": "Name", "org": "Organisation", "connected": "Connected on (latest first)", "id": "Id"}
Text = Annotated[str | None, Query(max_length=200)]
Tier = Annotated[Literal["inner", "close", "favor", "active", "dormant", "collected"] | None, Query()]


class PersonRow(BaseModel):
    """One person in the list."""

    id: int
    name: str
    organization: str
    title: str
    connected_on: str
    emails: list[str]
    phones: list[str]
    sources: list[str]
    tags: list[str]
    strength: float | None
    tier: str | None
    last_contact: str | None
    p_contact_90d: float | None
    p_lapse_90d: float | None


class PeoplePage(BaseModel):
    """A page of the people list: the filters applied, how many match, and this page's people."""

    total: int
    page: int
    pages: int
    per_page: int
    people: list[PersonRow]


def listing(db: Store, memo: Memo, q: str | None, tier: str | None, tag: str | None, org: str | None,
            source: str | None, sort: str, page: int, per_page: int) -> dict[str, Any]:
    """The people matching the filters, one page of them (the same for the page and the API). The sorted ids
    are kept until the database changes, so paging through 20,000 people reads one page's rows at a time."""
    filters: dict[str, Any] = {"name": (q or "").strip() or None, "org": (org or "").strip() or None,
               "tag": (tag or "").strip() or None, "source": source or None, "tier": tier}
    ids = memo.get(("people", sort, *sorted(filters.items())),
                   lambda: people_store.people_ids(db, sort=sort, **filters))
    pages = max(1, math.ceil(len(ids) / per_page))
    start = (page - 1) * per_page
    rows = people_store.listed(db, ids[start:start + per_page])
    return {"total": len(ids), "page": page, "pages": pages, "per_page": per_page, "people": rows}


def known_sources(db: Store) -> list[str]:
    return sorted({*sources.kinds(), *people_store.sources(db)})


@router.get("/api/people", response_model=PeoplePage)
def api_people(
    request: Request,
    q: Text = None,
    tier: Tier = None,
    tag: Text = None,
    org: Text = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    sort: Sort = "strength",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
) -> dict[str, Any]:
    """People, filtered (name contains `q`, tier, tag, organisation contains, source), sorted and paged."""
    with database(request) as db:
        return listing(db, memo(request), q, tier, tag, org, source, sort, page, per_page)


def page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers to link: the first, the last and those near this one (None for a gap)."""
    near = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in near:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


@router.get("/people", include_in_schema=False)
def people_page(
    request: Request,
    q: Text = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    tag: Text = None,
    org: Text = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    sort: Annotated[str, Query(max_length=20)] = "strength",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    tier = tier if tier in TIERS else None  # the form's "any" is an empty value
    sort = sort if sort in SORT_LABELS else "strength"
    with database(request) as db:
        found = listing(db, memo(request), q, tier, tag, org, source or None, sort, page, PER_PAGE)
        choices = known_sources(db)
    kept = {k: v for k, v in (("q", q), ("tier", tier), ("tag", tag), ("org", org), ("source", source),
                              ("sort", sort)) if v}
    return render(request, "people.html", {
        "title": "People", "nav": "/people", **found, "q": q or "", "tier": tier or "", "tag": tag or "",
        "org": org or "", "source": source or "", "sort": sort, "tiers": TIERS, "sources": choices,
        "sorts": SORT_LABELS, "links": page_links(found["page"], found["pages"]),
        "query": lambda n: "/people?" + urlencode({**kept, "page": n}),
        "first": (found["page"] - 1) * PER_PAGE + 1,
    })
