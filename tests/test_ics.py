"""Tests for the iCalendar source: occurrences, time zones, recurrences, broken files, real data."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from closeknit.errors import InputError
from closeknit.records import InteractionRecord, RecordError
from closeknit.sources import ics
from closeknit.sources.textio import read_text
from conftest import shared

UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
OUTCOMES = ("landed", "no_occurrence", "superseded", "rejected")

NEW_YORK_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
END:DAYLIGHT
END:VTIMEZONE
"""

FIXED_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:{offset}
TZOFFSETTO:{offset}
END:STANDARD
END:VTIMEZONE
"""


GUEST = "ATTENDEE;CN=Guest:mailto:guest@example.com"


def calendar(*events: str, header: str = "", zones: str = "", guests: bool = True) -> str:
    """A VCALENDAR around the given VEVENT bodies (each without BEGIN/END lines).

    A body without an ATTENDEE gets one guest unless `guests` is false: a series nobody attends is
    a personal entry, which is kept once rather than expanded.
    """
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//closeknit tests//EN"]
    if header:
        parts.append(header.strip("\n"))
    if zones:
        parts.append(zones.strip("\n"))
    for body in events:
        body = body.strip("\n")
        if guests and "ATTENDEE" not in body.upper():
            body += "\n" + GUEST
        parts += ["BEGIN:VEVENT", body, "END:VEVENT"]
    parts.append("END:VCALENDAR")
    return "\r\n".join("\n".join(parts).split("\n")) + "\r\n"


def write(tmp_path: Path, text: str | bytes, name: str = "cal.ics") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def run(
    path: Path, until: datetime = UNTIL, since: datetime | None = None, cap: int = ics.DEFAULT_CAP
) -> tuple[list[InteractionRecord], list[RecordError], dict[str, int]]:
    stats: dict[str, int] = {}
    items = list(ics.parse(path, until=until, since=since, cap=cap, stats=stats))
    records = [item for item in items if isinstance(item, InteractionRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    assert len(records) + len(errors) == len(items)
    assert stats.get("vevents", 0) == sum(stats.get(outcome, 0) for outcome in OUTCOMES)
    return records, errors, stats


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def count_vevents(text: str) -> int:
    """BEGIN:VEVENT lines (not folded continuations), counted without any calendar library."""
    return sum(
        1
        for line in re.split(r"\r\n|\r|\n", text)
        if line[:1] not in (" ", "\t") and line.rstrip().upper() == "BEGIN:VEVENT"
    )


# --------------------------------------------------------------------------- simple event


SIMPLE = """UID:simple-1@example.com
DTSTAMP:20240101T000000Z
DTSTART:20240305T150000Z
DTEND:20240305T163000Z
SUMMARY:Quarterly review
ORGANIZER;CN=Ada Lovelace:MAILTO:Ada@Example.COM
ATTENDEE;CN=Bob Stone;PARTSTAT=ACCEPTED:mailto:bob@example.com
ATTENDEE;CN="Carol, PhD";PARTSTAT=declined:mailto:carol@example.com
ATTENDEE;PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:dan@example.org
ATTENDEE;CN=Erin:mailto:erin@example.org
ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@example.com
ATTENDEE;CUTYPE=ROOM;CN=Room 4B;PARTSTAT=ACCEPTED:mailto:room4b@example.com"""


def test_simple_event_fields(tmp_path: Path) -> None:
    path = write(tmp_path, calendar(SIMPLE, header="X-WR-CALNAME:Work"))
    records, errors, stats = run(path)
    assert errors == []
    assert len(records) == 1
    rec = records[0]
    assert (rec.source, rec.channel, rec.file, rec.record) == ("ics", "meeting", str(path), 1)
    assert rec.when == utc(2024, 3, 5, 15, 0)
    assert rec.when is not None and rec.when.utcoffset() == timedelta(0)
    assert rec.key == "simple-1@example.com@2024-03-05T15:00:00Z"
    assert rec.duration_minutes == 90
    assert rec.subject == "Quarterly review"
    assert rec.folder == "Work"
    assert rec.when_flagged == ""
    assert rec.cancelled is False
    assert rec.raw.startswith("BEGIN:VEVENT") and rec.raw.rstrip().endswith("END:VEVENT")
    assert "UID:simple-1@example.com" in rec.raw
    organizer = rec.parties[0]
    assert (organizer.address, organizer.name, organizer.role, organizer.status) == (
        "ada@example.com",
        "Ada Lovelace",
        "organizer",
        "",
    )
    attendees = {party.address: party for party in rec.parties if party.role == "attendee"}
    assert attendees["bob@example.com"].status == "ACCEPTED"
    assert attendees["bob@example.com"].name == "Bob Stone"
    assert attendees["carol@example.com"].status == "DECLINED"
    assert attendees["carol@example.com"].name == "Carol, PhD"
    assert attendees["dan@example.org"].status == "TENTATIVE"
    assert attendees["dan@example.org"].name == ""
    assert attendees["erin@example.org"].status == ""  # PARTSTAT absent: not guessed
    assert "room4b@example.com" not in attendees  # rooms are not people
    # Ada is organizer and attendee: counted once.
    assert rec.size == 5
    assert stats["landed"] == 1 and stats["occurrences"] == 1 and stats["vevents"] == 1


def test_event_without_uid_gets_content_key(tmp_path: Path) -> None:
    body = "DTSTART:20240305T150000Z\nDURATION:PT45M\nSUMMARY:No uid"
    records, _, _ = run(write(tmp_path, calendar(body, body)))
    assert len(records) == 2
    assert records[0].duration_minutes == 45
    assert records[0].key.endswith("@2024-03-05T15:00:00Z")
    assert records[0].key == records[1].key  # same text, same key: a duplicate, not two meetings
    records2, _, _ = run(write(tmp_path, calendar(body), "again.ics"))
    assert records2[0].key == records[0].key  # stable across runs and files


def test_organizer_forms(tmp_path: Path) -> None:
    body = """UID:forms
