"""The demo command: invent a realistic network, write it in real export formats, import it end to end."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from closeknit.cli.app import ENV, JsonOpt, app, emit_json, message, out, say, table
from closeknit.config import ENV_DB, default_db_path, resolve_db_path
from closeknit.demo.files import EARLIER_LINKEDIN
from closeknit.errors import InputError
from closeknit.store import Store

DEMO_DB = "demo.db"
DEMO_FILES = "demo-files"
SHOWN_FADING = 8


def demo_database(ctx: typer.Context) -> tuple[Path, bool]:
    """The database to use and whether it is the separate demo one (neither --db nor $CLOSEKNIT_DB given)."""
    given = ctx.find_root().params.get("db")
    if given or os.environ.get(ENV_DB):
        return ENV.db_path or resolve_db_path(given), False
    return default_db_path().with_name(DEMO_DB), True


@app.command()
def demo(
    ctx: typer.Context,
    people: Annotated[int, typer.Option("--people", min=20, help="How many contacts to invent.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same network.")] = 7,
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help=f"Where to write the files (default: {DEMO_FILES} beside the database).",
                     show_default=False),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Reference date YYYY-MM-DD (default: the last run's in that folder, else today).",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Invent a realistic professional network, write it as real export files, import them, show the result.

    Without --db (or $CLOSEKNIT_DB) the demo uses its own database, so it never mixes with your data.
    Re-running it rewrites the same files and the imports change nothing.
    """
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise InputError(f"--today {today!r}: use the form YYYY-MM-DD") from None
    from closeknit.demo import run_demo  # charts and the generator: loaded only when needed

    db_path, separate = demo_database(ctx)
    target = folder or db_path.parent / DEMO_FILES
    ENV.on_interrupt = "the files written and records imported so far are kept; run the demo again to finish"
    with Store(db_path) as db:
        result = run_demo(db, target, people=people, seed=seed, today=day, progress=message)
    result["separate_database"] = separate
    if as_json:
        emit_json(result)
        return
    _render(result, separate)


def _render(r: dict[str, Any], separate: bool) -> None:
    truth = r["truth"]
    src, mail, cal, li = truth["sources"], truth["mail"], truth["calendar"], truth["linkedin"]
    out.print(f"Demo network: {r['people_generated']:,} invented people (seed {r['seed']}, reference date "
              f"{r['today']}); you are {escape(truth['me']['name'])} <{escape(truth['me']['email'])}>")
    note = " (a separate demo database: your own data is untouched)" if separate else ""
    out.print(f"Database: {escape(r['database'])}{note}")
    out.print(f"Files written to {escape(r['folder'])}:")
    table(["file", "what"], [
        ["linkedin/Connections.csv", f"{li['connections']:,} connections; Invitations.csv {li['invitations']:,}, "
                                     f"messages.csv {li['messages']:,} messages"],
        *([[f"{EARLIER_LINKEDIN}/Connections.csv",
            f"{src['earlier_linkedin']:,} connections in an export of {move['earlier_export']}, imported first"]]
          if (move := truth.get("life_event")) and src.get("earlier_linkedin") else []),
        ["contacts.vcf", f"{src['vcard']:,} cards (iPhone 3.0, Android 2.1 quoted-printable, Outlook)"],
        ["google_contacts.csv", f"{src['google'] + src['near_duplicates']:,} rows "
                                f"({src['near_duplicates']} near-duplicates typed by hand)"],
        ["mail/*.mbox", f"{mail['sent']:,} sent, {mail['inbox']:,} received, {mail['lists']:,} newsletters and "
                        "notifications"],
        ["calendar.ics", f"{cal['events']:,} events: 1:1s, a weekly team meeting, a "
                         f"{cal['all_hands_attendees']}-person all-hands, {cal['declined']} declined, "
                         f"{cal['cancelled']} cancelled"],
    ])
    out.print("Imported through the real importers:")
    width = max(len(i["label"]) for i in r["imports"])
    for i in r["imports"]:
        out.print(f"  {escape(i['label']).ljust(width)}  {escape(i['summary'])}")
    table(["found", ""], [
        ["people", f"{r['people']:,}"],
        ["merged across sources (2+ sources)", f"{r['merged']:,}"],
        ["in LinkedIn, vCard and Google CSV", f"{r['all_contact_sources']:,}"],
        ["possible duplicates to review", f"{r['review']:,}"],
        ["interactions", f"{r['interactions']:,}"],
        ["skipped records", f"{r['skipped']:,}"],
    ])
    tiers = " · ".join(f"{t} {n:,}" for t, n in truth["tiers"].items())
    out.print(f"Hidden truth (what a good strength model should find): {tiers}; {truth['lapsed']} ties lapsed "
              "a year ago")
    fading = truth["fading"]
    if fading:
        say(f"  {len(fading)} fading tie{'s' if len(fading) > 1 else ''} (in touch every week or two, silent for "
            "2-4 months): "
            + ", ".join(str(f["name"]) for f in fading))
    move = truth.get("life_event")
    if move:
        say(f"  a life event: {move['name']} was {move['old_title']} at {move['old_company']} in the LinkedIn "
            f"export of {move['earlier_export']}, and is {move['title']} at {move['company']} now")
    out.print("")
    for line in r["report"]:
        say(line)
    for line in care_lines(r):
        say(line)
    for line in payoff_lines(r):
        say(line)
    out.print(f"\nHTML report with charts: {escape(r['report_html'])}")
    out.print("Try next:")
    for line in r["next"]:
        out.print(f"  {escape(line)}")


