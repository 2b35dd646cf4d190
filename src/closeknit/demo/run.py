"""Run the demo end to end: write the files, import them through the real importers, summarise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from closeknit.demo.files import read_manifest, write_demo
from closeknit.demo.network import ME
from closeknit.pipeline import scoring
from closeknit.pipeline.importer import ImportResult, run_import
from closeknit.pipeline.report_data import build as build_report
from closeknit.report import html as html_report
from closeknit.report import text as report_text
from closeknit.store import Store, stats
from closeknit.store import people as people_store
from closeknit.store import review as review_store

CONTACT_SOURCES = ("linkedin", "vcard", "csv")
_ERRORS_KEPT = 5


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
    plan = [
        ("linkedin/", folder / "linkedin", "linkedin", None),
        ("contacts.vcf", folder / "contacts.vcf", "vcard", None),
        ("google_contacts.csv", folder / "google_contacts.csv", "csv", None),
        ("mail/", folder / "mail", "mail", [ME.email]),
        ("calendar.ics", folder / "calendar.ics", "ics", None),
    ]
    imports = []
    for label, path, kind, me in plan:
        say(f"importing {label}: {path}")
        result = run_import(db, path, kind=kind, me=me)
        imports.append(_imported(label, path, kind, result))
    say("scoring every tie and writing the network reality report")
    scored = scoring.compute(db, day)
    report = build_report(db)
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
        "per_source": doctor["per_source"],
        "next": [
            f"{hint} people --source vcard",
            f"{hint} show {_quote(example)}",
            f"{hint} review",
            f"{hint} circle",
            f"{hint} explain {_quote(example)}",
            f"{hint} report --html report.html",
            f"{hint} doctor",
        ],
    }


def _quote(text: str) -> str:
    """Quote a shell word when it needs it (names with spaces, paths with spaces)."""
    safe = all(c.isalnum() or c in "-_./:@+=," for c in text)
    return text if safe and text else "'" + text.replace("'", "'\\''") + "'"
