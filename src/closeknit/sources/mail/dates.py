"""Parse Date headers and mbox separator dates into UTC, with a flag for what was assumed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz

from closeknit.sources.mail.cache import _ADDR_CACHE_MAX, _remember
from closeknit.sources.mail.zones import _fast_zone, _offset, _zone_offset

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DATE_RE = re.compile(
    r"\s*(?:[A-Za-z]+\s*,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*\.?[\s-]+(\d{2,4})\s*,?\s+"
    r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?\s*(?:([+-])\s*(\d{2}):?(\d{2})\b|([A-Za-z]{1,5})\b)?"
    r"(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?\b)?"
)
# asctime-like: "Mon Apr 18 14:23:23 2022" (mbox separators, some clients' Date headers).
_ASCTIME_RE = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+"
    r"(?:([+-]\d{4}|[A-Za-z]{1,5})\s+)?(\d{4})(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?"
)
# "Tuesday, May 15, 2001 2:30 PM", "May 15 2001 14:30:00 -0400"
_MONTH_FIRST_RE = re.compile(
    r"\s*(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp][Mm])?\s*([+-]\d{4}|[A-Za-z]{1,5}\b)?"
)
_ISO_RE = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_MIN_YEAR = 1971
# The first moment of 1980 (UTC) is what a zeroed clock of the DOS era writes, not a date anyone sent mail on.
_BLANK_CLOCK = datetime(1980, 1, 1, tzinfo=UTC)


def _separator_date(sep: bytes) -> datetime | None:
    """The date on an mbox 'From ' line (asctime, optionally with a zone), as UTC."""
    m = _ASCTIME_RE.search(sep.decode("latin-1"))
    if not m:
        return None
    month = _MONTHS.get(m.group(1).lower())
    if month is None:
        return None
    zone = m.group(6) or m.group(8)
    offset = (_zone_offset(zone) or 0) if zone else 0
    try:
        when = datetime(
            int(m.group(7)), month, int(m.group(2)), int(m.group(3)), int(m.group(4)),
            min(int(m.group(5) or 0), 59), tzinfo=UTC,
        )  # fmt: skip
        return when - _offset(offset)
    except (ValueError, OverflowError):
        return None


_DATE_CACHE: dict[str, tuple[datetime | None, str]] = {}


def _parse_date(value: str) -> tuple[datetime | None, str]:
    """(UTC datetime, flag) for a Date header value; (None, reason) when unusable; cached."""
    cached = _DATE_CACHE.get(value)
    if cached is None:
        cached = _parse_date_uncached(value)
        _remember(_DATE_CACHE, value, cached, _ADDR_CACHE_MAX // 2)
    return cached


def _parse_date_uncached(value: str) -> tuple[datetime | None, str]:
    # Fast path: "[Day,] DD Mon YYYY HH:MM:SS +ZZZZ [(comment)]".
    parts = value.split()
    if len(parts) >= 5:
        first = parts[0]
        if first[-1:] == "," or first.isalpha():
            del parts[0]
        if len(parts) >= 5:
            day, mon, year, hms, zone = parts[:5]
            month = _MONTHS.get(mon.lower())
            delta = _fast_zone(zone) if month else None
            if delta is not None and len(year) == 4 and hms.count(":") == 2:
                hh, mm, ss = hms.split(":")
                try:
                    y = int(year)
                    when = datetime(y, month, int(day), int(hh), int(mm), int(ss), tzinfo=UTC) - delta  # type: ignore[arg-type]
                except (ValueError, OverflowError):
                    pass
                else:
                    if y >= _MIN_YEAR and when <= _LATEST and when != _BLANK_CLOCK:
                        return when, ""
    return _parse_date_full(value)


def _parse_date_full(value: str) -> tuple[datetime | None, str]:
    """Broken and unusual forms: no zone, named zones, two-digit years, AM/PM, ..."""
    m = _DATE_RE.match(value)
    flag = ""
    if m:
        day, mon, year, hour, minute, second, sign, zh, zm, zname, sign2, zh2, zm2 = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return _parse_date_slow(value)
        y = int(year)
        if len(year) == 2:
            y += 2000 if y < 50 else 1900
        elif len(year) == 3:
            y += 1900
            flag = "three-digit year"
        elif y < 100 and (month, int(day), int(hour), int(minute), int(second or 0)) != (1, 1, 0, 0, 0):
            # "28 Feb 0002": a two-digit year padded to four digits, read as RFC 5322 reads two digits
            # (1 January 0001 at midnight is no such date but a blank clock: left implausible)
            y += 2000 if y < 50 else 1900
            flag = f"year written as {year}, read as {y}"
        offset: int | None
        if sign is not None:
            offset = int(zh) * 60 + int(zm)
            if sign == "-":
                offset = -offset
        elif zname is not None and zname.upper() in ("AM", "PM"):
            hour = str(int(hour) % 12 + (12 if zname.upper() == "PM" else 0))
            offset = None
            if sign2 is not None:  # "2:30 PM +0200"
                offset = int(zh2) * 60 + int(zm2 or 0)
                offset = -offset if sign2 == "-" else offset
        elif zname is not None:
            offset = _zone_offset(zname)
            if offset is not None and sign2 is not None:  # "GMT+1", "UTC-05:00"
                extra = int(zh2) * 60 + int(zm2 or 0)
                offset += -extra if sign2 == "-" else extra
            if offset is None:
                flag = f"unknown time zone {zname[:8]}, assumed UTC"
                offset = 0
        else:
            offset = None
        if offset is None:
            offset = 0
            flag = flag or "Date has no time zone, assumed UTC"
        elif abs(offset) > 14 * 60:
            flag = "impossible time zone offset, assumed UTC"
            offset = 0
        try:
            when = datetime(y, month, int(day), int(hour), int(minute), min(int(second or 0), 59), tzinfo=UTC)
            when -= _offset(offset)
        except (ValueError, OverflowError):
            return _parse_date_slow(value)
        return _plausible(when, flag)
    return _parse_date_slow(value)


def _parse_date_slow(value: str) -> tuple[datetime | None, str]:
    """Less common forms: ISO 8601, asctime, hour 24, whatever email.utils understands."""
    m = _ISO_RE.match(value)
    if m:
        year, month, day, hour, minute, second, zone = m.groups()
        flag = ""
        offset = 0
        if zone is None:
            flag = "Date has no time zone, assumed UTC"
        elif zone != "Z":
            digits = zone.replace(":", "")
            offset = (int(digits[1:3]) * 60 + int(digits[3:5])) * (-1 if digits[0] == "-" else 1)
        try:
            when = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC)
            when -= _offset(offset)
        except (ValueError, OverflowError):
            return None, "unparseable Date header"
        return _plausible(when, flag)
    mf = _MONTH_FIRST_RE.match(value)
    if mf:
        mon, day, year, hour, minute, second, ampm, zone = mf.groups()
        month = _MONTHS.get(mon[:3].lower())
        if month is not None:
            h = int(hour)
            if ampm:
                h = h % 12 + (12 if ampm.upper() == "PM" else 0)
            minutes = _zone_offset(zone) if zone else None
            try:
                when = datetime(int(year), month, int(day), h, int(minute), int(second or 0), tzinfo=UTC)
                when -= _offset(minutes or 0)
            except (ValueError, OverflowError):
                return None, "unparseable Date header"
            return _plausible(when, "" if minutes is not None else "Date has no time zone, assumed UTC")
    a = _ASCTIME_RE.search(value)
    if a:
        stamp = _separator_date(value.encode("latin-1", "replace"))
        if stamp is not None:
            zone = a.group(6) or a.group(8)
            return _plausible(stamp, "" if zone else "Date has no time zone, assumed UTC")
    fixed = re.sub(r"\b24:(\d\d)", r"00:\1", value, count=1)
    if fixed != value:
        moved, flag = _parse_date_full(fixed)
        if moved is not None:
            return moved + timedelta(days=1), flag
    try:
        parts = parsedate_tz(value)
        if parts is not None and parts[0] >= 1000:
            y, mo, d, hh, mi, ss = parts[:6]
            guess = datetime(y, mo, d, hh, mi, min(ss, 59), tzinfo=UTC) - timedelta(seconds=parts[9] or 0)
            return _plausible(guess, "Date in an unusual form")
    except (ValueError, OverflowError, TypeError, IndexError):
        pass
    return None, "unparseable Date header"


def _refresh_clock() -> None:
    global _LATEST
    _LATEST = datetime.now(UTC) + timedelta(days=2)


_LATEST = datetime.now(UTC) + timedelta(days=2)  # a Date after this is implausible


def _plausible(when: datetime, flag: str) -> tuple[datetime | None, str]:
    if when.year < _MIN_YEAR or when > _LATEST:
        return None, f"implausible Date header (year {when.year})"
    if when == _BLANK_CLOCK:
        return None, "Date header is a blank clock (1980-01-01 00:00 UTC)"
    return when, flag
