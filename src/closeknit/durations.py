"""Durations and ages in words: one definition for the score's explanations and the report."""

from __future__ import annotations

import math

# Days are counted back from the end of the scoring day (scores are computed "as of" a day, at the
# start of the next one), so an age of d days means the contact was on the calendar day
# ceil(d) - 1 days before that day; a slack of a millisecond absorbs float rounding.
_SLACK = 1e-8
# Data that ends this long before the scoring day is an archive: every tie looks dormant (scoring's hint), and
# no recent cut-off can be back-tested (the report says so rather than "your history is short").
STALE_DAYS = 365


def number(value: object) -> float | None:
    """A finite float from untrusted data (a stored feature, report JSON), else None."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def span(days: object) -> str:
    """A duration in words: "1 day", "5 days", "3 weeks", "9 months", "2 years" ("–" when unknown)."""
    d = number(days)
    if d is None or d < 0:
        return "–"
    n = math.floor(d + 0.5)  # whole days, halves up
    if n == 0:
        return "less than a day"
    if n < 14:
        return "1 day" if n == 1 else f"{n} days"
    if d < 60:
        return f"{round(d / 7)} weeks"
    if d < 730:
        return f"{round(d / 30.4)} months"
    return f"{round(d / 365)} years"


def calendar_days(days: float) -> int:
    """Whole calendar days between a moment `days` before the end of the scoring day and that day."""
    return max(math.ceil(days - _SLACK) - 1, 0)


def ago(days: object, *, calendar: bool = True) -> str:
    """How long ago, in words: "today", "1 day ago", "3 weeks ago" ("never" when unknown).

    With `calendar` (the default) `days` is a fractional age measured from the end of the scoring
    day and is first turned into calendar days; pass whole calendar days with calendar=False (a
    difference of two dates). Both give the same words for the same contact.
    """
    d = number(days)
    if d is None:
        return "never"
    n = calendar_days(d) if calendar else max(int(d), 0)
    return "today" if n == 0 else f"{span(n)} ago"


def every(days: object) -> str:
    """A usual gap in words: "every day", "every ~3 weeks"."""
    d = number(days)
    if d is not None and d < 1.5:
        return "every day"
    return f"every ~{span(days)}"


_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_days(text: str) -> int | None:
    """Whole days from "10d", "6w", "3m" (30 days each), "1y" or a bare number of days; None if it is none of these."""
    t = text.strip().lower()
    unit = t[-1:] if t[-1:] in _UNIT_DAYS else "d"
    count = t[:-1] if t[-1:] in _UNIT_DAYS else t
    if not count.isdigit() or int(count) > 100_000:
        return None
    return int(count) * _UNIT_DAYS[unit]
