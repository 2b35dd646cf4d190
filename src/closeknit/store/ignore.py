"""Ignore rules: addresses, domains and people that take no part in scores, lists, reports or review."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from closeknit.store.base import Base

KINDS = ("address", "domain", "person")
SENDER_ROLES = ("from", "organizer")
IGNORED = "ignored"  # the `bulk` reason given to an interaction sent by an ignored address or person
_SETTING = "ignore"


@dataclass
class Rules:
    address: set[str] = field(default_factory=set)
    domain: set[str] = field(default_factory=set)
    person: set[int] = field(default_factory=set)
    # An ignored person made by merging an ignored person with one who was not -> the source records that
    # carried the rule (so that a split gives it back to them alone); without an entry, all their records do.
    carriers: dict[int, set[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.address or self.domain or self.person)

    def covers_address(self, address: str) -> bool:
        a = address.strip().lower()
        if not a:
            return False
        if a in self.address:
            return True
        host = a.rsplit("@", 1)[-1]
        return any(host == d or host.endswith("." + d) for d in self.domain)

    def covers(self, address: str, pid: int | None) -> bool:
        return (pid is not None and pid in self.person) or self.covers_address(address)

    def params(self) -> dict[str, str]:
        return {"ign_address": json.dumps(sorted(self.address)), "ign_domain": json.dumps(sorted(self.domain)),
                "ign_person": json.dumps(sorted(self.person))}

    def as_list(self) -> list[dict[str, Any]]:
        return [{"kind": k, "value": v} for k in KINDS for v in sorted(getattr(self, k))]


def address_sql(column: str) -> str:
    """SQL true when `column` is an ignored address or at an ignored domain (or a subdomain); uses `params()`."""
    host = f"substr(lower({column}), instr({column}, '@') + 1)"
    return (f"(lower({column}) IN (SELECT value FROM json_each(:ign_address)) OR EXISTS (SELECT 1 FROM"
            f" json_each(:ign_domain) d WHERE {host} = d.value OR {host} LIKE '%.' || d.value))")


def load(db: Base) -> Rules:
    raw = db.get_setting(_SETTING, {})
    return Rules(set(raw.get("address", [])), set(raw.get("domain", [])), {int(p) for p in raw.get("person", [])},
                 {int(p): set(r) for p, r in raw.get("carriers", {}).items()})


def save(db: Base, rules: Rules) -> None:
    """Store the rules; a person no longer ignored drops the records that carried their rule."""
    rules.carriers = {p: r for p, r in rules.carriers.items() if p in rules.person}
    db.set_setting(_SETTING, {"address": sorted(rules.address), "domain": sorted(rules.domain),
                              "person": sorted(rules.person),
                              "carriers": {str(p): sorted(r) for p, r in sorted(rules.carriers.items())}})


def _records(db: Base, pid: int) -> set[int]:
    return {r for (r,) in db.fast_rows("SELECT id FROM source_records WHERE person_id = :p", {"p": pid})}


def follow_merge(db: Base, keep: int, other: int, moved: set[int]) -> None:
    """After `other` was merged into `keep` (its records `moved` with it): the person kept is ignored when either
    was, and remembers which records carried the rule when only one of them was ignored."""
    rules = load(db)
    if keep not in rules.person and other not in rules.person:
        return
    own = {keep: _records(db, keep) - moved, other: moved}
    carried = {p: rules.carriers.get(p) or own[p] for p in (keep, other) if p in rules.person}
    if len(carried) == 2 and keep not in rules.carriers and other not in rules.carriers:
        rules.carriers.pop(keep, None)  # both wholly ignored: so is the merged person
    else:
        rules.carriers[keep] = set().union(*carried.values())
    rules.person.discard(other)
    rules.person.add(keep)
    save(db, rules)
    mark_interactions(db, rules)


def follow_split(db: Base, pid: int, new: int, moved: set[int]) -> None:
    """After records `moved` of ignored person `pid` went to person `new`: the rule stays with the parts whose
    records carried it, and with both when all the person's records did (or it cannot be told)."""
    rules = load(db)
    if pid not in rules.person:
        return
    carriers = rules.carriers.get(pid)
    left = _records(db, pid)
    if carriers is None or not carriers & (left | moved):
        rules.person.add(new)
    else:
        for part, records in ((pid, left), (new, moved)):
            held = carriers & records
            if held:
                rules.person.add(part)
                if held == records:
                    rules.carriers.pop(part, None)  # all its records carry it
                else:
                    rules.carriers[part] = held
            else:
                rules.person.discard(part)
    save(db, rules)
    mark_interactions(db, rules)


def people(db: Base, rules: Rules | None = None) -> set[int]:
    """Ignored people: those ignored by name or id, and those whose every identifier is an ignored address."""
    rules = load(db) if rules is None else rules
    found = set(rules.person)
    if rules.address or rules.domain:
        rows = db.fast_rows(
            "SELECT person_id, kind, value FROM identifiers WHERE person_id IN (SELECT person_id FROM identifiers"
            f" WHERE kind = 'email' AND {address_sql('value')})",
            rules.params(),
        )
        clean: set[int] = set()
        for pid, kind, value in rows:
            found.add(pid)
            if kind != "email" or not rules.covers_address(value):
                clean.add(pid)  # another way to reach them: a contact, not a sender to ignore
        found -= clean - rules.person
    return found


def id_filter(column: str, ignored: Iterable[int]) -> tuple[str, dict[str, str]]:
    """A WHERE clause leaving out the ignored people (and its parameter)."""
    return f"{column} NOT IN (SELECT value FROM json_each(:ignored_people))", {"ignored_people": json.dumps(
        sorted(ignored))}


def mark_interactions(db: Base, rules: Rules) -> None:
    """Interactions sent by an ignored address or person count as bulk; those no rule covers any more, not."""
    params = rules.params()
    sender = (
        "SELECT interaction_id FROM interaction_parties WHERE role IN ('from', 'organizer') AND"
        f" ({address_sql('address')} OR person_id IN (SELECT value FROM json_each(:ign_person)))"
    )
    with db.transaction() as conn:
        conn.execute(text(f"UPDATE interactions SET bulk = '' WHERE bulk = '{IGNORED}' AND id NOT IN ({sender})"),
                     params)
        conn.execute(text(f"UPDATE interactions SET bulk = '{IGNORED}' WHERE bulk = '' AND id IN ({sender})"),
                     params)
