"""The ignore command: addresses, domains and people left out of scores, lists, reports and review."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from closeknit.answers import person as person_answers
from closeknit.cli.app import ENV, JsonOpt, app, emit_json, message, say, store
from closeknit.errors import InputError
from closeknit.identity import normalise
from closeknit.store import Store
from closeknit.store import ignore as ignore_store
from closeknit.store import people as people_store

_DOMAIN = re.compile(r"^@?([a-z0-9-]+(\.[a-z0-9-]+)+)$", re.IGNORECASE)


def rule_for(db: Store, target: str) -> tuple[str, str | int]:
    """(kind, value) for an address, a domain ("example.com" or "@example.com") or a person."""
    target = target.strip()
    address = normalise.email(target)
    if address:
        return "address", address
    domain = _DOMAIN.match(target)
    if domain and not target.replace(".", "").isdigit():
        return "domain", domain.group(1).lower()
    return "person", people_store.find_person(db, target)


@app.command("ignore")
def ignore(
    target: Annotated[str | None, typer.Argument(
        help="An address, a domain (example.com) or a person (id, email, phone, profile URL or name);"
             " without one, the list of what is ignored.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Stop ignoring it.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Leave newsletters, placeholders and people out of scores, circle, report, review and `people`
    (`people --all` shows them); mail they send counts as bulk, now and in later imports."""
    with store() as db:
        rules = ignore_store.load(db)
        if target is None:
            if remove:
                raise InputError("--remove needs what to stop ignoring")
            listed = rules.as_list()
            if as_json:
                emit_json(listed)
                return
            for r in listed:
                say(f"{r['kind']}\t{r['value']}")
            message(f"{len(listed)} ignored (closeknit ignore --remove ADDRESS|DOMAIN|PERSON to undo)")
            return
        kind, value = rule_for(db, target)
        if remove and value not in getattr(rules, kind):
            raise InputError(f"{kind} {value} is not ignored (closeknit ignore lists what is)")
        ENV.on_interrupt = "the rule is saved; run closeknit score to bring the scores up to date"
        changed = person_answers.set_rule(db, kind, value, ignored=not remove)
    verb = "no longer ignored" if remove else "ignored" if changed else "already ignored"
    if as_json:
        emit_json({"kind": kind, "value": value, "ignored": not remove, "changed": changed})
        return
    message(f"{kind} {value}: {verb}")
