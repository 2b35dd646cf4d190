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
    return Rules(set(raw.get("address", [])), set(raw.get("domain", [])), {int(p) for p in raw.get("person", [])})


def save(db: Base, rules: Rules) -> None:
    db.set_setting(_SETTING, {"address": sorted(rules.address), "domain": sorted(rules.domain),
                              "person": sorted(rules.person)})


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
