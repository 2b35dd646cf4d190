"""Pages and API routes for one person: identifiers, sources, timeline, score, notes, tags, merge, split, ignore,
and whom they know."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from closeknit.answers import person as answers
from closeknit.errors import InputError
from closeknit.pipeline import scoring
from closeknit.store import Store
from closeknit.store import interactions as ix
from closeknit.store import people as people_store
from closeknit.web.app import RowId, database, render, row_id

router = APIRouter()

PersonId = Annotated[int, row_id("The person's id.")]
Channel = Literal["call", "meeting", "coffee", "message", "email", "other"]
Direction = Literal["out", "in", "both"]
Rating = Literal["strong", "weak", "favor", "none"]
Short = Annotated[str, Field(max_length=300)]
Day = date  # a field below is named "date"
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)
KNOWN_SHOWN = 20  # the people someone shared the most with, on their "whom they know" page
DONE = {  # what a form did, said on the page it returns to (a fixed text per code: nothing echoed)
    "edited": "Saved.", "unchanged": "Nothing changed.", "tagged": "Tag added.", "untagged": "Tag removed.",
    "noted": "Note added.", "rated": "Rating saved; the scores are updated.",
    "logged": "Interaction logged; the scores are updated.", "duplicate": "Already logged; nothing changed.",
    "merged": "Merged; the scores are updated.",
    "ignored": "Ignored: left out of scores, lists, reports and review; the mail they send counts as bulk.",
    "unignored": "No longer ignored; the scores are updated.",
    "known": "Recorded: warm paths may now go through them.", "unknown": "Forgotten.",
}


class Record(BaseModel):
    """A source record: where part of what is known about the person came from."""

    id: int
    source: str
    file: str
    record: int
    imported_at: str


class Role(BaseModel):
    organization: str
    title: str


class Note(BaseModel):
    text: str
    created_at: str


class Change(BaseModel):
    """A change made by hand, with the value it replaced."""

    field: str
    old: str
    new: str


class Edit(Change):
    """A change made by hand, and when."""

    at: str


class Merge(BaseModel):
    """A person merged into this one: why, the source records they brought (what a split takes back), when."""

    person: int
    why: str
    records: list[int]
    at: str


class LifeEvent(BaseModel):
    """A change seen between two imports of the same file (a new employer, title, address or phone)."""

    kind: str
    old: str | None = None
    new: str | None = None
    seen: str | None = None


class Entry(BaseModel):
    """An offer or a need."""

    id: int
    text: str
    created_at: str


class Factor(BaseModel):
    factor: str
    points: float


class Participant(BaseModel):
    id: int
    name: str
    role: str
    is_me: bool


class Interaction(BaseModel):
    """One interaction on the timeline."""

    when: str | None
    channel: str
    direction: str | None
    subject: str | None
    bulk: str | None
    folder: str | None
    source: str | None
    participants: list[Participant]


class PersonDetail(BaseModel):
    """Everything known about one person, as `closeknit show` and the person page give it, with the score's
    explanation and the newest interactions."""

    id: int
    name: str
    given: str
    family: str
    organization: str
    title: str
    birthday: str
    connected_on: str
    is_me: bool
    rating: str | None
    created_at: str
    emails: list[str]
    phones: list[str]
    profiles: list[str]
    urls: list[str]
    records: list[Record]
    sources: list[str]
    roles: list[Role]
    tags: list[str]
    notes: list[Note]
    strength: float | None
    tier: str | None
    last_contact: str | None
    last_two_way: str | None
    p_contact_90d: float | None
    p_lapse_90d: float | None
    ignored: bool
    edits: list[Edit]
    merges: list[Merge]
    life_events: list[LifeEvent]
    offers: list[Entry]
    needs: list[Entry]
    factors: list[Factor]
    why: list[str]
    likely: list[str]
    scored_as_of: str | None
    timeline: list[Interaction]
    more: bool


class EditIn(BaseModel):
    name: Short | None = None
    organization: Short | None = None
    title: Short | None = None


class EditOut(BaseModel):
    person: int
    changes: list[Change]


class TagsIn(BaseModel):
    add: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default=[], max_length=100)
    remove: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default=[], max_length=100)


class TagsOut(BaseModel):
    person: int
    tags: list[str]


class NoteIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=10_000)]


class NotesOut(BaseModel):
    person: int
    notes: list[Note]


class RatingIn(BaseModel):
    rating: Rating | None = Field(description="strong, weak or favor; none or null clears it.")


class RatingOut(BaseModel):
    person: int
    rating: str | None
    strength: float | None


class InteractionIn(BaseModel):
    channel: Channel = "call"
    direction: Direction = "both"
    date: Day | None = Field(default=None, description="The day (default: the day the scores are for).")
    note: Annotated[str, Field(max_length=2000)] = ""


class InteractionOut(BaseModel):
    person: int
    channel: str
    added: bool
    strength_before: float | None
    strength: float | None


class IgnoreIn(BaseModel):
    ignored: bool = Field(description="true leaves the person out of scores, lists, reports and review; false takes"
                                      " them back.")


class IgnoreOut(BaseModel):
    person: int
    ignored: bool
    changed: bool


class Known(BaseModel):
    """Someone the person knows: recorded by you (`how`, in your words; null when not recorded) or seen with
    them on interactions (`shared` of them, the last on `last`)."""

    id: int
    name: str
    knows: str | None
    shared: int
    last: str


class KnownOut(BaseModel):
    person: int
    knows: list[Known]


class KnowsIn(BaseModel):
    other: RowId
    how: Annotated[str, Field(max_length=300)] = ""
    forget: bool = Field(default=False, description="true removes the recorded relationship.")


class KnowsOut(BaseModel):
    person: int
    other: int
    how: str | None
    added: bool = Field(description="true when the relationship is new (else its text was updated, when given).")
    forgotten: bool


class SplitIn(BaseModel):
    records: list[RowId] = Field(min_length=1, max_length=10_000)


class SplitOut(BaseModel):
    person: int
    new_person: int
    records: list[int]


class MergeIn(BaseModel):
    keep: RowId
    other: RowId


class MergeOut(BaseModel):
    kept: int
    merged: int


def checked_day(day: date | None) -> date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise InputError(f"date {day.isoformat()}: give a day between {EARLIEST.year} and {LATEST.year}")
    return day


def back(pid: int, done: str = "", anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/people/{pid}" + (f"?done={done}" if done else "") + anchor, status_code=303)


def exists(db: Store, pid: int) -> None:
    people_store.person_detail(db, pid)  # NotFoundError (404) for an unknown id


# ---- JSON API ------------------------------------------------------------------------------------------------


@router.get("/api/people/{pid}", response_model=PersonDetail)
def api_person(request: Request, pid: PersonId,
               timeline: Annotated[int, Query(ge=0, le=10_000)] = answers.TIMELINE_SHOWN) -> dict[str, Any]:
    """Everything known about one person, their score explained and their newest `timeline` interactions."""
    with database(request) as db:
        return answers.full(db, pid, timeline)


@router.get("/api/people/{pid}/timeline", response_model=list[Interaction])
def api_timeline(request: Request, pid: PersonId,
                 limit: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> list[dict[str, Any]]:
    """One person's interactions, newest first (`closeknit timeline`)."""
    with database(request) as db:
        exists(db, pid)
        return ix.timeline(db, pid, limit)