DTSTART:20240305T150000Z
ORGANIZER;CN=Only Name:urn:uuid:1234
ATTENDEE;EMAIL=Pat@Example.com;CN=Pat:urn:uuid:5678
ATTENDEE:mailto:<Quinn@Example.com>"""
    records, _, _ = run(write(tmp_path, calendar(body)))
    parties = records[0].parties
    assert (parties[0].address, parties[0].name, parties[0].role) == ("", "Only Name", "organizer")
    assert parties[1].address == "pat@example.com"
    assert parties[2].address == "quinn@example.com"
    assert records[0].size == 3


# --------------------------------------------------------------------------- recurrences


WEEKLY = """UID:weekly-1
DTSTART;TZID=America/New_York:20240104T090000
DTEND;TZID=America/New_York:20240104T093000
RRULE:FREQ=WEEKLY;COUNT=10
EXDATE;TZID=America/New_York:20240118T090000
SUMMARY:Team sync
ORGANIZER:mailto:lead@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com"""

MOVED = """UID:weekly-1
RECURRENCE-ID;TZID=America/New_York:20240125T090000
DTSTART;TZID=America/New_York:20240126T110000
DTEND;TZID=America/New_York:20240126T120000
SUMMARY:Team sync (moved)
ORGANIZER:mailto:lead@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:b@example.com"""

CANCELLED = """UID:weekly-1
RECURRENCE-ID;TZID=America/New_York:20240201T090000
DTSTART;TZID=America/New_York:20240201T090000
DTEND;TZID=America/New_York:20240201T093000
STATUS:CANCELLED
SUMMARY:Team sync"""


def test_weekly_series_with_exdate_moved_and_cancelled_occurrence(tmp_path: Path) -> None:
    path = write(tmp_path, calendar(WEEKLY, MOVED, CANCELLED))
    records, errors, stats = run(path)
    assert errors == []
    whens = [rec.when for rec in records]
    assert whens == sorted(whens)  # type: ignore[type-var]
    assert len(records) == 9  # ten by COUNT, one excluded by EXDATE
    assert utc(2024, 1, 18, 14, 0) not in whens  # EXDATE
    assert utc(2024, 1, 25, 14, 0) not in whens  # moved away ...
    moved = next(rec for rec in records if rec.when == utc(2024, 1, 26, 16, 0))  # ... to here
    assert moved.subject == "Team sync (moved)"
    assert moved.duration_minutes == 60
    assert {party.address for party in moved.parties} == {"lead@example.com", "a@example.com", "b@example.com"}
    assert moved.size == 3
    cancelled = [rec for rec in records if rec.cancelled]
    assert [rec.when for rec in cancelled] == [utc(2024, 2, 1, 14, 0)]
    assert all(rec.record == 1 for rec in records)  # the master VEVENT
    assert all(rec.raw.startswith("BEGIN:VEVENT") and "RRULE" in rec.raw for rec in records)
    assert len({rec.key for rec in records}) == 9
    assert all(rec.key.startswith("weekly-1@") for rec in records)
    assert stats["vevents"] == 3 and stats["landed"] == 3 and stats["occurrences"] == 9


def test_dst_change_inside_a_series(tmp_path: Path) -> None:
    # US daylight saving time starts 2024-03-10: 09:00 New York is 14:00 UTC before, 13:00 after.
    body = "UID:dst\nDTSTART;TZID=America/New_York:20240301T090000\nRRULE:FREQ=WEEKLY;COUNT=3"
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert [rec.when for rec in records] == [utc(2024, 3, 1, 14), utc(2024, 3, 8, 14), utc(2024, 3, 15, 13)]


def test_expansion_stops_at_until_and_starts_at_since(tmp_path: Path) -> None:
    daily = "UID:daily\nDTSTART:20240101T100000Z\nDTEND:20240101T101500Z\nRRULE:FREQ=DAILY"
    later = "UID:later\nDTSTART:20300101T100000Z\nSUMMARY:After until"
    path = write(tmp_path, calendar(daily, later))
    records, errors, stats = run(path, until=utc(2024, 1, 11))
    assert errors == []
    assert [rec.when for rec in records] == [utc(2024, 1, day, 10) for day in range(1, 11)]
    assert stats["landed"] == 1 and stats["no_occurrence"] == 1
    records, _, _ = run(path, until=utc(2024, 1, 11), since=utc(2024, 1, 8, 12))
    assert [rec.when for rec in records] == [utc(2024, 1, 9, 10), utc(2024, 1, 10, 10)]
    records, _, stats = run(path, until=utc(2024, 1, 1, 10))  # `until` is exclusive
    assert records == [] and stats["no_occurrence"] == 2 and stats["vevents"] == 2


def test_default_until_is_now(tmp_path: Path) -> None:
    soon = datetime.now(UTC) + timedelta(days=30)
    body = f"UID:future\nDTSTART:{soon:%Y%m%dT%H%M%SZ}"
    past = "UID:past\nDTSTART:20200101T100000Z"
    items = list(ics.parse(write(tmp_path, calendar(body, past))))
    assert [item.key for item in items if isinstance(item, InteractionRecord)] == ["past@2020-01-01T10:00:00Z"]


def test_unbounded_rule_is_capped_keeping_recent_occurrences(tmp_path: Path) -> None:
    body = "UID:standup\nDTSTART:20000103T090000Z\nDTEND:20000103T091500Z\nRRULE:FREQ=DAILY"
    records, _, stats = run(write(tmp_path, calendar(body)))
    assert len(records) == ics.DEFAULT_CAP
    assert stats["truncated"] == 1
    # The most recent occurrences before `until` are kept: recency is what matters downstream.
    assert records[-1].when == utc(2025, 12, 31, 9)
    assert records[0].when == utc(2025, 12, 31, 9) - timedelta(days=ics.DEFAULT_CAP - 1)
    assert "capped" in records[0].note
    records, _, stats = run(write(tmp_path, calendar(body), "small.ics"), cap=5)
    assert len(records) == 5 and stats["truncated"] == 1


def test_dense_rule_is_capped_quickly(tmp_path: Path) -> None:
    body = "UID:dense\nDTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY"
    records, _, stats = run(write(tmp_path, calendar(body)))
    assert len(records) == ics.DEFAULT_CAP and stats["truncated"] == 1
    assert records[0].when == utc(1970, 1, 1)  # too dense to walk to `until`: earliest kept
    assert "earliest" in records[0].note


def test_rule_that_matches_no_date_does_not_hang(tmp_path: Path) -> None:
    body = "UID:never\nDTSTART:19700101T000000Z\nRRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"
    records, errors, _ = run(write(tmp_path, calendar(body)))
    assert errors == []
    assert [rec.when for rec in records] == [utc(1970, 1, 1)]  # DTSTART is always an occurrence
    assert "matches no date" in records[0].note


def test_sub_daily_rule_on_an_all_day_event_stops_within_its_budget(tmp_path: Path) -> None:
    # One occurrence per second, all on the same day: a day's 86,400 are one kept occurrence, so
    # the scan stops on what it generated (20 per occurrence wanted), not on what it kept.
    body = "UID:leap\nDTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY\nRRULE:FREQ=SECONDLY"
    records, errors, stats = run(write(tmp_path, calendar(body)), cap=50)
    assert errors == [] and stats["truncated"] == 1
    assert [rec.when for rec in records] == [utc(2024, 2, 29)]
    assert "kept its earliest 1 occurrences" in records[0].note


def test_leap_day_rule_is_kept(tmp_path: Path) -> None:
    body = "UID:leap\nDTSTART;VALUE=DATE:20000229\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert [rec.when.year for rec in records if rec.when] == [2000, 2004, 2008, 2012, 2016, 2020, 2024]


def test_end_before_start_does_not_move_the_event(tmp_path: Path) -> None:
    backwards = "UID:back\nDTSTART:20240301T100000Z\nDTEND:20240301T090000Z"
    negative = "UID:neg\nDTSTART:20240302T100000Z\nDURATION:-PT1H"
    records, errors, _ = run(write(tmp_path, calendar(backwards, negative)))
    assert errors == []
    assert [(rec.when, rec.duration_minutes) for rec in records] == [
        (utc(2024, 3, 1, 10), 0),
        (utc(2024, 3, 2, 10), 0),
    ]
    assert "DTEND before DTSTART" in records[0].note and "negative DURATION" in records[1].note


def test_superseded_duplicate_uid(tmp_path: Path) -> None:
    old = "UID:dup\nSEQUENCE:1\nDTSTART:20240301T100000Z\nSUMMARY:Old time"
    new = "UID:dup\nSEQUENCE:2\nDTSTART:20240302T100000Z\nSUMMARY:New time"
    records, errors, stats = run(write(tmp_path, calendar(old, new)))
    assert errors == []
    assert [(rec.subject, rec.record) for rec in records] == [("New time", 2)]
    assert stats["superseded"] == 1 and stats["landed"] == 1


def test_override_without_master_and_itip_cancel(tmp_path: Path) -> None:
    lone = "UID:lone\nRECURRENCE-ID:20240301T100000Z\nDTSTART:20240301T120000Z\nSUMMARY:Lone"
    path = write(tmp_path, calendar(lone, header="METHOD:CANCEL"))
    records, errors, _ = run(path)
    assert errors == []
    assert [(rec.when, rec.record, rec.cancelled) for rec in records] == [(utc(2024, 3, 1, 12), 1, True)]


# --------------------------------------------------------------------------- dates and zones


def test_all_day_event(tmp_path: Path) -> None:
    body = "UID:holiday\nDTSTART;VALUE=DATE:20240704\nDTEND;VALUE=DATE:20240706\nSUMMARY:Long weekend"
    records, _, stats = run(write(tmp_path, calendar(body)))
    assert records[0].when == utc(2024, 7, 4)
    assert records[0].duration_minutes == 2 * 24 * 60
    assert records[0].when_flagged.startswith("all-day")
    assert stats["flag:all-day event"] == 1


def test_floating_time_is_read_as_utc(tmp_path: Path) -> None:
    body = "UID:floating\nDTSTART:20240115T090000\nDTEND:20240115T100000"
    records, _, stats = run(write(tmp_path, calendar(body)))
    assert records[0].when == utc(2024, 1, 15, 9)
    assert records[0].when_flagged == "floating time, read as UTC"
    assert records[0].duration_minutes == 60
    assert stats["flag:floating time"] == 1


def test_floating_time_with_calendar_time_zone(tmp_path: Path) -> None:
    body = "UID:floating-tz\nDTSTART:20240115T090000"
    records, _, _ = run(write(tmp_path, calendar(body, header="X-WR-TIMEZONE:America/New_York")))
    assert records[0].when == utc(2024, 1, 15, 14)
    assert records[0].when_flagged == ""


@pytest.mark.parametrize(("day", "hour"), [(15, 14), (16, 13)])
def test_new_york_winter_and_summer(tmp_path: Path, day: int, hour: int) -> None:
    month = 1 if day == 15 else 7
    body = f"UID:ny\nDTSTART;TZID=America/New_York:2024{month:02d}{day:02d}T090000"
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert records[0].when == utc(2024, month, day, hour)
    assert records[0].when_flagged == ""


@pytest.mark.parametrize(("month", "hour"), [(1, 14), (7, 13)])
def test_custom_vtimezone(tmp_path: Path, month: int, hour: int) -> None:
    zone = NEW_YORK_VTIMEZONE.format(tzid="Closeknit Custom Eastern")
    body = f"UID:custom\nDTSTART;TZID=Closeknit Custom Eastern:2024{month:02d}15T090000"
    records, errors, _ = run(write(tmp_path, calendar(body, zones=zone)))
    assert errors == []
    assert records[0].when == utc(2024, month, 15, hour)
    assert records[0].when_flagged == ""


def test_custom_zone_after_the_event_that_uses_it(tmp_path: Path) -> None:
    zone = NEW_YORK_VTIMEZONE.format(tzid="Closeknit Late Zone")
    body = "UID:late\nDTSTART;TZID=Closeknit Late Zone:20240715T090000"
    text = calendar(body).replace("END:VCALENDAR", zone.replace("\n", "\r\n") + "END:VCALENDAR")
    records, _, _ = run(write(tmp_path, text))
    assert records[0].when == utc(2024, 7, 15, 13)


def test_same_custom_tzid_means_what_each_file_says(tmp_path: Path) -> None:
    body = "UID:office\nDTSTART;TZID=Closeknit Office:20240115T090000"
    east = write(tmp_path, calendar(body, zones=FIXED_VTIMEZONE.format(tzid="Closeknit Office", offset="+0500")))
    west = write(
        tmp_path,
        calendar(body, zones=FIXED_VTIMEZONE.format(tzid="Closeknit Office", offset="-0300")),
        "west.ics",
    )
    assert run(east)[0][0].when == utc(2024, 1, 15, 4)
    assert run(west)[0][0].when == utc(2024, 1, 15, 12)
    assert run(east)[0][0].when == utc(2024, 1, 15, 4)


@pytest.mark.parametrize(
    ("tzid", "month", "hour"),
    [
        ("Pacific Standard Time", 1, 17),
        ("Pacific Standard Time", 7, 16),
        ("W. Europe Standard Time", 1, 8),
        ("US-Eastern", 1, 14),
        ("(GMT-05.00) Eastern Time (US & Canada)", 7, 13),
        ("/softwarestudio.org/Olson_20011030_5/America/New_York", 1, 14),
    ],
)
def test_windows_and_legacy_zone_names(tmp_path: Path, tzid: str, month: int, hour: int) -> None:
    body = f'UID:win\nDTSTART;TZID="{tzid}":2024{month:02d}15T090000'
    records, errors, _ = run(write(tmp_path, calendar(body)))
    assert errors == []
    assert records[0].when == utc(2024, month, 15, hour)
    assert records[0].when_flagged == ""


def test_fixed_offset_tzid(tmp_path: Path) -> None:
    body = 'UID:offset\nDTSTART;TZID="GMT+05:30":20240115T090000'
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert records[0].when == utc(2024, 1, 15, 3, 30)


def test_date_with_tzid_stays_all_day(tmp_path: Path) -> None:
    body = "UID:datetz\nDTSTART;VALUE=DATE;TZID=Europe/Berlin:20240101\nDTEND;VALUE=DATE;TZID=Europe/Berlin:20240102"
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert records[0].when == utc(2024, 1, 1)
    assert records[0].duration_minutes == 24 * 60
    assert records[0].when_flagged.startswith("all-day")


def test_unknown_time_zone_is_read_as_utc_and_flagged(tmp_path: Path) -> None:
    body = "UID:mars\nDTSTART;TZID=Mars/Olympus_Mons:20240115T090000\nDTEND;TZID=Mars/Olympus_Mons:20240115T100000"
    records, errors, stats = run(write(tmp_path, calendar(body)))
    assert errors == []
    assert records[0].when == utc(2024, 1, 15, 9)
    assert records[0].when_flagged == "unknown time zone Mars/Olympus_Mons, read as UTC"
    assert records[0].duration_minutes == 60
    assert stats["flag:unknown time zone"] == 1


# --------------------------------------------------------------------------- broken input


def test_unterminated_event_among_good_ones(tmp_path: Path) -> None:
    text = calendar("UID:good-1\nDTSTART:20240101T100000Z", "UID:good-3\nDTSTART:20240103T100000Z")
    broken = "BEGIN:VEVENT\r\nUID:broken-2\r\nDTSTART:20240102T100000Z\r\n"
    text = text.replace("BEGIN:VEVENT\r\nUID:good-3", broken + "BEGIN:VEVENT\r\nUID:good-3")
    records, errors, stats = run(write(tmp_path, text))
    assert [rec.key for rec in records] == ["good-1@2024-01-01T10:00:00Z", "good-3@2024-01-03T10:00:00Z"]
    assert [rec.record for rec in records] == [1, 3]
    assert len(errors) == 1
    assert errors[0].record == 2 and errors[0].reason.startswith("unterminated VEVENT")
    assert "UID:broken-2" in errors[0].raw
    assert stats["files_fallback"] == 1 and stats["rejected"] == 1 and stats["landed"] == 2


def test_unreadable_values_among_good_ones(tmp_path: Path) -> None:
    events = [
        "UID:ok-1\nDTSTART:20240101T100000Z",
        "UID:bad-start\nDTSTART:not-a-date",
        "UID:no-start\nSUMMARY:Nothing to place",
        "UID:bad-rule\nDTSTART:20240101T100000Z\nRRULE:FREQ=FORTNIGHTLY",
        "UID:bad-end\nDTSTART:20240104T100000Z\nDTEND:soon",
        "UID:spaces\nDTSTART:20240105T100000Z\nRRULE:FREQ=DAILY;COUNT=2;BYDAY=MO, TU, WE, TH, FR",
    ]
    records, errors, stats = run(write(tmp_path, calendar(*events)))
    assert {(error.record, error.reason.split(":")[0]) for error in errors} == {
        (2, "bad DTSTART"),
        (3, "no DTSTART"),
    }
    # An unreadable rule: the event still happened once, at its start, and says why it is alone.
    assert [rec.record for rec in records] == [1, 4, 5, 6, 6]
    assert records[1].when == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert "unreadable recurrence RRULE FREQ=FORTNIGHTLY: only its first occurrence kept" in records[1].note
    assert "DTEND ignored" in records[2].note and records[2].duration_minutes == 0
    assert "RRULE repaired" in records[3].note
    assert stats["reason:bad DTSTART"] == 1 and stats["reason:no DTSTART"] == 1


def test_a_rule_the_expander_cannot_follow_keeps_the_first_occurrence(tmp_path: Path) -> None:
    attendees = "ATTENDEE:mailto:ana@example.com\nATTENDEE:mailto:ben@example.com"
    events = [f"UID:lunar\nDTSTART:20240210T100000Z\n{attendees}\nRRULE:RSCALE=CHINESE;FREQ=YEARLY",
              f"UID:weekly\nDTSTART:20240105T100000Z\n{attendees}\nRRULE:FREQ=WEEKLY;COUNT=3"]
    records, errors, _ = run(write(tmp_path, calendar(*events)))
    assert errors == []
    lunar = [r for r in records if r.record == 1]
    assert len(lunar) == 1 and lunar[0].when == datetime(2024, 2, 10, 10, tzinfo=UTC)
    assert "unreadable recurrence" in lunar[0].note and "only its first occurrence kept" in lunar[0].note
    assert len([r for r in records if r.record == 2]) == 3


def test_broken_component_forces_per_event_fallback(tmp_path: Path) -> None:
    # A VTODO with an unreadable date makes the whole-calendar parse fail; events still land.
    text = calendar("UID:e1\nDTSTART:20240101T100000Z", "UID:e2\nDTSTART:20240102T100000Z")
    text = text.replace("END:VCALENDAR", "BEGIN:VTODO\r\nUID:t\r\nDUE:whenever\r\nEND:VTODO\r\nEND:VCALENDAR")
    text += "trailing garbage after the calendar\r\n"
    records, errors, stats = run(write(tmp_path, text))
    assert [rec.record for rec in records] == [1, 2]
    assert errors == []
    assert stats["files_fallback"] == 1


def test_bare_event_without_calendar(tmp_path: Path) -> None:
    records, errors, _ = run(write(tmp_path, "BEGIN:VEVENT\r\nUID:bare\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\n"))
    assert errors == [] and [rec.key for rec in records] == ["bare@2024-01-01T10:00:00Z"]


def test_several_calendars_in_one_file(tmp_path: Path) -> None:
    first = calendar("UID:a\nDTSTART:20240101T100000Z", header="X-WR-CALNAME:Home")
    second = calendar("UID:b\nDTSTART:20240102T100000Z", header="X-WR-CALNAME:Work")
    records, _, _ = run(write(tmp_path, first + second))
    assert [(rec.record, rec.folder) for rec in records] == [(1, "Home"), (2, "Work")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\r\n\t", "empty file"),
        (bytes(range(256)) * 8, "binary file"),
        (b"\x00\x01\x02\x03PK\x03\x04" * 50, "binary file"),
        (b"Just some notes, not a calendar.\nSecond line.\n", "not an iCalendar file"),
        (b"BEGIN:VCARD\r\nFN:Someone\r\nEND:VCARD\r\n", "not an iCalendar file"),
        (b"BEGIN:VCAL", "not an iCalendar file"),
    ],
)
def test_files_that_are_not_calendars(tmp_path: Path, content: bytes, reason: str) -> None:
    records, errors, stats = run(write(tmp_path, content))
    assert records == []
    assert len(errors) == 1 and errors[0].record == 0 and errors[0].reason.startswith(reason)
    assert stats["files_rejected"] == 1


def test_calendar_without_events_yields_nothing(tmp_path: Path) -> None:
    records, errors, stats = run(write(tmp_path, calendar()))
    assert records == [] and errors == [] and stats["vevents"] == 0


def test_truncated_file(tmp_path: Path) -> None:
    text = calendar(SIMPLE, WEEKLY)
    cut = text[: text.index("RRULE:FREQ=WEEKLY") + 12]
    records, errors, stats = run(write(tmp_path, cut))
    assert [rec.key for rec in records] == ["simple-1@example.com@2024-03-05T15:00:00Z"]
    assert [(error.record, error.reason.split(":")[0]) for error in errors] == [(2, "unterminated VEVENT")]
    assert stats["vevents"] == 2


def test_utf16_and_bom_and_bare_cr(tmp_path: Path) -> None:
    text = calendar("UID:u\nDTSTART:20240101T100000Z\nSUMMARY:Café ☕")
    for name, data in [
        ("utf16.ics", text.encode("utf-16")),
        ("bom.ics", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("cr.ics", text.replace("\r\n", "\r").encode("utf-8")),
        ("lf.ics", text.replace("\r\n", "\n").encode("utf-8")),
    ]:
        path = write(tmp_path, data, name)
        assert ics.sniff(path), name
        records, errors, _ = run(path)
        assert errors == [], name
        assert [rec.subject for rec in records] == ["Café ☕"], name


def test_folded_lines(tmp_path: Path) -> None:
    body = (
        "UID:folded\nDTSTART:20240101T100000Z\nSUMMARY:A very long\n  summary\n"
        "ATTENDEE;CN=Long Name;PARTS\n TAT=ACCEPTED:mailto:x@\n example.com"
    )
    records, errors, _ = run(write(tmp_path, calendar(body)))
    assert errors == []
    assert records[0].subject == "A very long summary"
    assert records[0].parties[0].address == "x@example.com"
    assert records[0].parties[0].status == "ACCEPTED"


def test_unreadable_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        ics.parse(tmp_path / "missing.ics")
    assert "missing.ics" in str(missing.value) and "\n" not in str(missing.value)
    with pytest.raises(InputError):
        ics.parse(tmp_path)


def test_sniff(tmp_path: Path) -> None:
    assert ics.sniff(write(tmp_path, calendar(SIMPLE)))
    assert ics.sniff(write(tmp_path, "\r\n\r\n" + calendar(SIMPLE), "blank.ics"))
    assert ics.sniff(write(tmp_path, calendar(SIMPLE).lower(), "lower.ics"))
    assert ics.sniff(write(tmp_path, "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "bare.ics"))
    assert not ics.sniff(write(tmp_path, b"BEGIN:VCARD\r\nEND:VCARD\r\n", "card.vcf"))
    assert not ics.sniff(write(tmp_path, b"", "empty.ics"))
    assert not ics.sniff(write(tmp_path, bytes(range(256)) * 4, "binary.ics"))
    assert not ics.sniff(tmp_path / "missing.ics")
    assert not ics.sniff(tmp_path)


# --------------------------------------------------------------------------- real data


def _corpus() -> list[Path]:
    return sorted(path for path in shared("ics").rglob("*") if path.is_file())


def _run_corpus(cap: int) -> tuple[dict[str, int], Counter[str], int, int]:
    totals: dict[str, int] = {}
    rejected: Counter[str] = Counter()
    files_landed = 0
    files = 0
    for path in _corpus():
        files += 1
        stats: dict[str, int] = {}
        items = list(ics.parse(path, until=UNTIL, cap=cap, stats=stats))  # must never raise
        vevents = count_vevents(read_text(path))
        assert stats.get("vevents", 0) == vevents, path.name
        assert sum(stats.get(outcome, 0) for outcome in OUTCOMES) == vevents, path.name
        landed = [item for item in items if isinstance(item, InteractionRecord)]
        errors = [item for item in items if isinstance(item, RecordError)]
        assert stats.get("occurrences", 0) == len(landed)
        assert stats.get("rejected", 0) + stats.get("files_rejected", 0) == len(errors), path.name
        for rec in landed:
            assert rec.when is not None and rec.when.utcoffset() == timedelta(0)
            assert rec.when < UNTIL
            assert 1 <= rec.record <= vevents and rec.key and rec.source == "ics"
            assert len(rec.raw) <= ics.RAW_LIMIT
            assert rec.size == len({party.address or "name:" + party.name.lower() for party in rec.parties})
        for error in errors:
            assert 0 <= error.record <= vevents and error.reason and "\n" not in error.reason
            rejected[re.split(r"[:,(]", error.reason)[0].strip()] += 1
        files_landed += bool(landed)
        for key, value in stats.items():
            totals[key] = totals.get(key, 0) + value
    return totals, rejected, files, files_landed


def test_real_calendars_account_for_every_vevent() -> None:
    """Every file parses without raising; every BEGIN:VEVENT line is landed or has a reason.

    The cap is low here to keep the run short; the accounting does not depend on it.
    """
    totals, rejected, files, files_landed = _run_corpus(cap=100)
    assert files >= 400
    assert files_landed >= 300
    assert totals["vevents"] >= 10_000
    assert totals["landed"] / totals["vevents"] > 0.9
    assert totals["rejected"] / totals["vevents"] < 0.08
    assert totals["occurrences"] > totals["landed"]  # recurrences were expanded
    assert totals["files_rejected"] < files * 0.1
    assert totals["truncated"] > 0
    # Rejections are explained in a few categories, chiefly iTIP replies without DTSTART.
    assert set(rejected) <= {
        "empty file",
        "binary file",
        "not an iCalendar file",
        "unterminated VEVENT",
        "unparseable VEVENT",
        "no DTSTART",
        "bad DTSTART",
        "bad RECURRENCE-ID",
        "bad recurrence",
    }
    assert rejected.most_common(1)[0][0] == "no DTSTART"


@pytest.mark.slow
def test_real_calendars_full_expansion() -> None:
    """The whole corpus with the default cap (about a minute: one file holds ~200k occurrences)."""
    totals, _, _, files_landed = _run_corpus(cap=ics.DEFAULT_CAP)
    assert files_landed >= 300
    assert totals["occurrences"] >= 200_000  # series with attendees expanded in full
    assert totals["personal"] > 100  # holiday and birthday calendars kept once per entry


# --------------------------------------------------------------------------- entries that are nobody's meeting


def test_birthday_series_without_attendees_is_kept_once_and_flagged(tmp_path: Path) -> None:
    birthdays = [
        f"UID:bday-{n}\nDTSTART;VALUE=DATE:19{70 + n}0{1 + n % 9}15\nRRULE:FREQ=YEARLY\nSUMMARY:Birthday {n}"
        for n in range(30)
    ]
    meeting = "UID:m1\nDTSTART:20240105T100000Z\nRRULE:FREQ=WEEKLY;COUNT=4\nATTENDEE:mailto:ana@example.com"
    path = write(tmp_path, calendar(*birthdays, meeting, guests=False))
    records, errors, stats = run(path)
    assert errors == []
    personal = [rec for rec in records if rec.bulk]
    assert len(personal) == 30 and stats["personal"] == 30  # one each, not ~50 years of occurrences
    assert all(rec.bulk == ics.PERSONAL for rec in personal)
    assert sorted(rec.when.year for rec in personal if rec.when) == list(range(1970, 2000))  # the first one
    assert all("not expanded" in rec.note for rec in personal)
    assert len([rec for rec in records if not rec.bulk]) == 4  # a real meeting is still expanded
    again, _, _ = run(path, until=UNTIL + timedelta(days=400))
    assert {rec.key for rec in again if rec.bulk} == {rec.key for rec in personal}  # stable keys


def test_calendar_placeholders_are_not_people(tmp_path: Path) -> None:
    body = (
        "UID:p1\nDTSTART:20240105T100000Z\n"
        "ORGANIZER;CN=Unknown Organizer:mailto:unknownorganizer@calendar.google.com\n"
        "ATTENDEE;CN=Team calendar:mailto:abc123@group.calendar.google.com\n"
        "ATTENDEE;CN=Room:mailto:xyz@resource.calendar.google.com\n"
        "ATTENDEE;CN=Ana:mailto:ana@example.com"
    )
    records, _, _ = run(write(tmp_path, calendar(body)))
    assert [party.address for party in records[0].parties] == ["ana@example.com"]
    assert records[0].size == 1