def care_lines(r: dict[str, Any]) -> list[str]:
    """This week's plan, the life events and the ledger, as the demo prints them after the report."""
    plan, ledger = r["plan"], r["ledger"]
    fading = plan["fading"]
    lines = ["", f"This week's plan as of {plan['as_of']} (the first {plan['budget']} of {plan['with_reason']} "
                 f"people with a reason to get in touch; {len(fading)} ties are silent past their keep-in-touch"
                 " time and likely to lapse):"]
    for k, n in enumerate(plan["week"], 1):
        lines.append(f"  {k}. {n['name']} ({n['tier']}, strength {n['strength']:.0f})")
        lines += [f"     - {reason['text']}" for reason in n["reasons"]]
    if not plan["week"]:
        lines.append("  nobody to nudge this week")
    if fading:
        overdue = sorted(fading, key=lambda f: -(f["overdue"] or 0.0))
        lines.append("  fading, most overdue first: "
                     + "; ".join(f"{f['name']} (last {f['last_contact']})" for f in overdue[:SHOWN_FADING])
                     + (f" and {len(fading) - SHOWN_FADING} more" if len(fading) > SHOWN_FADING else ""))
    lines.append("Life events seen across imports of the same file:")
    lines += [f"  - {e['text']} (seen {e['seen']})" for e in r["life_events"]] or ["  none"]
    total = ledger["total"]
    lines.append(f"Ledger: you gave {total['gave']} and got {total['got']} favors with {total['people']} people "
                 f"(balance {total['balance']:+d})")
    for row in ledger["people"]:
        lines.append(f"  {row['name']}: gave {row['gave']}, got {row['got']} ({row['balance']:+d})")
    if ledger["give_first"]:
        lines.append("  give first: " + ", ".join(f"{g['name']} ({g['balance']:+d})" for g in ledger["give_first"]))
    return lines


def payoff_lines(r: dict[str, Any]) -> list[str]:
    """Who can do X and who can introduce you: the search, the paths and the drafted introduction the demo made."""
    payoff = r.get("payoff")
    if not payoff:
        return []
    lines = ["", f"A friend asks: do you know anyone for {payoff['query']}? closeknit find {payoff['query']!r}:"]
    for hit in payoff["found"]:
        role = " at ".join(x for x in (hit["title"], hit["organization"]) if x)
        why = "; ".join(f"{w['field']}: {w['snippet']}" for w in hit["why"])
        strength = "no tie scored" if hit["strength"] is None else f"strength {hit['strength']:.0f}"
        lines.append(f"  {hit['name']}{f' ({role})' if role else ''}, {strength}: {why}")
    if not payoff["found"]:
        lines.append("  no one")
    names = {x["id"]: x["name"] for route in payoff["paths"] for x in route["people"]}
    lines.append(f"Who can introduce you? closeknit path {payoff['target']}:")
    for k, route in enumerate(payoff["paths"], 1):
        lines.append(f"  {k}. " + ("warm" if route["warm"] else f"not warm: {route['why_not_warm']}"))
        lines += [f"     {'you' if h['from'] is None else names[h['from']]} → {names[h['to']]} ({h['text']})"
                  for h in route["steps"]]
    intro, draft = payoff["intro"], payoff["intro"]["draft"]
    if draft:
        to = ", ".join(f"{p['name']} <{p['email']}>" if p["email"] else p["name"] for p in draft["to"])
        lines.append(f"An introduction, double opt-in (closeknit intro show {intro['id']}): {draft['step']}, "
                     "drafted for you to send:")
        lines += [f"  To: {to}", f"  Subject: {draft['subject']}", *(f"  {line}" for line in
                                                                      draft["body"].rstrip().splitlines())]
        if payoff["eml"]:
            lines.append(f"  (also as {payoff['eml']}, to open in your mail program; nothing is sent)")
    return lines
