"""Turn occurrences of a series into InteractionRecords: times, parties, caps and flags."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from icalendar import Component
from recurring_ical_events import Occurrence

from closeknit.records import InteractionItem, InteractionRecord, Party, content_hash
from closeknit.sources.ics.events import _Event
from closeknit.sources.ics.reasons import _bump, _join, _short
from closeknit.sources.ics.recurrence import _occurrences
from closeknit.sources.ics.rules import UNREADABLE
from closeknit.sources.ics.values import _as_utc, _param, _text

SOURCE = "ics"
RAW_LIMIT = 64 * 1024  # characters of VEVENT text kept in `raw`
_URI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# Addresses a calendar service puts where a person would be: a placeholder organiser, or the id of
# a calendar itself (shared, imported, holiday, birthday and room calendars).
_NOT_A_PERSON = re.compile(r"^(?:unknownorganizer|unknown)@|@(?:[a-z0-9-]+\.)*calendar\.google\.com$", re.I)
# A series with no attendee is nobody's meeting: a personal entry, or a subscribed holiday or
# birthday calendar. It is kept once, as its first occurrence, flagged, and never expanded.
PERSONAL = "no attendees: a personal, holiday or birthday entry"


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
        comp = group[0].comp
        if "RRULE" not in comp:
            errors[group[0].block.index] = f"bad recurrence: {_short(exc)}"
            return []
        # A rule the expander cannot follow (a calendar scale it does not know, a misspelt part): the event
        # still happened once, at its start.
        comp.pop("RRULE")
        group[0].notes.append(f"{UNREADABLE} ({_short(exc)}): only its first occurrence kept")
        return _expand_group(name, group, high, low, cap, outcomes, errors, stats)
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
