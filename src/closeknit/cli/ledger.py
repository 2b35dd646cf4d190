"""Commands for reciprocity: record favors given and received, and read the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from closeknit.answers import ledger as answers
from closeknit.cli.app import JsonOpt, app, emit_json, message, say, store, table
from closeknit.errors import InputError
from closeknit.store import favors as favor_store
from closeknit.store import people as people_store


def _day(value: str | None) -> date:
    if not value:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--when {value!r}: use a date like 2026-11-24") from None


@app.command("favor")
def favor(
    direction: Annotated[str, typer.Argument(help="give (you did them a favor) or got (they did you one).")],
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    what: Annotated[str, typer.Argument(help="What the favor was.")],
    kind: Annotated[str, typer.Option(help=f"{', '.join(favor_store.KINDS)}.")] = "other",
    value: Annotated[float | None, typer.Option(help="Its worth, in any unit you keep to (optional).")] = None,
    when: Annotated[str | None, typer.Option(help="The day (default today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a favor you gave or got: it feeds the ledger and the balance of the tie."""
    answers.direction(direction)
    with store() as db:
        pid = people_store.find_person(db, person)
        said = answers.record(db, pid, direction, kind, what, _day(when), value)
        name = people_store.names(db, [pid]).get(pid, "")
    if as_json:
        emit_json(said)
        return
    what_said = f"you {said['direction']} a favor ({kind})"
    message(f"recorded: {what_said} — {name or f'person {pid}'}" if said["added"]
            else "already recorded; nothing changed")


@app.command("ledger")
def ledger(
    person: Annotated[str | None, typer.Argument(help="One person (default everyone with a favor).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Favors given vs received, the balance per person and overall, and whom to give first (owed favors,
    and needs one of your offers meets)."""
    with store() as db:
        pid = people_store.find_person(db, person) if person else None
        data = answers.ledger(db, pid)
    rows, total, first, meet = data["people"], data["total"], data["give_first"], data["needs_you_can_meet"]
    history = data.get("favors", [])
    if as_json:
        emit_json(data)
        return
    if not rows:
        message("no favors recorded yet: closeknit favor give|got PERSON \"what\"")
        _say_needs(meet)
        return
    if pid is not None:
        table(["on", "", "kind", "value", "what"],
              ([f["on"], "you gave" if f["direction"] == "gave" else "you got", f["kind"], _amount(f["value"]),
                f["what"]] for f in history))
    else:
        table(["person", "name", "gave", "got", "balance", "value gave", "value got", "last", "tier"],
              ([r["person"], r["name"], r["gave"], r["got"], f"{r['balance']:+d}", _amount(r["value_gave"]),
                _amount(r["value_got"]), r["last"], r["tier"] or ""] for r in rows))
    say(f"overall: you gave {total['gave']} and got {total['got']} favors (balance {total['balance']:+d})"
        + (f"; value {_amount(total['value_gave'])} given, {_amount(total['value_got'])} received"
           if total["value_gave"] or total["value_got"] else ""))
    if first:
        say("give first: " + ", ".join(f"{_who(r)} ({r['balance']:+d})" for r in first))
    _say_needs(meet)


def _say_needs(meet: list[dict[str, Any]]) -> None:
    """People whose need one of the user's offers meets: a favor the user could give first."""
    for m in meet:
        say(f"give first: {_who(m)} — they need \"{m['need']}\"; you offer \"{m['offer']}\"")


def _who(row: dict[str, Any]) -> str:
    return str(row["name"] or f"person {row['person']}")


def _amount(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")
