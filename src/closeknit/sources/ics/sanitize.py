"""Make a parsed VEVENT safe to expand: drop unreadable values, note what was dropped, or reject it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from icalendar.prop import vBroken

from closeknit.sources.ics.rules import _repair_rules
from closeknit.sources.ics.timezones import _fix_zones
from closeknit.sources.ics.values import _as_utc, _is_moment, _text, _value

if TYPE_CHECKING:
    from closeknit.sources.ics.events import _Event

# Properties that hold one value; a repeated one keeps its first readable value.
_SINGLE = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE", "UID", "SUMMARY", "STATUS")


def _sanitize(event: _Event) -> str:
    """Make a parsed VEVENT safe to expand; return a rejection reason or ""."""
    comp = event.comp
    for name in _SINGLE:
        value = comp.get(name)
        if isinstance(value, list):
            good = [item for item in value if not isinstance(item, vBroken)]
            comp.pop(name)
            if good:
                comp[name] = good[0]
            elif name == "DTSTART":
                return "bad DTSTART: unreadable value"
    start = comp.get("DTSTART")
    if start is None:
        itip = f" (iTIP {event.method[:20]} message)" if event.method not in ("", "PUBLISH") else ""
        return "no DTSTART" + itip
    if not _is_moment(start):
        return "bad DTSTART: unreadable value"
    rid = comp.get("RECURRENCE-ID")
    if rid is not None and not _is_moment(rid):
        return "bad RECURRENCE-ID: unreadable value"
    end = comp.get("DTEND")
    if end is not None and not _is_moment(end):
        comp.pop("DTEND")
        event.notes.append("unreadable DTEND ignored")
    length = comp.get("DURATION")
    if length is not None and not isinstance(_value(length), timedelta):
        comp.pop("DURATION")
        event.notes.append("unreadable DURATION ignored")
    # recurring_ical_events swaps a start and end given backwards, which would move the event.
    end = comp.get("DTEND")
    if end is not None and _as_utc(_value(end)) < _as_utc(_value(start)):
        comp.pop("DTEND")
        event.notes.append("DTEND before DTSTART ignored")
    length = comp.get("DURATION")
    if length is not None and _value(length) < timedelta(0):
        comp.pop("DURATION")
        event.notes.append("negative DURATION ignored")
    problem = _repair_rules(event)
    if problem:
        return problem
    for name in ("EXDATE", "RDATE"):
        _drop_unreadable_dates(event, name)
    sequence = comp.get("SEQUENCE")
    if sequence is not None:
        try:
            event.sequence = int(sequence)
        except (TypeError, ValueError):
            comp.pop("SEQUENCE")
    _fix_zones(comp)
    event.uid = _text(comp, "UID")
    rid = comp.get("RECURRENCE-ID")
    if rid is not None:
        event.recurrence_id = _as_utc(_value(rid))
    return ""


def _drop_unreadable_dates(event: _Event, name: str) -> None:
    """Drop EXDATE/RDATE values that are not dates, date-times or periods (noted on the record)."""
    comp = event.comp
    values = comp.get(name)
    if values is None:
        return
    props = values if isinstance(values, list) else [values]
    good: list[Any] = []
    dropped = False
    for prop in props:
        dts = None if isinstance(prop, vBroken) else getattr(prop, "dts", None)
        if not dts:
            dropped = True
            continue
        readable = [item for item in dts if _is_instant(getattr(item, "dt", None))]
        if len(readable) != len(dts):
            dropped = True
            prop.dts = readable
        if readable:
            good.append(prop)
    if dropped:
        event.notes.append(f"unreadable {name} ignored")
        comp.pop(name)
        if good:
            comp[name] = good if len(good) > 1 else good[0]


def _is_instant(value: Any) -> bool:
    """A date, date-time or a period starting at one (RDATE allows periods)."""
    if isinstance(value, tuple):
        return len(value) == 2 and isinstance(value[0], date) and isinstance(value[1], (date, timedelta))
    return isinstance(value, date)
