"""Parse VEVENTs with icalendar: the whole file, else calendar by calendar, else event by event."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import x_wr_timezone
from icalendar import Calendar, Component

from closeknit.sources.ics.layout import _Block, _Layout
from closeknit.sources.ics.reasons import _bump, _short
from closeknit.sources.ics.sanitize import _sanitize
from closeknit.sources.ics.timezones import _resolve_zone
from closeknit.sources.ics.values import _text

_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)


@dataclass(slots=True)
class _Event:
    """One parsed VEVENT, ready to be grouped into a series."""

    block: _Block
    comp: Component
    scope: int  # calendar it came from: UIDs are grouped within a scope
    folder: str
    method: str  # the calendar's METHOD (iTIP), uppercase
    notes: list[str] = field(default_factory=list)
    uid: str = ""
    sequence: int = -1
    recurrence_id: datetime | None = None  # UTC, for overrides


def _parse_events(layout: _Layout, lines: list[str], stats: dict[str, int]) -> tuple[list[_Event], dict[int, str]]:
    """Parse the VEVENTs: the whole file, else each VCALENDAR, else each VEVENT alone."""
    errors: dict[int, str] = {}
    events = _parse_section(lines, layout.blocks, None)
    if events is None:
        _bump(stats, "files_fallback")
        events = []
        checked: dict[str, bool] = {}
        for calendar in range(-1, len(layout.headers)):
            blocks = [block for block in layout.blocks if block.calendar == calendar]
            if not blocks:
                continue
            parsed = None
            if calendar >= 0:
                first, last = layout.spans[calendar]
                parsed = _parse_section(lines[first : last + 1], blocks, calendar)
            if parsed is not None:
                events.extend(parsed)
                continue
            for block, outcome in _parse_each(layout, blocks, checked):
                if isinstance(outcome, str):
                    errors[block.index] = outcome
                else:
                    events.append(outcome)
    ready: list[_Event] = []
    for event in events:
        problem = _sanitize(event)
        if problem:
            errors[event.block.index] = problem
        else:
            ready.append(event)
    return ready, errors


def _parse_section(lines: list[str], blocks: list[_Block], scope: int | None) -> list[_Event] | None:
    """The events of `blocks` from one parse of `lines`; None when it fails or disagrees."""
    if not blocks or any(not block.terminated for block in blocks):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            components = Calendar.from_ical("\n".join(lines), multiple=True)
            found: list[_Event] = []
            for number, top in enumerate(components):
                folder, method, standard = _calendar_context(top)
                for comp in standard.walk("VEVENT"):
                    if len(found) == len(blocks):
                        return None
                    block = blocks[len(found)]
                    found.append(_Event(block, comp, number if scope is None else scope, folder, method))
    except Exception:
        return None
    return found if len(found) == len(blocks) else None


def _parse_each(
    layout: _Layout, blocks: list[_Block], checked: dict[str, bool]
) -> Iterator[tuple[_Block, _Event | str]]:
    """Parse VEVENTs one by one, each wrapped with its calendar's properties and time zones."""
    calendar = blocks[0].calendar
    zones: dict[str, str] = {}
    for zone in sorted(layout.zones, key=lambda zone: zone.calendar != calendar):
        if zone.tzid and zone.tzid not in zones and _parses(zone.text, checked):
            zones[zone.tzid] = zone.text
    header = "".join(line + "\n" for line in layout.headers[calendar]) if calendar >= 0 else ""
    if not _parses(header, checked):
        header = ""
    for block in blocks:
        if not block.terminated:
            yield block, "unterminated VEVENT: no END:VEVENT (file cut short or malformed)"
            continue
        text = block.text
        used = {tzid.strip('"') for tzid in _TZID_PARAM.findall(re.sub(r"\n[ \t]", "", text))}
        wanted = "".join(zones[tzid] for tzid in sorted(used) if tzid in zones)
        wrapped = f"BEGIN:VCALENDAR\n{header}{wanted}{text}END:VCALENDAR\n"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                folder, method, standard = _calendar_context(Calendar.from_ical(wrapped))
                comps = standard.walk("VEVENT")
        except Exception as exc:
            yield block, f"unparseable VEVENT: {_short(exc)}"
            continue
        if len(comps) != 1:
            yield block, "unparseable VEVENT: nested or broken component structure"
            continue
        yield block, _Event(block, comps[0], calendar, folder, method)


def _parses(body: str, checked: dict[str, bool]) -> bool:
    """Whether calendar-level text parses on its own (this also registers its VTIMEZONEs)."""
    if not body:
        return True
    if body not in checked:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Calendar.from_ical(f"BEGIN:VCALENDAR\n{body}END:VCALENDAR\n")
            checked[body] = True
        except Exception:
            checked[body] = False
    return checked[body]


def _calendar_context(top: Component) -> tuple[str, str, Component]:
    """(X-WR-CALNAME, METHOD, calendar with X-WR-TIMEZONE applied) of a parsed top component."""
    if getattr(top, "name", "") != "VCALENDAR":
        return "", "", top
    folder = _text(top, "X-WR-CALNAME")
    method = _text(top, "METHOD").upper()
    zone_name = _text(top, "X-WR-TIMEZONE")
    zone = _resolve_zone(zone_name) if zone_name else None
    if zone is not None:
        with contextlib.suppress(Exception):
            top = x_wr_timezone.to_standard(top, timezone=zone)
    return folder, method, top
