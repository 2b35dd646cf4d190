"""Commands about the database itself: doctor, export, backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit import export as exporter
from closeknit.cli.app import ENV, JsonOpt, app, emit, emit_json, message, store, table
from closeknit.config import DEFAULT_REGION
from closeknit.errors import InputError
from closeknit.store import ignore as ignore_store
from closeknit.store import pending, stats
from closeknit.store import people as people_store
from closeknit.store import scores as score_store
from closeknit.store.writer import database_id


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Finish what an interrupted import left to derive.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Database path, schema version, counts per source, last import, quarantine, pending work."""
    with store() as db:
        if repair:
            with db.exclusive(lambda: message("waiting for another import to finish…")):
                owed = pending.describe(db)
                done = pending.finish(db, db.get_setting("region", DEFAULT_REGION))
            if owed["derive"] or owed["review_people"]:
                message(f"finished the pending derivation · {done.merged:,} merged with another of the same name"
                        f" · {done.review:,} possible duplicates to review")
            else:
                message("nothing to repair")
        info = stats.doctor(db)
        info["pending"] = pending.describe(db)
        info["quarantine_recent"] = stats.quarantine(db, limit=10)
        info["ignored"] = ignore_store.load(db).as_list()
    if as_json:
        emit_json(info)
        return
    rows = [[k, info[k]] for k in ("database", "schema_version", "people", "interactions", "source_records",
                                   "quarantined", "review_open", "placeholder_names", "duplicate_copies")]
    rows.append(["me", ", ".join(info["me_addresses"]) or "(not set: import mail with --me)"])
    rows.append(["pending", _pending_line(info["pending"])])
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


def _pending_line(owed: dict[str, Any]) -> str:
    parts = ["me, directions and threads"] if owed["derive"] else []
    if owed["review_people"]:
        parts.append(f"{owed['review_people']:,} people to compare for review")
    if not parts:
        return "nothing"
    return f"{'; '.join(parts)} (an import was interrupted: closeknit doctor --repair, or run it again)"


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
        text = exporter.chunks(people, fmt, database_id(db))
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
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder; create it first")
    with store() as db:
        ENV.on_interrupt = f"the copy at {path} is incomplete: delete it"
        raw = db.engine.raw_connection()
        try:
            try:
                dest = sqlite3.connect(path)
                with dest:
                    raw.driver_connection.backup(dest)  # type: ignore[union-attr]
                dest.close()
            except sqlite3.Error as exc:
                path.unlink(missing_ok=True)  # a half-written copy is no backup
                raise InputError(f"{path}: cannot write the backup ({exc})") from None
        finally:
            raw.close()
    message(f"backup written to {path}")
