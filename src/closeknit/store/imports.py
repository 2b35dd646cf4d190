"""The log of imports: one row per import run, with what it did."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from closeknit.store.base import Base, now_iso


def record(db: Base, kinds: Iterable[str], path: str, started: str, summary: dict[str, Any]) -> None:
    """Log one finished import: its kinds, the path given, when it started and ended, its counts."""
    db.execute(
        "INSERT INTO imports(kind, path, started_at, finished_at, summary) VALUES (:k, :p, :s, :f, :j)",
        {"k": ",".join(sorted(set(kinds))), "p": path, "s": started, "f": now_iso(), "j": json.dumps(summary)},
    )
