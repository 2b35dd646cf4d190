"""Reasons and flags: short texts from exceptions, their stable heads, and the counters kept under them."""

from __future__ import annotations

import re


def _flag_category(flag: str) -> str:
    for head in ("unknown time zone", "floating time", "all-day event"):
        if flag.startswith(head):
            return head
    return _category(flag)


def _category(reason: str) -> str:
    """The stable head of a reason or flag ("no DTSTART (iTIP REPLY message)" -> "no DTSTART")."""
    return re.split(r"[:,(]", reason, maxsplit=1)[0].strip()


def _short(exc: object) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def _bump(stats: dict[str, int], key: str, amount: int = 1) -> None:
    stats[key] = stats.get(key, 0) + amount
