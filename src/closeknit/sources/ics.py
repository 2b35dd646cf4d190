"""Read iCalendar (.ics) files: one meeting record per event occurrence, recurrences expanded."""

from __future__ import annotations

import contextlib
import functools
import re
import warnings
import zoneinfo
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import x_wr_timezone
from icalendar import Calendar, Component
from icalendar.prop import vBroken, vRecur
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from recurring_ical_events import EventAdapter, Occurrence, Series

from closeknit.errors import InputError
from closeknit.records import InteractionItem, InteractionRecord, Party, RecordError, content_hash
from closeknit.sources.textio import decode, looks_binary

SOURCE = "ics"
DEFAULT_CAP = 2000  # occurrences kept per recurring series
RAW_LIMIT = 64 * 1024  # characters of VEVENT text kept in `raw`

# A truncated series keeps its most recent `cap` occurrences before `until` when finding them
# means walking at most this many times `cap` occurrences; denser rules keep the earliest ones.
_BACKWARD_BUDGET = 20
# A scan stops after generating this many times `cap` occurrences, kept or not: a rule such as
# FREQ=SECONDLY on an all-day event yields one occurrence per second but keeps one per day.
_GENERATED_BUDGET = 20
_FIRST_WINDOW = timedelta(hours=1)
_MARGIN = timedelta(days=2)
_FREQ_WINDOW = {
    "SECONDLY": timedelta(minutes=1),
    "MINUTELY": timedelta(hours=1),
    "HOURLY": timedelta(days=2),
    "DAILY": timedelta(days=30),
    "WEEKLY": timedelta(days=200),
    "MONTHLY": timedelta(days=800),
    "YEARLY": timedelta(days=366 * 20),
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MIN_UTC = datetime.min.replace(tzinfo=UTC)
_MAX_UTC = datetime.max.replace(tzinfo=UTC)

_BEGIN_END = re.compile(r"(BEGIN|END):([^\s:;]+)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OFFSET_PREFIX = re.compile(r"^\(?\s*(?:GMT|UTC)\s*(?:[+-]\s*\d{1,2}(?:[:.]?\d{2})?)?\s*\)?\s*", re.I)
_FIXED_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?", re.I)
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
_URI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# Addresses a calendar service puts where a person would be: a placeholder organiser, or the id of
# a calendar itself (shared, imported, holiday, birthday and room calendars).
_NOT_A_PERSON = re.compile(r"^(?:unknownorganizer|unknown)@|@(?:[a-z0-9-]+\.)*calendar\.google\.com$", re.I)
# A series with no attendee is nobody's meeting: a personal entry, or a subscribed holiday or
# birthday calendar. It is kept once, as its first occurrence, flagged, and never expanded.
PERSONAL = "no attendees: a personal, holiday or birthday entry"

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
# Properties that hold one value; a repeated one keeps its first readable value.
_SINGLE = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE", "UID", "SUMMARY", "STATUS")
_TIMED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")


def sniff(path: str | Path) -> bool:
    """True when the file is an iCalendar file (BEGIN:VCALENDAR, or a bare VEVENT, near the top)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    if not head:
        return False
    for line in _LINE_BREAK.split(decode(head))[:40]:  # a few corrupt bytes do not matter
        stripped = line.strip().lstrip("\ufeff").strip()
        if stripped.upper() in ("BEGIN:VCALENDAR", "BEGIN:VEVENT"):  # bare events: snippets, tests
            return True
    return False


def parse(
    path: str | Path,
    until: datetime | None = None,
    since: datetime | None = None,
    *,
    cap: int = DEFAULT_CAP,
    stats: dict[str, int] | None = None,
) -> Iterator[InteractionItem]:
    """Yield one InteractionRecord per event occurrence in [since, until), or a RecordError.

    `until` defaults to now (UTC); naive bounds are read as UTC. Each recurring series yields
    at most `cap` occurrences. When given, `stats` receives counters (added to what it holds):
    ``vevents`` = ``landed`` + ``no_occurrence`` + ``superseded`` + ``rejected`` for every
    ``BEGIN:VEVENT`` line of the file, plus ``occurrences``, ``truncated`` (series cut at the
    cap), ``files``, ``files_rejected``, ``files_fallback`` (whole-file parse failed, read
    calendar by calendar or event by event),
    ``reason:<category>`` and ``flag:<category>``; they are complete once the first item is out.
    Raises InputError only when the file cannot be opened.

    The file is parsed and expanded whole when the first item is requested. icalendar keeps
    custom VTIMEZONEs in a process-wide cache, which is reset for each file so that a TZID
    means what that file defines; do not parse calendars from several threads at once.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read calendar file {name}: {exc.strerror or type(exc).__name__}") from None
    high = _as_utc(until) if until is not None else datetime.now(UTC)
    low = _as_utc(since) if since is not None else None
    return _records(name, data, high, low, max(1, cap), stats if stats is not None else {})


# --------------------------------------------------------------------------- file layout


@dataclass(slots=True)
class _Block:
    """The text of one VEVENT as written, and where it sits."""

    index: int  # 1-based among the file's BEGIN:VEVENT lines
    lines: list[str]
    calendar: int  # which VCALENDAR of the file holds it (-1: none)
    terminated: bool = True

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(slots=True)
class _Zone:
    """A VTIMEZONE block as written."""

    calendar: int
    tzid: str
    text: str


@dataclass(slots=True)
class _Layout:
    """VEVENT and VTIMEZONE blocks, calendar properties and line spans found by scanning lines."""

    blocks: list[_Block] = field(default_factory=list)
    zones: list[_Zone] = field(default_factory=list)
    headers: list[list[str]] = field(default_factory=list)  # per VCALENDAR: its own properties
    spans: list[tuple[int, int]] = field(default_factory=list)  # per VCALENDAR: [first, last] lines


def _lines(text: str) -> list[str]:
    """Physical lines without their endings; BEGIN/END lines lose trailing blanks."""
    lines = _LINE_BREAK.split(text.lstrip("\ufeff"))
    for i, line in enumerate(lines):
        if line[:1] not in (" ", "\t") and line[:1].upper() in ("B", "E") and line != line.rstrip():
            stripped = line.rstrip()
            if _BEGIN_END.fullmatch(stripped):
                lines[i] = stripped
    return lines


def _layout(lines: list[str]) -> _Layout:
    """Split lines into VEVENT blocks; every BEGIN:VEVENT line starts exactly one block."""
    layout = _Layout()
    stack: list[str] = []
    event: _Block | None = None
    event_depth = 0
    zone: list[str] | None = None
    dest: list[str] | None = None  # where continuation lines go
    calendar = -1

    def close_event(terminated: bool) -> None:
        nonlocal event
        if event is not None:
            event.terminated = terminated
            layout.blocks.append(event)
            del stack[event_depth:]
            event = None

    def end_calendar(last: int) -> None:
        if calendar >= 0:
            layout.spans[calendar] = (layout.spans[calendar][0], last)

    for number, line in enumerate(lines):
        if line[:1] in (" ", "\t"):
            if dest is not None:
                dest.append(line)
            continue
        match = _BEGIN_END.fullmatch(line)
        kind = match.group(1).upper() if match else ""
        comp = match.group(2).upper() if match else ""
        if kind == "BEGIN" and comp == "VCALENDAR":
            close_event(terminated=False)
            zone = None
            calendar += 1
            layout.headers.append([])
            layout.spans.append((number, len(lines) - 1))
            if calendar > 0 and layout.spans[calendar - 1][1] >= number:
                layout.spans[calendar - 1] = (layout.spans[calendar - 1][0], number - 1)
            stack = ["VCALENDAR"]
            dest = None
            continue
        if kind == "BEGIN" and comp == "VEVENT":
            close_event(terminated=False)
            zone = None
            event = _Block(len(layout.blocks) + 1, [line], calendar)
            event_depth = len(stack)
            stack.append("VEVENT")
            dest = event.lines
            continue
        if event is not None:
            if kind == "END" and comp == "VCALENDAR":
                close_event(terminated=False)
                end_calendar(number)
                stack = []
                dest = None
                continue
            event.lines.append(line)
            dest = event.lines
            if kind == "BEGIN":
                stack.append(comp)
            elif kind == "END" and comp == "VEVENT":
                close_event(terminated=True)
                dest = None
            elif kind == "END" and comp in stack[event_depth + 1 :]:
                del stack[len(stack) - 1 - stack[::-1].index(comp) :]
            continue
        if zone is not None:
            zone.append(line)
            dest = zone
            if kind == "END" and comp == "VTIMEZONE":
                tzid = next((z.split(":", 1)[1] for z in zone if z[:5].upper() in ("TZID:", "TZID;")), "")
                layout.zones.append(_Zone(calendar, tzid.strip(), "\n".join(zone) + "\n"))
                zone = None
                dest = None
            continue
        if kind == "BEGIN" and comp == "VTIMEZONE":
            zone = [line]
            dest = zone
            continue
        if kind == "BEGIN":
            stack.append(comp)
            dest = None
        elif kind == "END":
            if comp in stack:
                del stack[len(stack) - 1 - stack[::-1].index(comp) :]
            if comp == "VCALENDAR":
                end_calendar(number)
            dest = None
        elif stack == ["VCALENDAR"] and line.strip() and calendar >= 0:
            layout.headers[calendar].append(line)
            dest = layout.headers[calendar]
        else:
            dest = None
    close_event(terminated=False)
    return layout


# --------------------------------------------------------------------------- parsing


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


def _value(prop: Any) -> Any:
    """The parsed value of a property, None when it is unreadable."""
    if prop is None or isinstance(prop, vBroken):
        return None
    return getattr(prop, "dt", None)


def _is_moment(prop: Any) -> bool:
    return isinstance(_value(prop), date)


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
            return f"bad recurrence: unreadable RRULE {_short(str(rule))}"
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


# --------------------------------------------------------------------------- records


def _records(
    name: str, data: bytes, high: datetime, low: datetime | None, cap: int, stats: dict[str, int]
) -> Iterator[InteractionItem]:
    _bump(stats, "files")
    text = decode(data)
    lines = _lines(text)
    layout = _layout(lines)
    problem = ""
    if not text.strip():
        problem = "empty file"
    elif not layout.blocks and not layout.headers:
        # Binary junk is rejected; a calendar with a few corrupt bytes is still read.
        if looks_binary(data):
            problem, text = "binary file, not iCalendar text", ""
        else:
            problem = "not an iCalendar file: no BEGIN:VCALENDAR"
    if problem:
        _bump(stats, "files_rejected")
        _bump(stats, "reason:" + _category(problem))
        yield RecordError(name, 0, problem, raw=text[:RAW_LIMIT])
        return
    _bump(stats, "vevents", len(layout.blocks))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _reset_zone_cache()
        events, errors = _parse_events(layout, lines, stats)
        outcomes: dict[int, str] = {}
        found: list[tuple[int, InteractionItem]] = []
        for group in _groups(events, outcomes):
            found.extend(_expand_group(name, group, high, low, cap, outcomes, errors, stats))
    blocks = {block.index: block for block in layout.blocks}
    for index, reason in errors.items():
        outcomes[index] = "rejected"
        _bump(stats, "reason:" + _category(reason))
        found.append((index, RecordError(name, index, reason, raw=blocks[index].text[:RAW_LIMIT])))
    for block in layout.blocks:
        _bump(stats, outcomes.get(block.index, "no_occurrence"))
    found.sort(key=lambda pair: pair[0])  # stable: occurrences stay in time order
    for _, item in found:
        if isinstance(item, InteractionRecord):
            _bump(stats, "occurrences")
            if item.when_flagged:
                _bump(stats, "flag:" + _flag_category(item.when_flagged))
    for _, item in found:
        yield item


def _reset_zone_cache() -> None:
    """Forget custom VTIMEZONEs registered by earlier files: a TZID means what this file says."""
    with contextlib.suppress(Exception):
        tzp.use(tzp.name)


def _newer(kept: _Event | None, event: _Event, outcomes: dict[int, str]) -> _Event:
    """Of two versions of one event, the higher SEQUENCE (the first on a tie); the other is superseded."""
    if kept is None:
        return event
    if event.sequence > kept.sequence:
        outcomes[kept.block.index] = "superseded"
        return event
    outcomes[event.block.index] = "superseded"
    return kept


def _groups(events: list[_Event], outcomes: dict[int, str]) -> Iterator[list[_Event]]:
    """Series to expand: [master, *overrides] per UID, or a lone override without master.

    Of several masters (or overrides of one RECURRENCE-ID) sharing a UID, the highest
    SEQUENCE wins, the first on a tie (RFC 5545 updates); the others are superseded.
    """
    by_uid: dict[tuple[int, str], list[_Event]] = {}
    for event in events:
        uid = event.uid or f"#{event.block.index}"
        by_uid.setdefault((event.scope, uid), []).append(event)
    for members in by_uid.values():
        masters = [event for event in members if event.recurrence_id is None]
        overrides: dict[datetime, _Event] = {}
        for event in members:
            if event.recurrence_id is None:
                continue
            overrides[event.recurrence_id] = _newer(overrides.get(event.recurrence_id), event, outcomes)
        master = None
        for event in masters:
            master = _newer(master, event, outcomes)
        if master is None:
            for override in overrides.values():
                yield [override]
        else:
            yield [master, *overrides.values()]


def _expand_group(
    name: str,
    group: list[_Event],
    high: datetime,
    low: datetime | None,
    cap: int,
    outcomes: dict[int, str],
    errors: dict[int, str],
    stats: dict[str, int],
) -> list[tuple[int, InteractionItem]]:
    """Records for one series; a series that fails is retried member by member."""
    personal = not any(event.comp.get("ATTENDEE") for event in group)
    try:
        occurrences, kept = _occurrences(group, high, low, 1) if personal else _occurrences(group, high, low, cap)
        head = group[0]
        raw = head.block.text[:RAW_LIMIT]
        uid = head.uid or content_hash(head.block.text)
        records = [_record(name, head, raw, uid, occurrence, event) for occurrence, event in occurrences]
    except Exception as exc:
        if len(group) > 1:
            result: list[tuple[int, InteractionItem]] = []
            for member in group:
                result.extend(_expand_group(name, [member], high, low, cap, outcomes, errors, stats))
            return result
        errors[group[0].block.index] = f"bad recurrence: {_short(exc)}"
        return []
    if personal and records:
        _bump(stats, "personal")
        records[0].bulk = PERSONAL
        if kept:
            records[0].note = _join(records[0].note, "recurring entry without attendees: kept once, not expanded")
    elif kept and records:
        _bump(stats, "truncated")
        records[0].note = _join(
            records[0].note,
            f"recurring series capped: kept its {kept} {len(records)} occurrences before {high:%Y-%m-%d}",
        )
    for _, event in occurrences:
        outcomes[event.block.index] = "landed"
    if records:
        outcomes[group[0].block.index] = "landed"
    return [(group[0].block.index, record) for record in records]


def _occurrences(
    group: list[_Event], high: datetime, low: datetime | None, cap: int
) -> tuple[list[tuple[Occurrence, _Event]], str]:
    """Occurrences starting in [low, high), in time order, at most `cap`, each with its VEVENT.

    The second value says which ones a truncated series kept ("most recent", "earliest") or "".
    A cap of 1 keeps the earliest occurrence, so its key does not change from one import to the next.
    """
    adapters = [EventAdapter(event.comp) for event in group]
    series = Series(adapters)
    by_rid: dict[Any, _Event] = {}
    for adapter, event in zip(adapters, group, strict=True):
        if adapter.recurrence_ids:
            by_rid[adapter.recurrence_ids[0]] = event
    earliest = min(_earliest(event) for event in group)
    start = _shift(max(low, earliest) if low is not None else earliest, -_MARGIN)
    if start >= high:
        return [], ""
    # The first window reaches from the margin to a few occurrences past the first one.
    first = _shift(start, _MARGIN) - start + _first_window(group[0], high - start)
    budget = [_GENERATED_BUDGET * (cap + 1)]
    found = _scan_forward(series, start, high, low, cap + 1, first, budget)
    kept = "earliest" if budget[0] < 0 else ""
    if len(found) > cap:
        kept = "earliest"
        per_occurrence = (found[cap][0] - found[0][0]) / cap
        walkable = per_occurrence > timedelta(0) and (high - found[0][0]) / per_occurrence <= _BACKWARD_BUDGET * cap
        if cap > 1 and walkable:
            kept = "most recent"
            budget = [_GENERATED_BUDGET * cap]
            found = _scan_backward(series, start, high, low, cap, per_occurrence * cap * 1.1, budget)
        found = found[:cap]
    result: list[tuple[Occurrence, _Event]] = []
    for _, occurrence in found:
        rids = occurrence.recurrence_ids
        result.append((occurrence, by_rid.get(rids[0], group[0]) if rids else group[0]))
    return result, kept


def _first_window(event: _Event, whole: timedelta) -> timedelta:
    """A first scan window holding a few occurrences of the densest rule; all when none repeats."""
    rules = event.comp.get("RRULE")
    windows = [whole]
    for rule in rules if isinstance(rules, list) else [rules]:
        try:
            freq = str(rule["FREQ"][0]).upper() if rule is not None else ""
        except (KeyError, IndexError, TypeError):
            freq = ""
        windows.append(_FREQ_WINDOW.get(freq, _FIRST_WINDOW) if rule is not None else whole)
    return max(min(windows), timedelta(seconds=1))


def _scan_forward(
    series: Series, start: datetime, high: datetime, low: datetime | None, limit: int, first: timedelta,
    budget: list[int],
) -> list[tuple[datetime, Occurrence]]:
    """Walk windows of doubling length from `start` until `high`, `limit` occurrences or the budget's end."""
    found: dict[Any, tuple[datetime, Occurrence]] = {}
    window = first
    at = start
    while at < high and len(found) < limit and budget[0] >= 0:
        stop = min(_shift(at, window), high)
        _collect(series, at, stop, low, high, found, budget)
        at = stop
        window *= 2
        seconds = (at - min(pair[0] for pair in found.values())).total_seconds() if found else 0.0
        if seconds > 0:
            # Do not overshoot `limit` by much on dense rules: aim at the occurrences still wanted.
            wanted = (limit - len(found)) * 1.25 * seconds / len(found)
            window = max(min(window, timedelta(seconds=wanted)), timedelta(seconds=1))
    return sorted(found.values(), key=lambda pair: pair[0])[:limit]


def _scan_backward(
    series: Series, start: datetime, high: datetime, low: datetime | None, limit: int, guess: timedelta,
    budget: list[int],
) -> list[tuple[datetime, Occurrence]]:
    """Walk windows of doubling length back from `high` (the first one `guess` long)."""
    found: dict[Any, tuple[datetime, Occurrence]] = {}
    window = max(guess, _FIRST_WINDOW)
    at = high
    while at > start and len(found) < limit and budget[0] >= 0:
        begin = max(_shift(at, -window), start)
        _collect(series, begin, at, low, high, found, budget)
        at = begin
        window *= 2
    return sorted(found.values(), key=lambda pair: pair[0])[-limit:]


def _collect(
    series: Series,
    begin: datetime,
    stop: datetime,
    low: datetime | None,
    high: datetime,
    found: dict[Any, tuple[datetime, Occurrence]],
    budget: list[int],
) -> None:
    """Add the occurrences in [begin, stop) to `found`, each generated one counted against `budget[0]`."""
    for occurrence in series.between(begin, stop):
        budget[0] -= 1
        if budget[0] < 0:
            return
        when = _as_utc(occurrence.start)
        if when >= high or (low is not None and when < low):
            continue
        found.setdefault(occurrence.id, (when, occurrence))


def _earliest(event: _Event) -> datetime:
    """The earliest moment any of this VEVENT's dates names (UTC)."""
    comp = event.comp
    start: Any = comp["DTSTART"]
    moments = [_as_utc(start.dt)]
    if event.recurrence_id is not None:
        moments.append(event.recurrence_id)
    rdates = comp.get("RDATE")
    for prop in rdates if isinstance(rdates, list) else [rdates]:
        for item in getattr(prop, "dts", None) or []:
            value = item.dt[0] if isinstance(item.dt, tuple) else item.dt
            if isinstance(value, date):
                moments.append(_as_utc(value))
    return min(moments)


def _record(name: str, head: _Event, raw: str, uid: str, occurrence: Occurrence, event: _Event) -> InteractionRecord:
    """The record of one occurrence; `event` is the VEVENT (master or override) describing it."""
    comp = event.comp
    when = _as_utc(occurrence.start)
    end = _as_utc(occurrence.end)
    flag = _when_flag(occurrence.start, comp)
    parties = _parties(comp)
    distinct = {party.address or "name:" + party.name.lower() for party in parties}
    iso = when.isoformat().replace("+00:00", "Z")
    return InteractionRecord(
        source=SOURCE,
        channel="meeting",
        file=name,
        record=head.block.index,
        raw=raw,
        key=f"{uid}@{iso}",
        when=when,
        parties=parties,
        subject=_text(comp, "SUMMARY"),
        when_flagged=flag,
        folder=head.folder,
        size=len(distinct),
        duration_minutes=max(0, round((end - when).total_seconds() / 60)),
        cancelled=_text(comp, "STATUS").upper() == "CANCELLED" or event.method == "CANCEL",
        note="; ".join(event.notes),
    )


def _when_flag(start: Any, comp: Component) -> str:
    if isinstance(start, datetime):
        if start.tzinfo is not None:
            return ""
        tzid = _param(comp.get("DTSTART"), "TZID")
        if tzid:
            return f"unknown time zone {tzid[:80]}, read as UTC"
        return "floating time, read as UTC"
    return "all-day event, read as midnight UTC"


def _parties(comp: Component) -> list[Party]:
    """Organizer then attendees; rooms and resources are not people and are left out."""
    parties: list[Party] = []
    organizer = comp.get("ORGANIZER")
    if isinstance(organizer, list):
        organizer = organizer[0] if organizer else None
    if organizer is not None:
        party = _party(organizer, "organizer")
        if party is not None:
            parties.append(party)
    attendees = comp.get("ATTENDEE")
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        if attendee is None:
            continue
        if _param(attendee, "CUTYPE").upper() in ("ROOM", "RESOURCE"):
            continue
        party = _party(attendee, "attendee")
        if party is not None:
            parties.append(party)
    return parties


def _party(prop: Any, role: str) -> Party | None:
    value = str(prop).strip()
    address = ""
    if value.lower().startswith("mailto:"):
        address = value[7:]
    elif "@" in value and not _URI_SCHEME.match(value):
        address = value
    address = address.strip().strip("<>").strip().lower()
    if not address:
        email = _param(prop, "EMAIL").strip()
        if "@" in email:
            address = email.removeprefix("mailto:").strip().lower()
    name = _param(prop, "CN").strip().strip('"').strip()
    if _NOT_A_PERSON.search(address):
        return None
    if not address and not name:
        return None
    status = _param(prop, "PARTSTAT").strip().upper() if role == "attendee" else ""
    return Party(address=address, name=name, role=role, status=status)


# --------------------------------------------------------------------------- helpers


def _as_utc(value: Any) -> datetime:
    """A date, naive or aware datetime as an aware UTC datetime (dates at midnight)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            return value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise TypeError(f"not a date or time: {type(value).__name__}")


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return _MIN_UTC if delta < timedelta(0) else _MAX_UTC


def _text(comp: Component, name: str) -> str:
    value = comp.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:
        return ""


def _param(prop: Any, name: str) -> str:
    params = getattr(prop, "params", None)
    if not params:
        return ""
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value) if value is not None else ""


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
