"""Read iCalendar (.ics) files: one meeting record per event occurrence, recurrences expanded."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from closeknit.errors import InputError
from closeknit.records import InteractionItem, InteractionRecord, RecordError
from closeknit.sources import registry
from closeknit.sources.base import Format, Yields
from closeknit.sources.ics.events import _parse_events
from closeknit.sources.ics.layout import _LINE_BREAK, _layout, _lines
from closeknit.sources.ics.reasons import _bump, _category, _flag_category
from closeknit.sources.ics.records import PERSONAL, RAW_LIMIT, SOURCE, _expand_group
from closeknit.sources.ics.recurrence import DEFAULT_CAP, _groups
from closeknit.sources.ics.timezones import _reset_zone_cache
from closeknit.sources.ics.values import _as_utc
from closeknit.sources.textio import decode, looks_binary

__all__ = ["DEFAULT_CAP", "PERSONAL", "RAW_LIMIT", "SOURCE", "parse", "sniff"]


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


FORMAT = registry.register(Format(SOURCE, Yields.INTERACTIONS, sniff, parse))
