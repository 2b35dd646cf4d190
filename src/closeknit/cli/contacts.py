"""Commands for contacts: import, people, show, edit, tag, note, review, merge, split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit import sources
from closeknit.answers import person as person_answers
from closeknit.answers import review as review_answers
from closeknit.cli.app import (
    ENV,
    TERMINAL_ROWS,
    JsonOpt,
    LimitOpt,
    app,
    check_choice,
    emit_json,
    emit_json_array,
    listing,
    message,
    progress,
    say,
    store,
    table,
)
from closeknit.cli.paths import describe_known
from closeknit.errors import InputError
from closeknit.pipeline.importer import run_import
from closeknit.report import chance
from closeknit.store import derive
from closeknit.store import people as people_store
from closeknit.store import review as review_store

PersonArg = Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")]


def done(as_json: bool, data: dict[str, Any], text: str) -> None:
    """What a command changed: JSON on stdout with --json, else a line on stderr."""
    if as_json:
        emit_json(data)
    else:
        message(text)


@app.command("import")
def import_(
    what: Annotated[str, typer.Argument(
        help=f"A file or folder, or a kind ({'|'.join(sources.kinds())}) followed by PATH.")],
    path: Annotated[Path | None, typer.Argument(help="The file or folder, when a kind is given.")] = None,
    me: Annotated[list[str] | None, typer.Option("--me", help="Your own email address (repeatable).")] = None,
    region: Annotated[str | None, typer.Option(
        help="Phone region of numbers written without a country code, e.g. US, GB, IN (default: inferred per"
             " file); re-reads the stored numbers of the files imported.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import contacts (LinkedIn export, vCard, CSV) or interactions (mail, .ics); re-running is a no-op."""
    if path is None:
        kind, target = None, Path(what)
    else:
        check_choice("import kind", what, sources.kinds())
        kind, target = what, path
    if not target.exists():
        raise InputError(f"{target}: no such file or folder")
    with store(create=True) as db:
        ENV.on_interrupt = "the records stored so far are kept; run the same import again to finish"
        with progress("importing", in_bytes=True) as update:
            result = run_import(
                db, target, kind=kind, me=me or [], region=region.upper() if region else None, progress=update,
                on_wait=lambda: message("waiting for another import to finish…"),
            )
        others = derive.not_me_senders(db) if result.interactions else {}
        alike = derive.look_alikes(db) if result.interactions else {}
        if region:  # a region the import accepted becomes the default
            db.set_setting("region", region.upper())
    if as_json:
        emit_json(result.as_dict())
        return
    for e in result.errors[:20]:
        message(f"skipped: {e['file']} record {e['record']}: {e['reason']}")
    if len(result.errors) > 20:
        message(f"… and {result.skipped - 20:,} more skipped records (see closeknit doctor)")
    if result.me_inferred:
        message(f"me (inferred, confirm with --me): {', '.join(result.me)}")
    if others:
        sent = sum(others.values())
        message(f"warning: {len(others):,} address{'es' if len(others) > 1 else ''} not yours sent"
                f" {sent:,} message{'' if sent == 1 else 's'} from your sent folders (a delegate?):"
                " see closeknit me list")
    if alike:
        message(f"note: your mail goes to {', '.join(sorted(alike, key=lambda a: -alike[a])[:3])}"
                f"{' …' if len(alike) > 3 else ''}, which look{'s' if len(alike) == 1 else ''} like yours:"
                " if so, closeknit me add ADDRESS")
    message(result.summary())


