"""Who can do X and how to reach them, as the CLI and the web app show it: what a target names, warm paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from closeknit.errors import InputError, NotFoundError
from closeknit.intros import graph as paths
from closeknit.search import find as search
from closeknit.store import graph as graph_store
from closeknit.store import people as people_store
from closeknit.store.base import Base

QUERY_MATCHES = 5  # a search target: paths to its best few matches


def resolve(db: Base, person: str) -> int | None:
    """A person's id, or None for the user ("me", or the person who is the user)."""
    if person.strip().lower() == "me":
        return None
    pid = people_store.find_person(db, person)
    is_me = db.scalar("SELECT is_me FROM people WHERE id = :p", {"p": pid})
    return None if is_me else pid


def targets(db: Base, ref: str, kind: str | None = None) -> dict[str, Any]:
    """What TARGET names: a person, else an organisation (name or email domain), else a search's best matches
    (`kind` "organization" or "query" skips the kinds before it)."""
    if ref.strip().lower() == "me":
        raise InputError("that is you: name someone to reach")
    pid: int | None = -1
    if kind is None:
        try:
            pid = resolve(db, ref)
        except NotFoundError:
            pid = -1
    if pid is None:
        raise InputError("that is you: name someone to reach")
    if pid >= 0:
        return {"kind": "person", "ref": ref, "people": [pid]}
    org = graph_store.organization_people(db, ref) if kind != "query" else None
    if kind == "organization" and org is None:
        raise NotFoundError(f"no organisation or email domain {ref!r}")
    if org is not None:
        return {"kind": "organization", "ref": ref, "organization": org[0], "people": org[1]}
    found = search.find(db, ref, limit=QUERY_MATCHES)["results"]
    if not found:
        raise NotFoundError(f"no person, organisation or match for {ref!r}")
    return {"kind": "query", "ref": ref, "people": [r["id"] for r in found]}


@dataclass
class Routes:
    """The warm paths to a target: what it names, the graph's day, whether it missed changes, the paths."""

    target: dict[str, Any]
    as_of: str
    stale: bool
    paths: list[dict[str, Any]]
    people: list[int]  # the people the target names that are not ignored
    names: dict[int, str]  # the names of the first `QUERY_MATCHES` of them

    def as_dict(self) -> dict[str, Any]:
        """As `closeknit path --json` gives it."""
        return {"target": self.target, "as_of": self.as_of, "stale": self.stale, "paths": self.paths}


def routes(db: Base, target: str, limit: int = 3, kind: str | None = None) -> Routes:
    """The best `limit` paths of at most three hops to what `target` names (see `targets`), each hop explained,
    warm when every hop is strong enough; a NotFoundError when there is none."""
    goal = targets(db, target, kind)
    net = paths.network(db)
    hidden = graph_store.hidden(db)
    people = [p for p in goal["people"] if p not in hidden]
    if not people:
        raise InputError(f"{target!r} is someone you ignore (closeknit ignore --remove to undo)")
    found = [paths.explain(db, net, f) for _, f in paths.paths_to(net, people, limit)]
    if not found:
        raise NotFoundError(f"no path within {paths.MAX_HOPS} hops to {target!r}: if someone you know knows them,"
                            " record it: closeknit knows PERSON OTHER --how \"…\"")
    return Routes(goal, datetime.fromtimestamp(net.now - 1, UTC).date().isoformat(), net.stale, found, people,
                  people_store.names(db, people[:QUERY_MATCHES]))


def existing(db: Base, pid: int) -> int:
    """`pid` when such a person exists; a NotFoundError otherwise."""
    if not db.scalar("SELECT 1 FROM people WHERE id = :i", {"i": pid}):
        raise NotFoundError(f"no person {pid}")
    return pid


def marked(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """`text` in parts, each saying whether it is one of `words` (to show matches marked, escaped as text)."""
    if not words:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, pos = [], 0
    for m in pattern.finditer(text):
        parts += [(text[pos:m.start()], False), (m.group(), True)]
        pos = m.end()
    parts.append((text[pos:], False))
    return [p for p in parts if p[0]]
