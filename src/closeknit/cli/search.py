"""Commands for capability search: find people by what they do, and record needs and offers (offer, need)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from closeknit.answers.find import marked, resolve
from closeknit.cli.app import JsonOpt, app, emit_json, message, out, progress, shown, store, table
from closeknit.errors import InputError
from closeknit.search import find as search
from closeknit.store import needs as needs_store
from closeknit.store import people as people_store

PersonOpt = Annotated[str | None, typer.Argument(
    help="Id, email, phone, profile URL or name; me for your own (omit to list everyone's).")]


def _needs_offers(kind: str, person: str | None, text: str | None, remove: bool, as_json: bool) -> None:
    if remove and text is None:
        raise InputError(f"--remove needs the {kind} (its text or its id): closeknit {kind} PERSON \"…\" --remove")
    if person is None and text is not None:
        raise InputError(f"whose {kind}? closeknit {kind} PERSON \"{text}\"")
    with store() as db:
        pid = resolve(db, person) if person is not None else None
        who = "you" if pid is None else people_store.names(db, [pid]).get(pid) or f"person {pid}"
        if text is not None and remove:
            gone = needs_store.remove(db, pid, kind, text)
            if as_json:
                emit_json({"removed": {k: v for k, v in gone.items() if k != "key"}})
            else:
                message(f"removed: {who} {kind}{'' if pid is None else 's'} \"{gone['text']}\"")
            return
        if text is not None:
            added = needs_store.record(db, pid, kind, text)
            if as_json:
                emit_json({"person": pid, "kind": kind, "text": " ".join(text.split()), "added": added})
            else:
                verb = kind if pid is None else kind + "s"
                message(f"recorded: {who} {verb} \"{' '.join(text.split())}\"" if added
                        else "already recorded; nothing changed")
            return
        found = needs_store.entries(db, pid, kind, own=pid is None) if person is not None \
            else needs_store.entries(db, None, kind)
    rows = [{k: v for k, v in e.items() if k != "key"} for e in found]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        message(f"no {kind}s recorded yet: closeknit {kind} PERSON \"…\" (or me for your own)")
        return
    table(["id", "person", "name", kind, "recorded"],
          ([r["id"], "me" if r["person"] is None else r["person"], r["name"], r["text"], r["created_at"][:10]]
           for r in rows))


RemoveOpt = Annotated[bool, typer.Option("--remove", help="Remove it (give its text or its id).")]


@app.command("offer")
def offer(
    person: PersonOpt = None,
    text: Annotated[str | None, typer.Argument(help="What they can do or give (omit to list).")] = None,
    remove: RemoveOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Record what a person (or you: me) can offer; found by `find`, matched against needs."""
    _needs_offers("offer", person, text, remove, as_json)


@app.command("need")
def need(
    person: PersonOpt = None,
    text: Annotated[str | None, typer.Argument(help="What they are looking for (omit to list).")] = None,
    remove: RemoveOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Record what a person (or you: me) needs; a need one of your offers meets shows in the ledger."""
    _needs_offers("need", person, text, remove, as_json)


@app.command("find")
def find(
    query: Annotated[str, typer.Argument(help='Words to look for: lidar perception, "exact phrase", eng*, title:cto,'
                                              " -word to leave out, OR between alternatives.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    subjects: Annotated[bool, typer.Option("--subjects", help="Also search the subjects of past interactions.")]
    = False,
    everyone: Annotated[bool, typer.Option("--all", help="Include the people you ignore.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Who can do X: people whose name, title, organisation, email, tags, notes, offers or needs match,
    ranked by relevance and tie strength, each saying why."""
    from closeknit.cli.strength import ensure_scores

    with store() as db:
        ensure_scores(db, None)
        with progress("indexing subjects") as update:
            found = search.find(db, query, limit=limit, subjects=subjects, include_ignored=everyone,
                                progress=lambda done, total: update(done, total))
    if as_json:
        emit_json(found)
        return
    said_how(found)
    results = found["results"]
    if not results:
        message(f"no one matches {query!r}")
        return
    t = Table(show_lines=False, header_style="bold")
    for column in ("id", "name", "role", "strength", "score", "why"):
        t.add_column(column, overflow="fold")
    for r in results:
        role = " at ".join(x for x in (r["title"], r["organization"]) if x)
        t.add_row(shown(r["id"]), shown(r["name"]), shown(role),
                  "" if r["strength"] is None else f"{r['strength']:.0f}", f"{r['score']:.2f}",
                  "\n".join(_reason(w) for w in r["why"]))
    out.print(t)
    more = found["total"] - len(results)
    message(f"{found['total']:,} {'person matches' if found['total'] == 1 else 'people match'}"
            + (f"; the best {len(results):,} shown (--limit for more)" if more > 0 else ""))


def said_how(found: dict[str, Any]) -> None:
    """Say how the search was made (lexical or not, the words left out, whether every word matched) and whether
    its index missed the latest changes."""
    message(found["note"])
    for line in search.how_matched(found, "--subjects"):
        message(line)
    if found["stale"]:
        message("warning: the database is read-only, so the index could not take in the latest changes")


def _reason(why: dict[str, Any]) -> str:
    """One line of why a person matched, as Rich markup: imported text made inert, matched words in bold."""
    label = why["field"] + (f" {why['on']}" if why.get("on") else "")
    if why.get("interactions", 1) > 1:
        label += f" (+{why['interactions'] - 1} more)"
    return f"{shown(label)}: {highlight(why['snippet'], why['matched'])}"


def highlight(text: str, words: list[str]) -> str:
    """`text` as Rich markup, safe whatever it holds, with each of `words` in bold."""
    return "".join(f"[bold]{shown(part)}[/bold]" if hit else shown(part) for part, hit in marked(text, words))