@router.patch("/api/people/{pid}", response_model=EditOut)
def api_edit(request: Request, pid: PersonId, body: EditIn) -> dict[str, Any]:
    """Correct a person's name, organisation or title (`closeknit edit`); the old values are kept."""
    changes = {k: v for k, v in body.model_dump().items() if v is not None}
    if not changes:
        raise InputError("nothing to change: give name, organization or title")
    if "name" in changes and not changes["name"].strip():
        raise InputError("a name cannot be blank")
    with database(request) as db:
        return {"person": pid, "changes": people_store.edit(db, pid, changes)}


@router.post("/api/people/{pid}/tags", response_model=TagsOut)
def api_tags(request: Request, pid: PersonId, body: TagsIn) -> dict[str, Any]:
    """Add and remove tags (`closeknit tag`)."""
    with database(request) as db:
        return {"person": pid, "tags": answers.tags(db, pid, body.add, body.remove)}


@router.post("/api/people/{pid}/notes", response_model=NotesOut)
def api_note(request: Request, pid: PersonId, body: NoteIn) -> dict[str, Any]:
    """Add a note (`closeknit note`)."""
    with database(request) as db:
        return {"person": pid, "notes": answers.note(db, pid, body.text)}


@router.post("/api/people/{pid}/rating", response_model=RatingOut)
def api_rate(request: Request, pid: PersonId, body: RatingIn) -> dict[str, Any]:
    """Your own rating of the tie (`closeknit rate`); the scores are computed again."""
    with database(request) as db:
        return answers.rate(db, pid, None if body.rating in (None, "none") else body.rating)


