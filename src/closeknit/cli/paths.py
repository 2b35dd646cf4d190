"""Commands for warm paths: record who knows whom (knows) and find the best ways to reach someone (path)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from closeknit.answers import find as answers
from closeknit.answers import person as person_answers
from closeknit.answers.find import resolve
from closeknit.cli.app import JsonOpt, app, emit_json, message, say, store, table
from closeknit.errors import InputError, NotFoundError
from closeknit.intros import graph as paths
from closeknit.store import graph as graph_store
from closeknit.store import people as people_store

ME_HINT = "your own ties come from your mail and meetings (closeknit rate PERSON strong to set one by hand)"


def describe_known(n: dict[str, Any]) -> str:
    """One person someone knows, in words."""
    parts = []
    if n["knows"] is not None:
        parts.append(f"recorded: '{n['knows']}'" if n["knows"] else "recorded")
    if n["shared"]:
        parts.append(f"{n['shared']} shared, last {n['last']}")
    return f"{n['name']} (#{n['id']}): {'; '.join(parts)}"


@app.command("knows")
def knows(
    person: Annotated[str, typer.Argument(help="Id, email, phone, profile URL or name.")],
    other: Annotated[str | None, typer.Argument(help="Who they know (omit to list who they are known to know).")]
    = None,
    how: Annotated[str, typer.Option("--how", help='How they know each other, e.g. "college friends".')] = "",
    forget: Annotated[bool, typer.Option("--forget", help="Remove the recorded relationship.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Record that two people know each other (a warm path may then go through them), or list whom one knows."""
    with store() as db:
        a = resolve(db, person)
        b = resolve(db, other) if other is not None else -1
        if a is None or b is None:
            raise InputError(ME_HINT)
        if other is None:
            if forget or how:
                raise InputError("whom do they know? closeknit knows PERSON OTHER [--how \"…\"] [--forget]")
            found = person_answers.knows(db, a)
            if as_json:
                emit_json({"person": a, "knows": found})
                return
            if not found:
                message(f"no one known yet: record someone with closeknit knows {person} OTHER --how \"…\"")
                return
            table(["id", "name", "recorded", "shared", "last"],
                  ([n["id"], n["name"], "" if n["knows"] is None else n["knows"] or "yes", n["shared"] or "",
                    n["last"]] for n in found))
            return
        if a == b:
            raise InputError("that is one person twice: name two different people")
        names = people_store.names(db, [a, b])
        pair = f"{names.get(a, a)} and {names.get(b, b)}"
        if forget:
            if not graph_store.forget(db, a, b):
                raise NotFoundError("no relationship recorded between them; nothing changed")
            if as_json:
                emit_json({"person_a": min(a, b), "person_b": max(a, b), "forgotten": True})
            else:
                message(f"forgotten: {pair} know each other")
            return
        added = graph_store.know(db, a, b, how)
    if as_json:
        emit_json({"person_a": min(a, b), "person_b": max(a, b), "how": " ".join(how.split()), "added": added})
    elif added:
        message(f"recorded: {pair} know each other" + (f" ({' '.join(how.split())})" if how.strip() else ""))
    else:
        message("already recorded" + ("; how they know each other updated" if how.strip() else "; nothing changed"))


@app.command("path")
def path(
    target: Annotated[str, typer.Argument(help="A person (id, email, name), an organisation (name or email domain)"
                                               " or words to search for (paths to the best matches).")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=20, help="At most this many paths.")] = 3,
    org: Annotated[bool, typer.Option("--org", help="TARGET is an organisation or an email domain.")] = False,
    words: Annotated[bool, typer.Option("--find", help="TARGET is words to search for, as closeknit find.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """The best ways to reach someone: paths of at most three hops through people who know each other, each hop
    explained, warm when every hop is strong enough."""
    from closeknit.cli.strength import ensure_scores

    with store() as db:
        ensure_scores(db, None)
        if org and words:
            raise InputError("--org or --find, not both")
        found = answers.routes(db, target, limit, "organization" if org else "query" if words else None)
    if as_json:
        emit_json(found.as_dict())
        return
    goal, people, names, net_stale = found.target, found.people, found.names, found.stale
    if goal["kind"] != "person":
        what = goal.get("organization") or goal["ref"]
        message(f"best paths to {'anyone at' if goal['kind'] == 'organization' else 'the best matches for'} {what}:"
                f" {', '.join(names.values())}{' …' if len(people) > answers.QUERY_MATCHES else ''}")
    if net_stale:
        message("warning: the database is read-only, so the graph could not take in the latest changes")
    for i, p in enumerate(found.paths, 1):
        end = p["people"][-1]["name"]
        head = "warm" if p["warm"] else "not warm: " + p["why_not_warm"]
        sure = paths.strength_of(p["cost"], p["hops"])
        say(f"{i}. to {end}, {p['hops']} hop{'s' if p['hops'] != 1 else ''}, strength"
            f" {'<0.01' if sure < 0.005 else paths.two_places(sure)}: {head}")
        names_of = {x["id"]: x["name"] for x in p["people"]}
        for step in p["steps"]:
            who = "you" if step["from"] is None else names_of[step["from"]]
            say(f"   {who} → {names_of[step['to']]}  ({step['text']})")
