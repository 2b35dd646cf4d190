"""Commands for "me", the user's own addresses: me list, me add, me remove."""

from __future__ import annotations

from typing import Annotated

import typer

from closeknit.answers import me as answers
from closeknit.cli.app import JsonOpt, app, emit_json, message, store, table

me_app = typer.Typer(help="Your own addresses: what makes a message yours (sent) or to you (received).",
                     no_args_is_help=True)
app.add_typer(me_app, name="me")


@me_app.command("list")
def list_me(as_json: JsonOpt = False) -> None:
    """Your addresses, any other address sending from your sent folders (a delegate, or yours), and addresses you
    write to, or that your mail is addressed to, that look like yours (a private address, an old one)."""
    with store() as db:
        listed = answers.listing(db)
    if as_json:
        emit_json(listed)
        return
    mine, others, alike, not_me = (listed[k] for k in ("me", "other_senders", "look_alike", "not_me"))
    rows = [["me", a, ""] for a in mine]
    rows += [["sends from your sent folders", a, f"{n:,} message{'' if n == 1 else 's'}"]
             for a, n in sorted(others.items(), key=lambda kv: -kv[1])]
    rows += [["looks like yours", a, f"{n:,} message{'' if n == 1 else 's'} to it"]
             for a, n in sorted(alike.items(), key=lambda kv: -kv[1])]
    rows += [["not me", a, ""] for a in not_me]
    table(["", "address", ""], rows)
    if not mine:
        message("no address is you yet: closeknit me add ADDRESS")
    elif others or alike:
        message("if one of these is yours: closeknit me add ADDRESS (or closeknit me remove ADDRESS if not)")


@me_app.command("add")
def add(addresses: Annotated[list[str], typer.Argument(help="Your email addresses.")]) -> None:
    """Add addresses of yours: their mail becomes yours, and they stop being a contact (scores follow)."""
    with store() as db:
        mine = answers.add(db, addresses)
    message(f"me: {', '.join(mine)}")


@me_app.command("remove")
def remove(address: Annotated[str, typer.Argument(help="An address that is not yours.")]) -> None:
    """Say an address is not yours: out of "me" it becomes a contact again; it is never inferred or suggested as you."""
    with store() as db:
        mine, was_mine = answers.remove(db, address)
    if not was_mine:
        message(f"{address.strip().lower()} is not yours: it is no longer suggested")
    message(f"me: {', '.join(mine) or '(no address)'}")
