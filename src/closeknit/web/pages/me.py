"""Pages and API routes for your own addresses: yours, those that may be yours, and those that are not."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from closeknit.answers import me as answers
from closeknit.web.app import database, render

router = APIRouter()

Address = Annotated[str, Field(min_length=3, max_length=320)]


class Addresses(BaseModel):
    """As `closeknit me list --json` gives them."""

    me: list[str] = Field(description="Your addresses: mail from them is sent by you, mail to them is to you.")
    other_senders: dict[str, int] = Field(description="Other addresses sending from your sent folders (a delegate, "
                                                      "or yours), with their messages.")
    look_alike: dict[str, int] = Field(description="Addresses you write to, or that your mail is addressed to, that "
                                                   "look like yours (a private address, an old one), with the "
                                                   "messages to each.")
    not_me: list[str] = Field(description="Addresses you said are not yours: never inferred or suggested again.")


class AddressesIn(BaseModel):
    addresses: list[Address] = Field(min_length=1, max_length=20)


@router.get("/api/me", tags=["me"])
def api_me(request: Request) -> Addresses:
    """Your addresses, and those that may be yours."""
    with database(request) as db:
        return Addresses(**answers.listing(db))


@router.post("/api/me", tags=["me"])
def api_add(request: Request, body: AddressesIn) -> Addresses:
    """Make addresses yours: their mail becomes yours and they stop being a contact; the scores follow."""
    with database(request) as db:
        answers.add(db, body.addresses)
        return Addresses(**answers.listing(db))


@router.delete("/api/me/{address}", tags=["me"])
def api_remove(request: Request, address: Annotated[str, Path(min_length=3, max_length=320)]) -> Addresses:
    """Say an address is not yours: out of your addresses it is a contact again; a suggestion is dismissed."""
    with database(request) as db:
        answers.remove(db, address)
        return Addresses(**answers.listing(db))


@router.get("/me", include_in_schema=False)
def me_page(request: Request, done: str = "") -> Response:
    with database(request) as db:
        listed = answers.listing(db)
    maybe = sorted([(a, n, "sends from your sent folders") for a, n in listed["other_senders"].items()]
                   + [(a, n, "mail to it; it looks like yours") for a, n in listed["look_alike"].items()],
                   key=lambda row: (-row[1], row[0]))
    return render(request, "me.html", {"title": "Your addresses", "nav": "/me", "data": listed, "maybe": maybe,
                                       "done": {"added": "Added to your addresses; your ties are scored again.",
                                                "removed": "Taken out of your addresses; your ties are scored again.",
                                                "dismissed": "Not yours: it will not be suggested again."}.get(done)})


@router.post("/me/add", include_in_schema=False)
def add_form(request: Request, address: str = Form(..., max_length=320)) -> Response:
    with database(request) as db:
        answers.add(db, [address])
    return RedirectResponse("/me?done=added", status_code=303)


@router.post("/me/remove", include_in_schema=False)
def remove_form(request: Request, address: str = Form(..., max_length=320)) -> Response:
    with database(request) as db:
        _, was_yours = answers.remove(db, address)
    return RedirectResponse(f"/me?done={'removed' if was_yours else 'dismissed'}", status_code=303)
