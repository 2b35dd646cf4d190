"""Commands for interactions: the manual log and a person's timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from closeknit.cli.app import JsonOpt, LimitOpt, app, emit_json, listing, message, store
from closeknit.errors import InputError
from closeknit.store import interactions as ix
from closeknit.store import people as people_store


def parse_when(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--when {value!r}: use a date like 2026-11-24 or 2026-11-24T15:30") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@app.command("log")
def log(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    text: Annotated[str, typer.Argument(help="What happened.")],
    channel: Annotated[str, typer.Option(help="call, meeting, coffee, message, email or other.")] = "other",
    when: Annotated[str | None, typer.Option(help="Date or date-time (default now).")] = None,
    direction: Annotated[str, typer.Option(help="out (you reached out), in, or both.")] = "both",
    as_json: JsonOpt = False,
) -> None:
    """Log an interaction by hand (a call, a coffee, a meeting...)."""
    with store() as db:
        pid = people_store.find_person(db, person)
        added = ix.log(db, pid, channel, parse_when(when), direction, text)
    if as_json:
        emit_json({"person": pid, "channel": channel, "added": added})
        return
    message(f"logged {channel} with person {pid}" if added else "already logged; nothing changed")


@app.command("timeline")
def timeline(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One person's interactions, newest first."""
    with store() as db:
        pid = people_store.find_person(db, person)
        rows = ix.timeline(db, pid, limit)
    if as_json:
        emit_json(rows)
        return
    listing(
        ["when", "channel", "direction", "subject", "with"],
        ([(r["when"] or "")[:16].replace("T", " "), r["channel"] + (" (bulk)" if r["bulk"] else ""), r["direction"],
          r["subject"], ", ".join(p["name"] or f"#{p['id']}" for p in r["participants"] if not p["is_me"])]
         for r in rows),
        "interactions",
    )
