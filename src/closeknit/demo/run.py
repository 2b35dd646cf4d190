"""Run the demo end to end: write the files, import them through the real importers, summarise."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from closeknit.answers import plan as plan_answers
from closeknit.care import plan as care_plan
from closeknit.demo.files import EARLIER_LINKEDIN, read_manifest, write_demo
from closeknit.demo.network import ME
from closeknit.intros import drafts
from closeknit.intros import graph as paths
from closeknit.intros import view as intro_view
from closeknit.pipeline import scoring
from closeknit.pipeline.importer import ImportResult, run_import
from closeknit.pipeline.report_data import build as build_report
from closeknit.report import html as html_report
from closeknit.report import text as report_text
from closeknit.search import find as search
from closeknit.store import Store, favors, needs, stats
from closeknit.store import graph as graph_store
from closeknit.store import intros as intro_store
from closeknit.store import people as people_store
from closeknit.store import review as review_store

CONTACT_SOURCES = ("linkedin", "vcard", "csv")
_ERRORS_KEPT = 5
PLAN_BUDGET = 5  # people in the week's plan the demo prints


def reference_date(folder: Path | str, people: int, seed: int, today: date | None = None) -> date:
    """The demo's "today": as given, else the one an earlier run with the same settings used, else today.

    Reusing the earlier date keeps a re-run's files identical, so importing them again changes nothing.
    """
    if today is not None:
        return today
    manifest = read_manifest(folder)
    if manifest and manifest.get("seed") == seed and manifest.get("people") == people:
        try:
            return date.fromisoformat(str(manifest.get("today")))
        except ValueError:
            pass
    return date.today()


def _imported(label: str, path: Path, kind: str, result: ImportResult) -> dict[str, Any]:
    counts = {k: v for k, v in result.as_dict().items() if isinstance(v, int) and not isinstance(v, bool)}
    return {"label": label, "path": str(path), "kind": kind, "summary": result.summary(), **counts,
            "errors": result.errors[:_ERRORS_KEPT]}


def run_demo(
    db: Store | Path | str,
    folder: Path | str,
    people: int = 300,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the demo network into `folder`, import it into `db`, and report what the importers found."""
    if not isinstance(db, Store):
        with Store(Path(db)) as store:
            return run_demo(store, folder, people, seed, today, progress)
    say = progress or (lambda _text: None)
    folder = Path(folder)
    day = reference_date(folder, people, seed, today)
    say(f"writing a demo network of {people:,} people (seed {seed}, reference date {day}) to {folder}")
    written = write_demo(folder, people, seed, day)
    # The earlier LinkedIn export first: the later one then shows a planted job change (a life event).
    earlier = [(f"{EARLIER_LINKEDIN}/", folder / EARLIER_LINKEDIN, "linkedin", None)
               ] if "earlier_linkedin" in written["paths"] else []
    plan: list[tuple[str, Path, str, list[str] | None]] = [
        *earlier,
        ("linkedin/", folder / "linkedin", "linkedin", None),
        ("contacts.vcf", folder / "contacts.vcf", "vcard", None),
        ("google_contacts.csv", folder / "google_contacts.csv", "csv", None),
        ("mail/", folder / "mail", "mail", [ME.email]),
        ("calendar.ics", folder / "calendar.ics", "ics", None),
    ]
    imports: list[dict[str, Any]] = []
    for label, path, kind, me in plan:
        if label == "linkedin/" and imports and imports[-1]["added"] + imports[-1]["updated"]:
            _next_second()  # a life event is a change between two imports' stamps, which are to the second
        say(f"importing {label}: {path}")
        result = run_import(db, path, kind=kind, me=me)
        imports.append(_imported(label, path, kind, result))
    recorded = _record_favors(db, written["truth"].get("favors", []))
    say("scoring every tie and writing the network reality report")
    scored = scoring.compute(db, day)
    report = build_report(db)
    care = _care(db, day)
    payoff = _payoff(db, written["truth"].get("capability"), folder)
    report_path = html_report.write(report, folder / "report.html")
    everyone = list(people_store.iter_people(db, sort="id"))
    merged = [p for p in everyone if len(p["sources"]) >= 2]
    all_three = [p for p in everyone if set(CONTACT_SOURCES) <= set(p["sources"])]
    doctor = stats.doctor(db)
    review_open = len(review_store.open_items(db))
    db_path = str(db.path)
    hint = f"closeknit --db {_quote(db_path)}"
    example = all_three[0]["name"] if all_three else (merged[0]["name"] if merged else ME.name)
    return {
        "database": db_path,
        "folder": str(folder),
        "people_generated": people,
        "seed": seed,
        "today": day.isoformat(),
        "files": written["paths"],
        "truth": written["truth"],
        "imports": imports,
        "people": doctor["people"],
        "merged": len(merged),
        "all_contact_sources": len(all_three),
        "review": review_open,
        "interactions": doctor["interactions"],
        "added": sum(i["added"] for i in imports),
        "interactions_added": sum(i["interactions"] for i in imports),
        "skipped": sum(i["skipped"] for i in imports),
        "me": doctor["me_addresses"],
        "tiers": scored["tiers"],
        "report_html": str(report_path),
        "report": report_text.lines(report),
        **care,
        "favors_recorded": recorded,
        "payoff": payoff,
        "per_source": doctor["per_source"],
        "next": [
            f"{hint} people --source vcard",
            f"{hint} show {_quote(example)}",
            f"{hint} review",
            f"{hint} circle",
            f"{hint} explain {_quote(example)}",
            f"{hint} report --html report.html",
            f"{hint} nudge --budget {PLAN_BUDGET} --as-of {day.isoformat()}",
            f"{hint} ledger",
            *([f"{hint} find {_quote(payoff['query'])}", f"{hint} path {payoff['target']}",
               f"{hint} intro list", f"{hint} match"] if payoff else []),
            f"{hint} doctor",
            f"{hint} serve",
        ],
    }


