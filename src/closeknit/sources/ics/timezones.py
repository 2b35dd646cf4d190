"""Resolve TZIDs (Olson, Windows, legacy Outlook names, fixed offsets) and attach zones icalendar missed."""

from __future__ import annotations

import contextlib
import functools
import re
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from icalendar import Component
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from closeknit.sources.ics.values import _param

_OFFSET_PREFIX = re.compile(r"^\(?\s*(?:GMT|UTC)\s*(?:[+-]\s*\d{1,2}(?:[:.]?\d{2})?)?\s*\)?\s*", re.I)
_FIXED_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?", re.I)

# TZIDs seen in the wild that neither zoneinfo nor the Windows (CLDR) table knows; keys lowercase.
_EXTRA_ZONES = {
    "us-eastern": "America/New_York",
    "us-central": "America/Chicago",
    "us-mountain": "America/Denver",
    "us-pacific": "America/Los_Angeles",
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "western/central europe": "Europe/Berlin",
    "amsterdam, berlin, bern, rome, stockholm, vienna": "Europe/Berlin",
    "brussels, copenhagen, madrid, paris": "Europe/Paris",
    "dublin, edinburgh, lisbon, london": "Europe/London",
    "greenwich mean time : dublin, edinburgh, lisbon, london": "Europe/London",
    "greenwich mean time": "Europe/London",
    "central european time": "Europe/Berlin",
}
_WINDOWS_LOWER = {key.lower(): value for key, value in WINDOWS_TO_OLSON.items()}
_TIMED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")


def _fix_zones(comp: Component) -> None:
    """Undo zones put on dates (VALUE=DATE;TZID=...) and attach zones icalendar could not resolve.

    icalendar leaves a time naive when it does not know its TZID; we know a few more names.
    """
    for name in _TIMED:
        values = comp.get(name)
        for prop in values if isinstance(values, list) else [values]:
            if prop is None:
                continue
            items = getattr(prop, "dts", None) or [prop]
            if _param(prop, "VALUE").upper() == "DATE":
                for item in items:
                    if isinstance(item.dt, datetime):
                        item.dt = item.dt.date()
                continue
            tzid = _param(prop, "TZID")
            zone = _resolve_zone(tzid) if tzid else None
            if zone is not None:
                for item in items:
                    item.dt = _attach(item.dt, zone)


def _attach(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, tuple):
        return tuple(_attach(part, zone) for part in value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


@functools.lru_cache(maxsize=512)  # asked again for every dated property of every event
def _resolve_zone(name: str) -> tzinfo | None:
    """A zone for an Olson, Windows or common Outlook/legacy name; None when unknown."""
    cleaned = name.strip().strip('"').strip("/").strip()
    offset = _FIXED_OFFSET.fullmatch(cleaned)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours <= 14 and minutes < 60:
            delta = timedelta(hours=hours, minutes=minutes)
            return timezone(-delta if sign == "-" else delta)
    candidates = [cleaned]
    bare = _OFFSET_PREFIX.sub("", cleaned).strip()
    if bare and bare != cleaned:
        candidates.append(bare)
    if "/" in cleaned:
        parts = cleaned.split("/")
        candidates.extend("/".join(parts[i:]) for i in range(1, len(parts)))
    for candidate in candidates:
        low = candidate.lower()
        for key in (candidate, _WINDOWS_LOWER.get(low), _EXTRA_ZONES.get(low)):
            if key and (zone := _olson(key)) is not None:
                return zone
        if low.endswith(" daylight time"):  # "Eastern Daylight Time": the Windows zone's summer name
            olson = _WINDOWS_LOWER.get(low.removesuffix(" daylight time") + " standard time")
            if olson and _olson(olson) is not None:
                return _olson(olson)
    return None


def _olson(key: str) -> tzinfo | None:
    if not key or len(key) > 64 or key.startswith(("/", ".")) or ".." in key:
        return None
    try:
        return zoneinfo.ZoneInfo(key)
    except Exception:
        return None


def _reset_zone_cache() -> None:
    """Forget custom VTIMEZONEs registered by earlier files: a TZID means what this file says."""
    with contextlib.suppress(Exception):
        tzp.use(tzp.name)
