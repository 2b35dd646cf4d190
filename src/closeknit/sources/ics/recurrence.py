"""Group VEVENTs into series and expand them into occurrences, within a cap and a scan budget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from recurring_ical_events import EventAdapter, Occurrence, Series

from closeknit.sources.ics.events import _Event
from closeknit.sources.ics.values import _as_utc, _shift

DEFAULT_CAP = 2000  # occurrences kept per recurring series

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
