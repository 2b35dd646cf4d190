"""Commands for contacts: import, people, show, tag, note, review, merge, split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from closeknit.cli.app import (
    TERMINAL_ROWS,
    JsonOpt,
    app,
    emit_json,
    emit_json_array,
    err,
    listing,
    message,
    out,
    store,
    table,
)
from closeknit.errors import InputError
from closeknit.importer import KINDS, run_import
from closeknit.store import people as people_store
from closeknit.store import review as review_store


@app.command("import")
def import_(
    what: Annotated[str, typer.Argument(help=f"A file or folder, or a kind ({'|'.join(KINDS)}) followed by PATH.")],
    path: Annotated[Path | None, typer.Argument(help="The file or folder, when a kind is given.")] = None,
    me: Annotated[list[str] | None, typer.Option("--me", help="Your own email address (repeatable).")] = None,
    region: Annotated[str | None, typer.Option(help="Default phone region, e.g. US, GB, DE.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import contacts (LinkedIn export, vCard, CSV) or interactions (mail, .ics); re-running is a no-op."""
    if path is None:
        kind, target = None, Path(what)
    elif what in KINDS:
        kind, target = what, path
    else:
        raise InputError(f"unknown import kind {what!r}: use one of {', '.join(KINDS)}")
    with store() as db:
        if region:
            db.set_setting("region", region.upper())
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("importing", total=None)
            result = run_import(
                db, target, kind=kind, me=me or [],
                progress=lambda n: bar.update(task, description=f"importing: {n:,} records read"),
                on_wait=lambda: message("waiting for another import to finish…"),
            )
    if as_json:
        emit_json(result.as_dict())
        return
    for e in result.errors[:20]:
        message(f"skipped: {e['file']} record {e['record']}: {e['reason']}")
    if len(result.errors) > 20:
        message(f"… and {result.skipped - 20:,} more skipped records (see closeknit doctor)")
    if result.me_inferred:
        message(f"me (inferred, confirm with --me): {', '.join(result.me)}")
    message(result.summary())


@app.command("people")
def people_cmd(
    name: Annotated[str | None, typer.Option(help="Name contains.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation contains.")] = None,
    tag: Annotated[str | None, typer.Option(help="Has this tag.")] = None,
    source: Annotated[str | None, typer.Option(help="Came from this source (linkedin, vcard, csv, mail, ...).")] = None,
    sort: Annotated[str, typer.Option(help="name, org, id, connected or strength.")] = "name",
    tier: Annotated[str | None, typer.Option(help="Only this tier: inner, close, favor, active, dormant, collected.")]
    = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List people, filtered and sorted (sort strength: strongest ties first)."""
    with store() as db:
        if sort == "strength" or tier:
            from closeknit.cli.strength import ensure_scores

            ensure_scores(db, None)
        rows = people_store.iter_people(
            db, name=name, org=org, tag=tag, source=source, sort=sort, limit=limit, tier=tier
        )
        if as_json:
            emit_json_array(rows)
            return
        listing(
            ["id", "name", "organization", "title", "strength", "tier", "emails", "sources"],
            ([r["id"], r["name"], r["organization"], r["title"],
              "" if r["strength"] is None else f"{r['strength']:.0f}", r["tier"] or "",
              ", ".join(r["emails"]), ", ".join(r["sources"])] for r in rows),
            "people", cap=None if limit else TERMINAL_ROWS,  # a limit the user chose is shown whole
        )


@app.command("show")
def show(person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
         as_json: JsonOpt = False) -> None:
    """Everything known about one person: identifiers, sources, roles, tags, notes."""
    with store() as db:
        detail = people_store.person_detail(db, people_store.find_person(db, person))
    if as_json:
        emit_json(detail)
        return
    rows = [["id", detail["id"]], ["name", detail["name"]], ["organization", detail["organization"]],
            ["title", detail["title"]]]
    for key in ("emails", "phones", "profiles", "urls", "tags"):
        if detail[key]:
            rows.append([key, ", ".join(detail[key])])
    for key in ("birthday", "connected_on"):
        if detail[key]:
            rows.append([key.replace("_", " "), detail[key]])
    for role in detail["roles"]:
        rows.append(["role", f"{role['title']} at {role['organization']}" if role["title"] else role["organization"]])
    for rec in detail["records"]:
        rows.append(["source", f"#{rec['id']} {rec['source']}: {rec['file']} record {rec['record']}"])
    for note in detail["notes"]:
        rows.append(["note", note["text"]])
    table(["field", "value"], rows)


@app.command("tag")
def tag(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove these tags instead.")] = False,
) -> None:
    """Add (or remove) tags on a person."""
    with store() as db:
        pid = people_store.find_person(db, person)
        people_store.add_tags(db, pid, tags, remove=remove)
    message(f"{'removed' if remove else 'tagged'} person {pid}: {', '.join(tags)}")


@app.command("note")
def note(person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
         text: Annotated[str, typer.Argument(help="The note.")]) -> None:
    """Add a note to a person."""
    with store() as db:
        pid = people_store.find_person(db, person)
        people_store.add_note(db, pid, text)
    message(f"note added to person {pid}")


@app.command("review")
def review(
    merge: Annotated[int | None, typer.Option(help="Merge the pair of this review item.")] = None,
    different: Annotated[int | None, typer.Option(help="Mark the pair of this item as different people.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Possible duplicates (similar name and organisation) waiting for your decision."""
    with store() as db:
        if merge is not None:
            review_store.decide(db, merge, same=True)
            message(f"review item {merge}: merged")
            return
        if different is not None:
            review_store.decide(db, different, same=False)
            message(f"review item {different}: kept apart")
            return
        items = review_store.open_items(db)
    if as_json:
        emit_json(items)
        return
    listing(
        ["item", "person", "organization", "other person", "organization", "score", "why"],
        ([i["id"], f"{i['name_a']} (#{i['person_a']})", i["org_a"], f"{i['name_b']} (#{i['person_b']})", i["org_b"],
          i["score"], i["reason"]] for i in items),
        "open",
    )
    message("decide with closeknit review --merge ITEM or --different ITEM")


@app.command("merge")
def merge(keep: Annotated[str, typer.Argument(help="The person to keep.")],
          other: Annotated[str, typer.Argument(help="The person merged into KEEP.")]) -> None:
    """Merge two people; every source record is kept (undo with split)."""
    with store() as db:
        a, b = people_store.find_person(db, keep), people_store.find_person(db, other)
        people_store.merge_into(db, a, b, "manual merge")
    message(f"merged person {b} into {a}")


@app.command("split")
def split(
    person: Annotated[str, typer.Argument(help="The person to split.")],
    records: Annotated[list[int], typer.Argument(help="Source record ids (see show) to move to a new person.")],
) -> None:
    """Move some source records of a person to a new person, and keep the two apart."""
    with store() as db:
        pid = people_store.find_person(db, person)
        new = people_store.split(db, pid, records)
    out.print(new)
    message(f"records {', '.join(map(str, records))} moved from person {pid} to new person {new}")
