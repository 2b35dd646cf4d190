"""Reads for the import page: the records an upload's files sent to quarantine (with raw text), where mail ends."""

from __future__ import annotations

from typing import Any

from closeknit.store.base import Base

RAW_CHARS = 2000  # of each record's raw text shown


def under(db: Base, folder: str, limit: int = 200) -> list[dict[str, Any]]:
    """Quarantined records from files under `folder` (a path prefix), oldest first, raw text cut to RAW_CHARS."""
    prefix = folder.rstrip("/") + "/"
    rows = db.rows(
        "SELECT id, source, file, record, reason, substr(raw, 1, :cut) AS raw, length(raw) AS raw_chars, created_at"
        " FROM quarantine WHERE substr(file, 1, :n) = :prefix ORDER BY id LIMIT :limit",
        {"cut": RAW_CHARS, "n": len(prefix), "prefix": prefix, "limit": limit},
    )
    return [dict(r._mapping) for r in rows]


def newest_message_day(db: Base) -> str | None:
    """The day of the newest message that is not bulk (YYYY-MM-DD), or None: where a mail archive ends (a
    calendar's meetings may be planned months ahead)."""
    ts = db.scalar("SELECT max(ts) FROM interactions WHERE channel = 'email' AND ts IS NOT NULL AND bulk = ''"
                   " AND cancelled = 0")
    return None if ts is None else str(db.scalar("SELECT date(:t, 'unixepoch')", {"t": ts}))