def _next_second() -> None:
    """Wait for the wall clock's next second (at most one second)."""
    now = time.time()
    time.sleep(max(0.0, math.floor(now) + 1 - now))


def _record_favors(db: Store, planted: list[dict[str, Any]]) -> int:
    """Record the planted favors in the ledger (once: the same favor again counts as one)."""
    added = 0
    for f in planted:
        pid = people_store.find_person(db, str(f["email"]))
        added += favors.record(db, pid, str(f["direction"]), str(f["kind"]), str(f["what"]),
                               date.fromisoformat(str(f["on"])), f["value"])
    return added


def _care(db: Store, day: date) -> dict[str, Any]:
    """This week's plan (its first `PLAN_BUDGET` people, and how many more the plan holds), the life
    events seen across imports, and the favor ledger."""
    full = care_plan.weekly(db, day, sys.maxsize)  # every tie with a reason, most strength kept first
    fading = [n for n in full if any(r.kind == "fading" for r in n.reasons)]
    rows = favors.balances(db)
    return {
        "plan": {
            "as_of": day.isoformat(),
            "budget": PLAN_BUDGET,
            "week": [n.as_dict() for n in full[:PLAN_BUDGET]],
            "with_reason": len(full),
            "fading": [{"person": n.person, "name": n.name, "tier": n.tier, "last_contact": n.last_contact,
                        "due_days": n.due_days, "overdue": _overdue(n, day), "p_lapse": n.p_lapse} for n in fading],
        },
        "life_events": plan_answers.life_events(db),
        "ledger": {"total": favors.totals(rows), "people": rows, "give_first": favors.give_first(rows)},
    }


def _payoff(db: Store, planted: dict[str, Any] | None, folder: Path) -> dict[str, Any] | None:
    """Who can do X and who can introduce you: the planted capability recorded as an offer and found by a
    search for it; the strong tie who knows its holder recorded (`knows`); the warm paths to them; and an
    introduction asked of that tie, with its drafted message written as an .eml file beside the demo files."""
    if not planted:
        return None
    target = people_store.find_person(db, str(planted["linkedin"]))
    connector = people_store.find_person(db, str(planted["connector"]["email"]))
    needs.record(db, target, "offer", str(planted["offer"]))
    if planted.get("need"):
        needs.record(db, people_store.find_person(db, str(planted["need"]["email"])), "need",
                     str(planted["need"]["text"]))
    found = search.find(db, str(planted["query"]), limit=3)
    graph_store.know(db, connector, target, str(planted["how"]))
    net = paths.network(db)
    routes = [paths.explain(db, net, f) for _, f in paths.paths_to(net, [target], 3)]
    asked = [i["id"] for i in intro_store.intros(db, everything=True)
             if (i["connector_id"], i["target_id"], i["seeker_id"]) == (connector, target, None)]
    iid = asked[0] if asked else intro_store.create(
        db, None, connector, target, f"a friend's team needs {planted['offer']}")
    intro = intro_view.one(db, iid)
    draft = intro_view.next_draft(db, intro)
    eml = folder / "drafts" / f"intro-{iid}.eml"
    if draft and not eml.exists():  # written once: a re-run leaves the files as they were
        drafts.write_eml(draft, eml.parent, eml.stem)
    return {"query": planted["query"], "target": target, "connector": connector, "found": found["results"],
            "total": found["total"], "paths": routes, "intro": intro, "eml": str(eml) if draft else None}


def _overdue(n: care_plan.Nudge, day: date) -> float | None:
    """How many times its due interval a tie has been silent."""
    if not n.due_days or n.last_contact is None:
        return None
    return round((day - date.fromisoformat(n.last_contact)).days / n.due_days, 1)


def _quote(text: str) -> str:
    """Quote a shell word when it needs it (names with spaces, paths with spaces)."""
    safe = all(c.isalnum() or c in "-_./:@+=," for c in text)
    return text if safe and text else "'" + text.replace("'", "'\\''") + "'"
