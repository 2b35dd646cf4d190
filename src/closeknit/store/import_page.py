"""Reads for the import page: the records an upload's files sent to quarantine, with their raw text."""

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
