"""Life events read from re-imports: a new employer or title, a new email domain, a new phone.

Every import keeps its records (a changed record is stored beside the old one, never over it), so a
change is found by comparing, per person, a file's record with the same file's earlier import.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from closeknit.store.base import Base

PHONE_KINDS = ("phone", "phone_as_written")


def _file_key(source: str, file: str) -> tuple[str, str]:
    """The same file across exports: its source and name (a new export lands in a new folder)."""
    return source, PurePosixPath(file.replace("!", "/").replace("\\", "/")).name.lower()


def events(db: Base, pids: Sequence[int] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Per person, the changes their records show between imports of the same file, oldest first:
    {"kind": employer|title|email_domain|phone, "old", "new", "seen" (the day the change was imported)}."""
    # For some people, the ones imported more than once are looked for among them only (a person's page).
    only = "" if pids is None else " WHERE person_id IN (SELECT value FROM json_each(:ids))"
    rows = db.fast_rows(
        "SELECT r.id, r.person_id, r.source, r.file, r.imported_at, r.data FROM source_records r"
        " WHERE r.person_id IN (SELECT person_id FROM source_records" + only +
        "                       GROUP BY person_id HAVING count(DISTINCT imported_at) > 1)"
        " ORDER BY r.person_id, r.imported_at, r.id",
        {"ids": json.dumps(list(pids or []))},
    )
    if not rows:
        return {}
    idents: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rid, kind, value in db.fast_rows(
        "SELECT source_record_id, kind, value FROM identifiers WHERE kind IN ('email', 'phone', 'phone_as_written')"
        " AND source_record_id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps([r[0] for r in rows])},
    ):
        idents[rid]["phone" if kind in PHONE_KINDS else "email"].add(value)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    earlier: dict[tuple[int, str, str], dict[str, Any]] = {}
    for rid, pid, source, file, stamp, data in rows:
        key = (pid, *_file_key(source, file))
        d = json.loads(data)
        now = {"org": d.get("organization", ""), "title": d.get("title", ""), "stamp": stamp,
               "emails": idents[rid]["email"], "phones": idents[rid]["phone"]}
        before = earlier.get(key)
        if before is not None and before["stamp"] != stamp:
            out[pid] += _changes(before, now, stamp[:10])
        if before is None or before["stamp"] != stamp:
            earlier[key] = {**now, "domains": {e.rsplit("@", 1)[-1] for e in now["emails"]} | (
                before["domains"] if before else set()), "all_phones": now["phones"] | (
                before["all_phones"] if before else set())}
    return dict(out)


def _changes(before: dict[str, Any], now: dict[str, Any], seen: str) -> list[dict[str, Any]]:
    found = []
    if now["org"] and before["org"] and now["org"].casefold() != before["org"].casefold():
        found.append({"kind": "employer", "old": before["org"], "new": now["org"], "seen": seen,
                      "title": now["title"]})
    elif now["title"] and before["title"] and now["title"].casefold() != before["title"].casefold():
        found.append({"kind": "title", "old": before["title"], "new": now["title"], "seen": seen,
                      "org": now["org"]})
    for domain in sorted({e.rsplit("@", 1)[-1] for e in now["emails"]} - before["domains"]):
        if before["domains"]:  # a first address is not news
            found.append({"kind": "email_domain", "old": ", ".join(sorted(before["domains"])), "new": domain,
                          "seen": seen})
    if before["all_phones"] and now["phones"] - before["all_phones"]:
        found.append({"kind": "phone", "old": "", "new": sorted(now["phones"] - before["all_phones"])[0],
                      "seen": seen})
    return found


def in_words(event: dict[str, Any], name: str) -> str:
    """A life event as a reason to get in touch."""
    who = name or "they"
    if event["kind"] == "employer":
        role = f" as {event['title']}" if event.get("title") else ""
        return f"{who} moved from {event['old']} to {event['new']}{role}: congratulate them"
    if event["kind"] == "title":
        at = f" at {event['org']}" if event.get("org") else ""
        return f"{who} is now {event['new']}{at} (was {event['old']}): congratulate them"
    if event["kind"] == "email_domain":
        return f"{who} has a new address at {event['new']}: ask how the new place is"
    return f"{who} has a new phone number: say hello"