@router.post("/api/people/{pid}/interactions", response_model=InteractionOut)
def api_log(request: Request, pid: PersonId, body: InteractionIn) -> dict[str, Any]:
    """Log a call, a meeting, a coffee... (`closeknit log`); the scores are computed again."""
    with database(request) as db:
        return answers.log(db, pid, body.channel, checked_day(body.date), body.direction, body.note)


@router.post("/api/people/{pid}/ignore", response_model=IgnoreOut)
def api_ignore(request: Request, pid: PersonId, body: IgnoreIn) -> dict[str, Any]:
    """Ignore a person or stop ignoring them (`closeknit ignore PERSON`); the scores are computed again."""
    with database(request) as db:
        return answers.ignore(db, pid, body.ignored)


@router.get("/api/people/{pid}/knows", response_model=KnownOut)
def api_knows(request: Request, pid: PersonId, limit: Annotated[int, Query(ge=1, le=500)] = KNOWN_SHOWN
              ) -> dict[str, Any]:
    """Whom the person knows: every relationship recorded, then the `limit` people they shared the most
    interactions with (`closeknit knows PERSON`)."""
    with database(request) as db:
        exists(db, pid)
        return {"person": pid, "knows": answers.knows(db, pid, limit)}


@router.post("/api/people/{pid}/knows", response_model=KnowsOut)
def api_record_knows(request: Request, pid: PersonId, body: KnowsIn) -> dict[str, Any]:
    """Record that the person knows `other`, how, in your words, or forget it (`closeknit knows A B`)."""
    with database(request) as db:
        return answers.record_knows(db, pid, body.other, body.how, body.forget)


@router.post("/api/people/{pid}/split", response_model=SplitOut)
def api_split(request: Request, pid: PersonId, body: SplitIn) -> dict[str, Any]:
    """Move source records to a new person (`closeknit split`); the scores are computed again."""
    with database(request) as db:
        exists(db, pid)
        return answers.split(db, pid, body.records)


@router.post("/api/merge", response_model=MergeOut)
def api_merge(request: Request, body: MergeIn) -> dict[str, Any]:
    """Merge `other` into `keep` (`closeknit merge`; undo with split); the scores are computed again."""
    with database(request) as db:
        return answers.merge(db, body.keep, body.other)


# ---- the page and its forms ----------------------------------------------------------------------------------