@app.command("people")
def people_cmd(
    name: Annotated[str | None, typer.Option(help="Name contains.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation contains.")] = None,
    tag: Annotated[str | None, typer.Option(help="Has this tag.")] = None,
    source: Annotated[str | None, typer.Option(help="Came from this source (linkedin, vcard, csv, mail, ...).")] = None,
    sort: Annotated[str, typer.Option(help="name, org, id, connected, contact (latest first) or strength.")] = "name",
    tier: Annotated[str | None, typer.Option(help="Only this tier: inner, close, favor, active, dormant, collected.")]
    = None,
    limit: LimitOpt = None,
    everyone: Annotated[bool, typer.Option("--all", help="Include the people you ignore.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List people, filtered and sorted (sort strength: strongest ties first)."""
    with store() as db:
        if tier is not None:
            from closeknit.strength.tiers import TIERS

            check_choice("tier", tier, TIERS)
        if source is not None:
            check_choice("source", source, sorted({*sources.kinds(), *people_store.sources(db)}))
        check_choice("sort", sort, people_store.SORTS)
        if sort == "strength" or tier:
            from closeknit.cli.strength import ensure_scores

            ensure_scores(db, None)
        rows = people_store.iter_people(
            db, name=name, org=org, tag=tag, source=source, sort=sort, limit=limit, tier=tier, ignored=everyone
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


def _show_data(db: Any, pid: int) -> dict[str, Any]:
    from closeknit.cli.strength import ensure_scores

    ensure_scores(db, None)
    detail = person_answers.view(db, pid)
    detail["knows"] = [] if detail["is_me"] else person_answers.knows(db, pid)
    return detail


@app.command("show")
def show(person: PersonArg, as_json: JsonOpt = False) -> None:
    """Everything known about one person: identifiers, strength and tier, sources, roles, tags, notes, offers,
    needs."""
    with store() as db:
        detail = _show_data(db, people_store.find_person(db, person))
    if as_json:
        emit_json(detail)
        return
    rows = [["id", detail["id"]], ["name", detail["name"]], ["organization", detail["organization"]],
            ["title", detail["title"]]]
    if detail["strength"] is not None:
        rows.append(["strength", f"{detail['strength']:.0f}/100, tier {detail['tier']}"])
    if detail["p_contact_90d"] is not None:
        rows.append(["90-day chance", f"{chance(detail['p_contact_90d'])} of a message each way within 90 days"])
    if detail["p_lapse_90d"] is not None:
        rows.append(["lapse risk", f"{chance(detail['p_lapse_90d'])} that the tie lapses (no message each way"
                                   " within 90 days)"])
    rows.append(["last contact", detail["last_contact"] or "never"])
    rows.append(["your rating", detail["rating"] or "(none: closeknit rate)"])
    if detail["ignored"]:
        rows.append(["ignored", "yes (closeknit ignore --remove to undo)"])
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
    for e in detail["edits"]:
        rows.append(["edited", f"{e['at'][:10]} {e['field']}: {e['old'] or '(blank)'} → {e['new'] or '(blank)'}"])
    for m in detail["merges"]:
        records = ", ".join(f"#{r}" for r in m["records"])
        rows.append(["merged", f"{m['at'][:10]} {m['why']}" + (f" (records {records}: closeknit split undoes it)"
                                                                 if records else "")])
    for event in detail["life_events"]:
        rows.append(["changed", f"{event['seen']} {event['kind'].replace('_', ' ')}:"
                                f" {event['old'] or '(none)'} → {event['new']}"])
    for note in detail["notes"]:
        rows.append(["note", note["text"]])
    for key in ("offers", "needs"):
        for entry in detail[key]:
            rows.append([key[:-1], f"{entry['text']} (#{entry['id']})"])
    for known in detail["knows"]:
        rows.append(["knows", describe_known(known)])
    table(["field", "value"], rows)


@app.command("edit")
def edit(
    person: PersonArg,
    name: Annotated[str | None, typer.Option(help="The name to show.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation.")] = None,
    title: Annotated[str | None, typer.Option(help="Job title.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename a person or correct their organisation or title; the old values are kept (see show)."""
    changes = {k: v for k, v in (("name", name), ("organization", org), ("title", title)) if v is not None}
    if not changes:
        raise InputError("nothing to change: give --name, --org or --title")
    with store() as db:
        pid = people_store.find_person(db, person)
        made = people_store.edit(db, pid, changes)
    text = "; ".join(f"{c['field']} {c['old'] or '(blank)'} → {c['new'] or '(blank)'}" for c in made)
    done(as_json, {"person": pid, "changes": made}, f"person {pid}: {text}" if made else "nothing changed")


@app.command("tag")
def tag(
    person: PersonArg,
    tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove these tags instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add (or remove) tags on a person."""
    with store() as db:
        pid = people_store.find_person(db, person)
        people_store.add_tags(db, pid, tags, remove=remove)
        now = people_store.person_detail(db, pid)["tags"]
    done(as_json, {"person": pid, "removed" if remove else "added": tags, "tags": now},
         f"{'removed' if remove else 'tagged'} person {pid}: {', '.join(tags)}")


@app.command("note")
def note(person: PersonArg, text: Annotated[str, typer.Argument(help="The note.")], as_json: JsonOpt = False) -> None:
    """Add a note to a person."""
    with store() as db:
        pid = people_store.find_person(db, person)
        people_store.add_note(db, pid, text)
    done(as_json, {"person": pid, "note": text}, f"note added to person {pid}")


@app.command("review")
def review(
    items: Annotated[list[int] | None, typer.Argument(help="Items to decide, with --merge or --different.",
                                                      show_default=False)] = None,
    merge: Annotated[bool, typer.Option("--merge", help="Merge the pair of each ITEM.")] = False,
    different: Annotated[bool, typer.Option("--different", help="Keep the pair of each ITEM apart.")] = False,
    merge_all_above: Annotated[float | None, typer.Option(help="Merge every open item scoring this or more.")]
    = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many items, best first.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Possible duplicates (similar name, organisation and identifiers) waiting for your decision."""
    if merge and different:
        raise InputError("--merge and --different exclude each other")
    if (merge or different) != bool(items):
        raise InputError("give item numbers with --merge or --different (e.g. closeknit review --merge 3 7)")
    if limit is not None and limit < 1:
        raise InputError("--limit must be 1 or more")
    with store() as db:
        if merge_all_above is not None:
            decided = review_store.decide_all(db, review_store.items_above(db, merge_all_above), same=True)
            done(as_json, {"items": decided, "merged": True, "closed_earlier": []},
                 f"{len(decided):,} review items scoring {merge_all_above:g} or more: merged")
            return
        if items:
            decided = review_store.decide_all(db, items, same=merge)
            skipped = [i for i in items if i not in decided]
            verb = "merged" if merge else "kept apart"
            done(as_json, {"items": decided, "merged": merge, "closed_earlier": skipped},
                 f"review item{'s' if len(decided) > 1 else ''} {', '.join(map(str, decided))}: {verb}")
            if skipped and not as_json:
                message(f"review items {', '.join(map(str, skipped))}: closed by an earlier merge")
            return
        rows = review_answers.open_items(db, limit)
    if as_json:
        emit_json(rows)
        return
    listing(
        ["item", "person", "identifiers", "organization", "other person", "identifiers", "organization", "score",
         "why"],
        ([i["id"], f"{i['name_a']} (#{i['person_a']})", ", ".join(i["identifiers_a"]), i["org_a"],
          f"{i['name_b']} (#{i['person_b']})", ", ".join(i["identifiers_b"]), i["org_b"], i["score"], i["reason"]]
         for i in rows),
        "open", cap=None if limit else TERMINAL_ROWS,
    )
    message("decide with closeknit review --merge ITEM... or --different ITEM..., or --merge-all-above SCORE")


@app.command("merge")
def merge(keep: Annotated[str, typer.Argument(help="The person to keep.")],
          other: Annotated[str, typer.Argument(help="The person merged into KEEP.")],
          as_json: JsonOpt = False) -> None:
    """Merge two people; every source record is kept (undo with split)."""
    with store() as db:
        a, b = people_store.find_person(db, keep), people_store.find_person(db, other)
        people_store.merge_into(db, a, b, "manual merge")
    done(as_json, {"kept": a, "merged": b}, f"merged person {b} into {a}")


@app.command("split")
def split(
    person: PersonArg,
    records: Annotated[list[int], typer.Argument(help="Source record ids (see show) to move to a new person.")],
    as_json: JsonOpt = False,
) -> None:
    """Move some source records of a person to a new person, and keep the two apart."""
    with store() as db:
        pid = people_store.find_person(db, person)
        new = people_store.split(db, pid, records)
    if as_json:
        emit_json({"person": pid, "new_person": new, "records": records})
        return
    say(str(new))
    message(f"records {', '.join(map(str, records))} moved from person {pid} to new person {new}")
