"""Commands for introductions: intro request, accept, decline, done, outcome, list and show."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit.answers import intros as answers
from closeknit.cli.app import JsonOpt, app, check_choice, emit_json, message, say, store, table
from closeknit.cli.search import said_how
from closeknit.errors import InputError
from closeknit.intros import drafts, view, workflow
from closeknit.intros import match as matcher
from closeknit.store import intros as intro_store
from closeknit.store.base import Base

intro_app = typer.Typer(help="Introductions, double opt-in: ask a connector for one, or make one between two"
                             " contacts; drafted messages for each step, never sent.", no_args_is_help=True)
app.add_typer(intro_app, name="intro")

IdArg = Annotated[int, typer.Argument(help="The intro's id (see closeknit intro list).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who: connector, seeker or target (default: the one it"
                                                        " waits on).")]
EmlOpt = Annotated[Path | None, typer.Option("--eml", help="Folder for the .eml draft (default: drafts/ beside the"
                                                           " database).", show_default=False)]


def _report(db: Base, iid: int, eml: Path | None, as_json: bool, said: str | None = None,
            history: bool = False) -> None:
    """Intro `iid` as it now stands, with the draft of its next step (also written as an .eml file)."""
    shown = view.one(db, iid)
    path = None
    found = view.next_draft(db, shown)
    if found is not None:
        folder = eml if eml is not None else db.path.parent / "drafts"
        try:
            path = drafts.write_eml(found, folder, f"intro-{iid}-{shown['state']}")
        except InputError as exc:  # the step is recorded; the text and the link still show the draft
            message(f"warning: {exc}")
    shown["eml"] = str(path) if path else None
    if as_json:
        emit_json(shown)
        return
    if said:
        message(said)
    say(f"intro {iid}: {view.sentence(shown)}" + (f" — {shown['why']}" if shown["why"] else ""))
    say(f"  {view.status(shown)}")
    if history:
        for e in shown["history"]:
            say(f"  {e['at'][:16].replace('T', ' ')}  {e['state'].replace('_', ' ')} ({e['by']})"
                + (f": {e['note']}" if e["note"] else ""))
    _say_draft(shown["draft"], path)


def _say_draft(found: dict[str, Any] | None, path: Path | None) -> None:
    if found is None:
        return
    to = ", ".join(f"{p['name']} <{p['email']}>" if p["email"] else p["name"] for p in found["to"])
    say(f"\nnext: {found['step']} (a draft; Closeknit sends nothing)")
    say(f"To: {to}")
    say(f"Subject: {found['subject']}\n")
    say(found["body"])
    for line in drafts.without_address(found):
        message(line)
    say(f"mailto: {found['mailto']}")
    if path is not None:
        say(f"draft: {path}")


@intro_app.command("request")
def request(
    target: Annotated[str, typer.Argument(help="Whom to meet (or to introduce --for someone): id, email, name.")],
    via: Annotated[str | None, typer.Option("--via", help="The connector you ask to introduce you.")] = None,
    for_: Annotated[str | None, typer.Option("--for", help="The seeker you introduce (you are the connector).")]
    = None,
    why: Annotated[str, typer.Option("--why", help="Why the two should talk (goes into the drafts).")] = "",
    eml: EmlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start an introduction: to TARGET via a connector you ask, or for a SEEKER you introduce yourself."""
    with store() as db:
        iid = answers.request(db, target, via, for_, why)
        _report(db, iid, eml, as_json, f"recorded: intro {iid}")


@intro_app.command("accept")
def accept(iid: IdArg, by: ByOpt = None, eml: EmlOpt = None, as_json: JsonOpt = False) -> None:
    """Record that a party agreed (the connector, the seeker or the target)."""
    check_choice("--by", by, workflow.ROLES)
    with store() as db:
        said = answers.accept(db, iid, by)
        _report(db, iid, eml, as_json, said)


@intro_app.command("decline")
def decline(iid: IdArg, by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Record that a party declined; the intro is closed."""
    check_choice("--by", by, workflow.ROLES)
    with store() as db:
        said = answers.decline(db, iid, by)
        _report(db, iid, None, as_json, said)


@intro_app.command("done")
def done(iid: IdArg, eml: EmlOpt = None, as_json: JsonOpt = False) -> None:
    """Record that the introduction was made; the favor goes to the ledger (once)."""
    with store() as db:
        said = answers.done(db, iid, datetime.now(UTC).date())
        _report(db, iid, eml, as_json, said)


@intro_app.command("outcome")
def outcome(
    iid: IdArg,
    text: Annotated[str, typer.Argument(help="How it went.")],
    value: Annotated[float | None, typer.Option("--value", help="Its worth, in any unit you keep to; the ledger's"
                                                                " favor takes it.")] = None,
    eml: EmlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record how an introduction went (again to correct it)."""
    with store() as db:
        said = answers.outcome(db, iid, text, value)
        _report(db, iid, eml, as_json, said)


@intro_app.command("list")
def list_intros(
    everything: Annotated[bool, typer.Option("--all", help="Also the finished ones (declined, outcome recorded).")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Introductions under way, the longest waiting first: whom each waits on, and for how long."""
    with store() as db:
        rows = view.summaries(db, intro_store.intros(db, everything))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        message("no introductions under way: closeknit intro request TARGET --via CONNECTOR (or --for SEEKER)"
                if not everything else "no introductions yet")
        return
    table(["id", "intro", "state", "waits on", "days"],
          ([r["id"], view.sentence(r), r["state"].replace("_", " "),
            "" if r["waiting_on"] is None else
            ("you" if r["waiting_on"]["role"] == workflow.YOU else f"{r['waiting_on']['role']}: "
             f"{r['waiting_on']['name']}") + f" {r['waiting_on']['what']}", r["days"]] for r in rows))


@intro_app.command("show")
def show(iid: IdArg, eml: EmlOpt = None, as_json: JsonOpt = False) -> None:
    """One introduction: its parties, history and the draft of its next step."""
    with store() as db:
        _report(db, iid, eml, as_json, history=True)


@app.command("match")
def match(
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Introductions you could make: one contact's need fits another's offer, title or organisation, ranked by
    the fit and your tie to both, each saying why, with a drafted opt-in message."""
    from closeknit.cli.strength import ensure_scores

    with store() as db:
        ensure_scores(db, None)
        found = matcher.suggestions(db, limit)
    if as_json:
        emit_json(found)
        return
    said_how(found)
    rows = found["suggestions"]
    if not rows:
        message("no matches: record what people need and offer (closeknit need PERSON \"…\", closeknit offer …)")
        return
    for i, s in enumerate(rows, 1):
        say(f"{i}. {s['seeker_name']} ↔ {s['target_name']}  (fit {s['fit']:.2f}, tie {s['tie']:.2f},"
            f" score {s['score']:.2f})")
        for w in s["why"]:
            say(f"   {w['field']}: {w['text']}" + (f"  [{', '.join(w['matched'])}]" if w["matched"] else ""))
        say(f"   start it: {s['command']}")
        say("   " + s["draft"]["body"].replace("\n", "\n   ").rstrip())
        say(f"   mailto: {s['draft']['mailto']}\n")
    more = found["total"] - len(rows)
    message(f"{found['total']:,} possible introduction{'' if found['total'] == 1 else 's'}"
            + (f"; the best {len(rows):,} shown (--limit for more)" if more > 0 else ""))