@router.get("/people/{pid}", include_in_schema=False)
def person_page(
    request: Request, pid: PersonId,
    shown: Annotated[int, Query(ge=1, le=100_000)] = answers.TIMELINE_SHOWN,
    done: Annotated[str, Query(max_length=20)] = "",
    split: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    with database(request) as db:
        person = answers.full(db, pid, shown)
        today = scoring.scores_day(db)
        new_person = people_store.names(db, [split]).get(split) if split else None
    for item in person["timeline"]:  # who else took part, each once
        item["others"] = {p["id"]: p["name"] for p in item["participants"] if not p["is_me"] and p["id"] != pid}
    return render(request, "person.html", {
        "title": person["name"] or f"Person {pid}", "nav": "/people", "p": person,
        "status": DONE.get(done), "split": split if new_person is not None else None, "new_name": new_person,
        "today": today.isoformat(), "channels": ix.CHANNELS, "shown": shown,
        "directions": {"both": "both ways", "out": "you reached out", "in": "they reached out"},
        "ratings": {"none": "no rating", "strong": "strong", "weak": "weak", "favor": "could ask a favor"},
    })


@router.post("/people/{pid}/edit", include_in_schema=False)
def edit_form(request: Request, pid: PersonId, name: Annotated[str, Form(max_length=300)] = "",
              organization: Annotated[str, Form(max_length=300)] = "",
              title: Annotated[str, Form(max_length=300)] = "") -> Response:
    changes = {"organization": organization, "title": title}
    if name.strip():  # a name is never blanked from the form
        changes["name"] = name
    with database(request) as db:
        made = people_store.edit(db, pid, changes)
    return back(pid, "edited" if made else "unchanged")


@router.post("/people/{pid}/tags", include_in_schema=False)
def tag_form(request: Request, pid: PersonId, tag: Annotated[str, Form(max_length=100)] = "",
             remove: Annotated[bool, Form()] = False) -> Response:
    with database(request) as db:
        answers.tags(db, pid, [] if remove else [tag], [tag] if remove else [])
    return back(pid, "untagged" if remove else "tagged", "#tags")


@router.post("/people/{pid}/notes", include_in_schema=False)
def note_form(request: Request, pid: PersonId, text: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    with database(request) as db:
        answers.note(db, pid, text)
    return back(pid, "noted", "#notes")


@router.post("/people/{pid}/rating", include_in_schema=False)
def rate_form(request: Request, pid: PersonId, rating: Annotated[Rating, Form()]) -> Response:
    with database(request) as db:
        answers.rate(db, pid, None if rating == "none" else rating)
    return back(pid, "rated")


@router.post("/people/{pid}/interactions", include_in_schema=False)
def log_form(request: Request, pid: PersonId, channel: Annotated[Channel, Form()],
             direction: Annotated[Direction, Form()] = "both", day: Annotated[str, Form(max_length=40)] = "",
             note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        when = date.fromisoformat(day) if day.strip() else None
    except ValueError:
        raise InputError(f"date {day!r}: use a day like 2025-11-30") from None
    with database(request) as db:
        added = answers.log(db, pid, channel, checked_day(when), direction, note)["added"]
    return back(pid, "logged" if added else "duplicate")


@router.post("/people/{pid}/ignore", include_in_schema=False)
def ignore_form(request: Request, pid: PersonId, ignored: Annotated[bool, Form()]) -> Response:
    with database(request) as db:
        answers.ignore(db, pid, ignored)
    return back(pid, "ignored" if ignored else "unignored")


@router.get("/people/{pid}/knows", include_in_schema=False)
def knows_page(request: Request, pid: PersonId, done: Annotated[str, Query(max_length=20)] = "") -> Response:
    with database(request) as db:
        person = answers.view(db, pid)
        known = [] if person["is_me"] else answers.knows(db, pid, KNOWN_SHOWN)
    return render(request, "knows.html", {
        "title": f"Whom {person['name'] or f'person {pid}'} knows", "nav": "/people", "p": person, "known": known,
        "status": DONE.get(done),
    })


@router.post("/people/{pid}/knows", include_in_schema=False)
def knows_form(request: Request, pid: PersonId, other: Annotated[RowId, Form()],
               how: Annotated[str, Form(max_length=300)] = "", forget: Annotated[bool, Form()] = False) -> Response:
    with database(request) as db:
        answers.record_knows(db, pid, other, how, forget)
    return RedirectResponse(f"/people/{pid}/knows?done={'unknown' if forget else 'known'}", status_code=303)


@router.post("/people/{pid}/split", include_in_schema=False)
def split_form(request: Request, pid: PersonId,
               records: Annotated[list[RowId], Form()] = []) -> Response:  # noqa: B006
    if not records:
        raise InputError("choose at least one source record to split off")
    with database(request) as db:
        exists(db, pid)
        new = answers.split(db, pid, records)["new_person"]
    return RedirectResponse(f"/people/{pid}?split={new}", status_code=303)


@router.post("/people/{pid}/merge", include_in_schema=False)
def merge_form(request: Request, pid: PersonId,
               other: Annotated[RowId, Form()]) -> Response:
    with database(request) as db:
        answers.merge(db, pid, other)
    return back(pid, "merged")
