"""Recurrence rules: repair unreadable RRULEs, drop those that match no date."""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from icalendar.prop import vBroken, vRecur

from closeknit.sources.ics.reasons import _short

if TYPE_CHECKING:
    from closeknit.sources.ics.events import _Event

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


UNREADABLE = "unreadable recurrence"


def _repair_rules(event: _Event) -> str:
    """Keep readable RRULEs; retry unreadable ones without blanks ("BYDAY=MO, TU")."""
    comp = event.comp
    rules = comp.get("RRULE")
    if rules is None:
        return ""
    kept: list[Any] = []
    for rule in rules if isinstance(rules, list) else [rules]:
        if not isinstance(rule, vBroken):
            kept.append(rule)
            continue
        try:
            repaired = vRecur(vRecur.from_ical(re.sub(r"\s+", "", str(rule))))
        except Exception:
            event.notes.append(f"{UNREADABLE} RRULE {_short(str(rule))}: only its first occurrence kept")
            continue
        kept.append(repaired)
        event.notes.append("RRULE repaired (blanks removed)")
    possible = [rule for rule in kept if _rule_possible(rule)]
    if len(possible) != len(kept):
        event.notes.append("RRULE matches no date, only DTSTART kept")
    comp.pop("RRULE")
    if possible:
        comp["RRULE"] = possible if len(possible) > 1 else possible[0]
    return ""


def _rule_possible(rule: Any) -> bool:
    """False when the rule's date filters match no day at all (e.g. BYMONTH=2;BYMONTHDAY=30).

    dateutil looks for a first match until the year 9999 and takes minutes on such rules.
    BYDAY ordinals, BYSETPOS and INTERVAL are ignored, so the answer errs towards True.
    """
    try:
        parts = {name: tuple(rule.get(name, ())) for name in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")}
        simple = not parts["BYYEARDAY"] and not parts["BYWEEKNO"]
        if (
            simple
            and not (parts["BYMONTH"] and parts["BYMONTHDAY"])
            and all(abs(int(day)) <= 28 for day in parts["BYMONTHDAY"])
        ):
            return True  # one month, or days of the month every month has, always match
        weekdays = tuple(sorted({_WEEKDAYS.index(str(day)[-2:].upper()) for day in rule.get("BYDAY", ())}))
        wkst = _WEEKDAYS.index(str((rule.get("WKST") or ["MO"])[0]).upper()[:2])
        return _dates_possible(
            tuple(int(v) for v in parts["BYMONTH"]),
            tuple(int(v) for v in parts["BYMONTHDAY"]),
            tuple(int(v) for v in parts["BYYEARDAY"]),
            tuple(int(v) for v in parts["BYWEEKNO"]),
            weekdays,
            wkst,
        )
    except Exception:
        return True


@functools.lru_cache(maxsize=256)
def _dates_possible(
    months: tuple[int, ...],
    monthdays: tuple[int, ...],
    yeardays: tuple[int, ...],
    weeknos: tuple[int, ...],
    weekdays: tuple[int, ...],
    wkst: int,
) -> bool:
    """Whether any day of 2000-2027 (every kind of year: leap or not, any first weekday) matches."""
    for year in range(2000, 2028):
        first = date(year, 1, 1)
        length = (date(year + 1, 1, 1) - first).days
        week1, next_week1 = _week_one(year, wkst), _week_one(year + 1, wkst)
        weeks = (next_week1 - week1).days // 7
        for number in range(length):
            day = first + timedelta(days=number)
            if months and day.month not in months:
                continue
            if monthdays:
                size = monthrange(year, day.month)[1]
                if day.day not in monthdays and day.day - size - 1 not in monthdays:
                    continue
            if yeardays and number + 1 not in yeardays and number - length not in yeardays:
                continue
            if weekdays and day.weekday() not in weekdays:
                continue
            if weeknos and week1 <= day < next_week1:
                week = (day - week1).days // 7 + 1
                if week not in weeknos and week - weeks - 1 not in weeknos:
                    continue
            return True
    return False


def _week_one(year: int, wkst: int) -> date:
    """First day of week 1 (RFC 5545: the first week with at least four days of the year)."""
    first = date(year, 1, 1)
    offset = (first.weekday() - wkst) % 7
    return first - timedelta(days=offset) if offset <= 3 else first + timedelta(days=7 - offset)
