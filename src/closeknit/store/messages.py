"""Stored mail messages with everyone on them, in time order: the co-occurrence evidence of who knows whom."""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from closeknit.store.base import Base

_PARTIES_SQL = """
SELECT i.id, i.ts, ip.person_id, ip.role = 'from'
FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id
WHERE i.channel = 'email' AND i.ts IS NOT NULL AND i.cancelled = 0 AND ip.role IN ('from', 'to', 'cc', 'bcc')
ORDER BY i.ts, i.id
"""


class Mail(NamedTuple):
    """One message: when, who sent it (From; normally one person) and who received it (To, Cc, Bcc), by person id."""

    ts: int
    senders: frozenset[int]
    recipients: frozenset[int]

    @property
    def participants(self) -> frozenset[int]:
        return self.senders | self.recipients


def mail(db: Base) -> list[Mail]:
    """Every dated mail message with its people, oldest first (ties by id)."""
    rows = db.fast_rows(_PARTIES_SQL)
    out: list[Mail] = []
    for (_, ts), group in groupby(rows, key=lambda r: (r[0], r[1])):
        parts = list(group)
        out.append(Mail(int(ts), frozenset(r[2] for r in parts if r[3]), frozenset(r[2] for r in parts if not r[3])))
    return out
