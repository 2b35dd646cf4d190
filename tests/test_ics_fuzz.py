"""Property tests: the iCalendar source never raises on arbitrary or mutated input."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.errors import CloseknitError
from closeknit.records import InteractionRecord, RecordError
from closeknit.sources import ics
from closeknit.sources.textio import decode
from conftest import mutate

UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
OUTCOMES = ("landed", "no_occurrence", "superseded", "rejected")

_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Fuzz Zone\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
    "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
SEEDS = [
    (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Fuzz\r\n" + _ZONE + "BEGIN:VEVENT\r\nUID:a@x\r\n"
        "DTSTART;TZID=Fuzz Zone:20240104T090000\r\nDTEND;TZID=Fuzz Zone:20240104T100000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Fuzz Zone:20240111T090000\r\nSUMMARY:Sync\r\n"
        "ORGANIZER;CN=Ann:mailto:ann@x.org\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=Bo:mailto:bo@x.org\r\n"
        "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:a@x\r\nRECURRENCE-ID;TZID=Fuzz Zone:20240118T090000\r\n"
        "DTSTART;TZID=Fuzz Zone:20240119T130000\r\nDURATION:PT30M\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ),
    (
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20240229\r\n"
        "RRULE:FREQ=YEARLY\r\nSUMMARY:Leap\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20240301T100000\r\n"
        "RDATE:20240305T100000,20240306T100000\r\nATTENDEE;CUTYPE=ROOM:mailto:r@x.org\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c\r\nDTSTART;TZID=Pacific Standard Time:20240601T090000\r\n"
        "RRULE:FREQ=DAILY;UNTIL=20240610T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
    (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART:20000101T000000Z\r\nRRULE:FREQ=HOURLY\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e\r\n"
        "DTSTART;TZID=Nowhere/Land:20240101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
]
TOKENS = [
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "END:VTIMEZONE\r\n",
    "BEGIN:VALARM\r\n",
    "BEGIN:VTODO\r\nDUE:x\r\nEND:VTODO\r\n",
    "UID:a@x\r\n",
    "UID:z\r\n",
    "DTSTART:20240101T100000Z\r\n",
    "DTSTART;VALUE=DATE:20240230\r\n",
    "DTSTART;TZID=Fuzz Zone:20240301T090000\r\n",
    "DTSTART:99991231T235959Z\r\n",
    "DTSTART:00010101T000000\r\n",
    "DTEND:19000101T000000Z\r\n",
    "DURATION:-P1D\r\n",
    "RECURRENCE-ID:20240101T100000Z\r\n",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:20240111T090000\r\n",
    "RRULE:FREQ=SECONDLY\r\n",
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30\r\n",
    "RRULE:FREQ=YEARLY;BYWEEKNO=60;BYYEARDAY=-400\r\n",
    "RRULE:FREQ=WEEKLY;BYDAY=MO, TU\r\n",
    "RRULE:FREQ=MONTHLY;COUNT=-3\r\n",
    "EXDATE:garbage\r\n",
    "RDATE;VALUE=PERIOD:20240101T100000Z/PT1H\r\n",
    "SEQUENCE:abc\r\n",
    "STATUS:CANCELLED\r\n",
    "ATTENDEE;PARTSTAT=DECLINED:mailto:X@Y.Z\r\n",
    "ORGANIZER:\r\n",
    "X-WR-TIMEZONE:Not/AZone\r\n",
    "CALSCALE:HEBREW\r\n",
    " folded continuation\r\n",
    ";TZID=",
    ":",
    ";",
    ",",
    '"',
    "\r",
    "\n",
    "\x00",
    "\ufeff",
    "é",
]


def count_vevents(text: str) -> int:
    return sum(
        1
        for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
        if line[:1] not in (" ", "\t") and line.rstrip().upper() == "BEGIN:VEVENT"
    )


def check(data: bytes) -> None:
    """Parse `data` from a file: no exception but CloseknitError; every VEVENT accounted for."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ics"
        path.write_bytes(data)
        ics.sniff(path)
        stats: dict[str, int] = {}
        try:
            items = list(ics.parse(path, until=UNTIL, cap=200, stats=stats))
        except CloseknitError:
            return
    vevents = count_vevents(decode(data))
    assert stats.get("vevents", 0) == vevents
    assert sum(stats.get(outcome, 0) for outcome in OUTCOMES) == vevents
    for item in items:
        assert isinstance(item, (InteractionRecord, RecordError))
        assert 0 <= item.record <= vevents
        if isinstance(item, InteractionRecord):
            assert item.when is not None and item.when.utcoffset() == timedelta(0) and item.when < UNTIL
            assert item.key and item.source == "ics" and item.channel == "meeting"
        else:
            assert item.reason and "\n" not in item.reason


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed calendar with a few byte flips, deletions, insertions, duplications or a cut."""
    return mutate(draw, draw(st.sampled_from(SEEDS)).encode("utf-8"), TOKENS)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(mutated())
def test_mutated_calendars(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    check(("BEGIN:VCALENDAR\r\n" + "".join(tokens)).encode("utf-8"))


@FUZZ
@given(st.sampled_from(SEEDS), st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "utf-8-sig"]))
def test_seeds_in_any_encoding(seed: str, encoding: str) -> None:
    check(seed.encode(encoding, errors="replace"))
