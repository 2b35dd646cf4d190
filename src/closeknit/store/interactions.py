"""Interactions as the user sees them: the manual log and a person's timeline."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from closeknit.errors import InputError
from closeknit.identity.shown import display
from closeknit.records import InteractionRecord, content_hash
from closeknit.store.base import Base
from closeknit.store.people import name_sql
from closeknit.store.writer import Writer

CHANNELS = ("call", "meeting", "coffee", "message", "email", "other")
DIRECTIONS = ("out", "in", "both")


def log(db: Base, pid: int, channel: str, when: datetime, direction: str, note: str) -> bool:
    """Record an interaction by hand; False when the same entry was already logged."""
    if channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if direction not in DIRECTIONS:
        raise InputError(f"unknown direction {direction!r}: use out, in or both")
    key = content_hash(f"{pid}|{channel}|{when.isoformat()}|{direction}|{note}")
    rec = InteractionRecord(
        source="manual", channel=channel, file="manual log", record=0,
        raw=json.dumps({"person": pid, "channel": channel, "when": when.isoformat(), "direction": direction,
                        "note": note}),
        key=key, when=when, subject=note[:200], direction=direction, note=note, size=1,
    )
    writer = Writer(db)
    writer.add_interaction(rec, known=[(pid, "with")])
    writer.flush()
    return writer.outcomes["added"] == 1


def timeline(db: Base, pid: int, limit: int | None = None) -> list[dict[str, Any]]:
    """One person's interactions, newest first, with everyone who took part."""
    # The interactions shown are chosen first, so who took part is read for those only.
    order = "i.ts IS NULL, i.ts DESC, i.id DESC"
    rows = db.rows(
        "WITH shown(id, n) AS (SELECT i.id, row_number() OVER (ORDER BY " + order + ") FROM interactions i"
        " WHERE i.id IN (SELECT interaction_id FROM interaction_parties WHERE person_id = :p)"
        " ORDER BY " + order + (" LIMIT :n" if limit else "") + ")"
        " SELECT i.id, i.occurred_at, i.channel, i.direction, i.subject, i.bulk, i.folder, i.source,"
        f" (SELECT json_group_array(json_object('id', p.id, 'name', {name_sql('p')}, 'role', x.role, 'me', p.is_me))"
        "   FROM interaction_parties x JOIN people p ON p.id = x.person_id WHERE x.interaction_id = i.id)"
        " FROM shown JOIN interactions i ON i.id = shown.id ORDER BY shown.n",
        {"p": pid, "n": limit},
    )
    return [
        {
            "when": r[1], "channel": r[2], "direction": r[3], "subject": r[4], "bulk": r[5], "folder": r[6],
            "source": r[7],
            "participants": [
                {"id": x["id"], "name": display(x["name"]), "role": x["role"], "is_me": bool(x["me"])}
                for x in json.loads(r[8])
            ],
        }
        for r in rows
    ]
