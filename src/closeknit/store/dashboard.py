"""Reads for the dashboard: which score run the stored scores come from (the report's cache key)."""

from __future__ import annotations

from closeknit.store.base import Base


def run_key(db: Base) -> tuple[int, str] | None:
    """(id, computed_at) of the last score run, None before the first: changes whenever scores are saved."""
    rows = db.rows("SELECT id, computed_at FROM score_runs ORDER BY id DESC LIMIT 1")
    return (int(rows[0][0]), str(rows[0][1])) if rows else None
