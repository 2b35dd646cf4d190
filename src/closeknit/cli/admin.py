"""Commands about the database itself: doctor, export, backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from closeknit import export as exporter
from closeknit.cli.app import ENV, JsonOpt, app, emit, emit_json, message, store, table
from closeknit.errors import InputError
from closeknit.store import ignore as ignore_store
from closeknit.store import people as people_store
from closeknit.store import scores as score_store
from closeknit.store import stats


@app.command()
def doctor(as_json: JsonOpt = False) -> None:
    """Database path, schema version, counts per source, last import, quarantine."""
    with store() as db:
        info = stats.doctor(db)
        info["quarantine_recent"] = stats.quarantine(db, limit=10)
        info["ignored"] = ignore_store.load(db).as_list()
    if as_json:
        emit_json(info)
        return
    rows = [[k, info[k]] for k in ("database", "schema_version", "people", "interactions", "source_records",
                                   "quarantined", "review_open")]
    rows.append(["me", ", ".join(info["me_addresses"]) or "(not set: import mail with --me)"])
    rows.append(["ignored", ", ".join(r["value"] if r["kind"] != "person" else f"person {r['value']}"
                                      for r in info["ignored"]) or "nothing (closeknit ignore)"])
    rows += [[f"records from {s}", n] for s, n in sorted(info["per_source"].items())]
    rows += [[f"interactions by {c}", n] for c, n in sorted(info["interactions_per_channel"].items())]
    if info["last_import"]:
        li = info["last_import"]
        rows.append(["last import", f"{li['finished_at']} {li['kind']} {li['path']}"])
    table(["", ""], rows, title="closeknit doctor")
    if info["quarantine_recent"]:
        table(["file", "record", "reason"],
              [[q["file"], q["record"], q["reason"]] for q in info["quarantine_recent"]],
              title="recently quarantined (raw text kept in the quarantine table)")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="vcard, csv or json.")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")] = None,
) -> None:
    """Export everyone as vCard, CSV or JSON (with each tie's strength and tier)."""
    if fmt not in exporter.FORMATS:
        raise InputError(f"unknown format {fmt!r}: use vcard, csv or json")
    with store() as db:
        from closeknit.cli.strength import ensure_scores

        ensure_scores(db, None)
        scores = score_store.strengths(db)
        ids = people_store.person_ids(db)
        people = ({**p, **dict(zip(("strength", "tier"), scores.get(p["id"], (None, None)), strict=True))}
                  for p in people_store.people_details(db, ids))
        text = exporter.chunks(people, fmt)
        if output is None:
            emit(text)
            return
        # Written beside the target and renamed into place: an export that fails leaves no half file.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("w", encoding="utf-8") as f:
                f.writelines(text)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    message(f"{len(ids):,} people written to {output}")


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """A consistent copy of the database (safe while in use), readable by any SQLite tool."""
    if path.exists():
        raise InputError(f"{path}: already exists; choose a new file")
    with store() as db:
        ENV.on_interrupt = f"the copy at {path} is incomplete: delete it"
        raw = db.engine.raw_connection()
        try:
            dest = sqlite3.connect(path)
            with dest:
                raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            dest.close()
        finally:
            raw.close()
    message(f"backup written to {path}")
