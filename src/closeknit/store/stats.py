"""Health and counts for `closeknit doctor`."""

from __future__ import annotations

import json
from typing import Any

from closeknit.identity.normalise import placeholder_name
from closeknit.store.base import Base

# Stored mail that is one message filed in several folders: the same second, sender, recipients and
# subject in another folder (within one folder, such twins are separate sends, e.g. automated notices;
# without a date two messages cannot be told to be one).
_COPIES = (
    "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(DISTINCT i.folder) AS n FROM interactions i"
    " JOIN interaction_parties f ON f.interaction_id = i.id AND f.role = 'from'"
    " WHERE i.channel = 'email' AND i.ts IS NOT NULL GROUP BY i.ts, f.address, lower(i.subject),"
    " (SELECT group_concat(address) FROM (SELECT address FROM interaction_parties r"
    "   WHERE r.interaction_id = i.id AND r.role IN ('to', 'cc') ORDER BY address)))"
)


def doctor(db: Base) -> dict[str, Any]:
    count = lambda sql: int(db.scalar(sql) or 0)  # noqa: E731
    last = db.rows("SELECT kind, path, finished_at, summary FROM imports ORDER BY id DESC LIMIT 1")
    return {
        "database": str(db.path.resolve()),
        "schema_version": db.schema_version(),
        "people": count("SELECT count(*) FROM people WHERE is_me = 0"),
        "me": [p for (p,) in db.rows("SELECT id FROM people WHERE is_me = 1")],
        "me_addresses": db.get_setting("me_addresses", []),
        "interactions": count("SELECT count(*) FROM interactions"),
        "source_records": count("SELECT count(*) FROM source_records"),
        "quarantined": count("SELECT count(*) FROM quarantine"),
        "review_open": count("SELECT count(*) FROM review_queue WHERE status = 'open'"),
        # Both should be 0: a stand-in name ("e-mail", "LinkedIn Member") is nobody's, and a copy counts once.
        "placeholder_names": sum(1 for (name,) in db.stream("SELECT name FROM people WHERE is_me = 0 AND name != ''")
                                 if placeholder_name(name)),
        "duplicate_copies": count(_COPIES),
        "per_source": {s: n for s, n in db.rows("SELECT source, count(*) FROM source_records GROUP BY source")},
        "interactions_per_channel": {
            c: n for c, n in db.rows("SELECT channel, count(*) FROM interactions GROUP BY channel")
        },
        "quarantine_per_source": {s: n for s, n in db.rows("SELECT source, count(*) FROM quarantine GROUP BY source")},
        "last_import": (
            {"kind": last[0][0], "path": last[0][1], "finished_at": last[0][2], **json.loads(last[0][3])}
            if last else None
        ),
    }


def quarantine(db: Base, limit: int = 50) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in db.rows(
            "SELECT id, source, file, record, reason, length(raw) AS raw_chars, created_at FROM quarantine"
            " ORDER BY id DESC LIMIT :n",
            {"n": limit},
        )
    ]
