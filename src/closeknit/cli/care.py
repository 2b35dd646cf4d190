"""Commands for keeping ties alive: cadence, snooze, done, and the weekly plan (nudge)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from closeknit.answers import plan as answers
from closeknit.care import feed
from closeknit.care import plan as care_plan
from closeknit.cli.app import JsonOpt, app, check_choice, emit, emit_json, message, say, store, table
from closeknit.cli.interactions import parse_when
from closeknit.cli.strength import AsOf, ensure_scores, parse_day
from closeknit.durations import span
from closeknit.errors import InputError
from closeknit.report import NO_INTERACTIONS
from closeknit.store import care
from closeknit.store import people as people_store
from closeknit.store import scores as score_store

PersonArg = Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")]


@app.command("cadence")
def cadence(
    person: Annotated[str | None, typer.Argument(help="Id, email, phone, profile URL or name.")] = None,
    every: Annotated[str | None, typer.Argument(help="How often: 10d, 6w, 3m, 1y; off; or default.")] = None,
    tier: Annotated[str | None, typer.Option(help="Set a tier's default instead: --tier close 30d.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """How often to keep in touch: per tier by default, per person when set; no argument lists both."""
    with store() as db:
        if tier is not None:
            check_choice("tier", tier, care.DEFAULT_CADENCE)
            if person is None:
                raise InputError("--tier needs a duration: closeknit cadence --tier close 30d")
            care.set_cadence_default(db, tier, answers.days(person, "cadence"))
        elif person is not None:
            if every is None:
                raise InputError("cadence needs a duration after the person: 6w, off or default")
            pid = people_store.find_person(db, person)
            days = None if every == "default" else 0 if every == "off" else answers.days(every, "cadence")
            care.set_cadence(db, pid, days)
        defaults, overrides = care.cadence_defaults(db), care.overrides(db)
    if as_json:
        emit_json({"tiers": defaults, "people": overrides})
        return
    if tier is not None or person is not None:
        message("cadence saved")
    table(["tier", "keep in touch every"], ([t, span(d)] for t, d in defaults.items()))
    if overrides:
        table(["person", "name", "cadence", "snoozed until"],
              ([o["person"], o["name"], "default" if o["cadence_days"] is None else
                "off" if o["cadence_days"] == 0 else span(o["cadence_days"]), o["snoozed_until"] or ""]
               for o in overrides))


@app.command("snooze")
def snooze(
    person: PersonArg,
    period: Annotated[str, typer.Argument(help="For how long (10d, 2w, 3m), until a day (2027-01-15), or off.")],
    as_json: JsonOpt = False,
) -> None:
    """Leave someone out of the weekly plan for a while (a duration counts from the plan's day)."""
    with store() as db:
        pid = people_store.find_person(db, person)
        until = answers.until(period, answers.scored_day(db))
        care.snooze(db, pid, until)
    if as_json:
        emit_json({"person": pid, "snoozed_until": until})
        return
    message(f"person {pid} snoozed until {until}" if until else f"person {pid} is back in the plan")


@app.command("done")
def done(
    person: PersonArg,
    note: Annotated[str, typer.Argument(help="What you did (optional).")] = "in touch",
    channel: Annotated[str, typer.Option(help="call, meeting, coffee, message, email or other.")] = "message",
    when: Annotated[str | None, typer.Option(help="Date or date-time (default now).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Log that you got in touch: it resets the tie's cadence at once."""
    with store() as db:
        pid = people_store.find_person(db, person)
        said = answers.done(db, pid, channel, parse_when(when), note)
    added = said["added"]
    if as_json:
        emit_json(said)
        return
    message(f"logged: in touch with person {pid} ({channel})" if added else "already logged; nothing changed")


@app.command("nudge")
def nudge(
    budget: Annotated[int, typer.Option(min=1, help="At most this many people this week.")] = 5,
    ics: Annotated[Path | None, typer.Option("--ics", help="Also write the plan to this iCalendar file.")] = None,
    digest: Annotated[bool, typer.Option("--digest", help="Print a weekly summary fit for a mail body.")] = False,
    as_of: AsOf = None,
    as_json: JsonOpt = False,
) -> None:
    """This week's plan: whom to contact, why, and an opener, keeping the most strength for your time.

    The plan is for the day the scores are for (`closeknit score` brings them to today; an archive scored as of a
    past day is planned as of that day), or for --as-of, scoring as of it first."""
    with store() as db:
        ensure_scores(db, as_of)
        today = parse_day(as_of) or answers.scored_day(db)
        plan = care_plan.weekly(db, today, budget)
        nothing = not plan and score_store.data_end(db) is None
    if ics is not None:
        try:
            ics.write_bytes(feed.ics(plan, today))
        except OSError as exc:
            raise InputError(f"{ics}: cannot write ({exc.strerror})") from None
        message(f"wrote {len(plan)} events to {ics}")
    if as_json:
        emit_json(answers.as_dict(plan, today, budget))
        return
    if as_of is None and today != datetime.now(UTC).date():
        message(f"planned as of {today}, the day your scores are for (closeknit score brings them to today)")
    if digest:
        emit([feed.digest(plan, today, budget)])
    elif nothing:
        message(f"nobody to nudge: {NO_INTERACTIONS}")
    elif not plan:
        message("nobody to nudge this week: every tie you keep is in touch, snoozed or off")
    else:
        for i, n in enumerate(plan, 1):
            say(f"{i}. {n.name} (#{n.person}, {n.tier}, strength {n.strength:.0f})")
            for r in n.reasons:
                say(f"   - {r.text}")
            say(f"   opener: {n.opener}")

