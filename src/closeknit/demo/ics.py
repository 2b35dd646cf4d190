"""Demo calendar: 1:1 meetings, a weekly team meeting (RRULE), a 60-person all-hands, declines, a cancellation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from hashlib import blake2b
from pathlib import Path
from zoneinfo import ZoneInfo

from closeknit.demo.files import content_lines, escape
from closeknit.demo.network import EXTRA_BASE, ME, Network, Person, Touch

_TZ = ME.tz
_VTIMEZONE = (
    "BEGIN:VTIMEZONE", f"TZID:{_TZ}", f"X-LIC-LOCATION:{_TZ}",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0800", "TZOFFSETTO:-0700", "TZNAME:PDT", "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:-0700", "TZOFFSETTO:-0800", "TZNAME:PST", "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
    "END:VTIMEZONE",
)
_PLACES = ("Blue Door Café, 500 Valencia St, San Francisco", "Ferry Building, San Francisco",
           "Zoom", "Google Meet", "Morgan Consulting office, 3rd floor")


def _cn(name: str) -> str:
    return f'"{name}"' if any(c in name for c in ",;:") else name


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(_TZ)).strftime("%Y%m%dT%H%M%S")


def _uid(*key: object) -> str:
    return blake2b(":".join(map(str, key)).encode(), digest_size=12).hexdigest() + "@" + ME.domain


class _Calendar:
    def __init__(self, today: date) -> None:
        self.lines: list[str] = [
            "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{ME.email}", f"X-WR-TIMEZONE:{_TZ}",
            *_VTIMEZONE,
        ]
        self.stamp = f"{today:%Y%m%d}T000000Z"
        self.events = 0

    def event(self, uid: str, start: datetime, minutes: int, summary: str, organizer: tuple[str, str],
              attendees: list[tuple[str, str, str]], location: str = "", status: str = "CONFIRMED",
              extra: tuple[str, ...] = ()) -> None:
        """One VEVENT; attendees are (name, address, PARTSTAT)."""
        self.lines += [
            "BEGIN:VEVENT", f"DTSTART;TZID={_TZ}:{_local(start)}",
            f"DTEND;TZID={_TZ}:{_local(start + timedelta(minutes=minutes))}", f"DTSTAMP:{self.stamp}",
            f"ORGANIZER;CN={_cn(organizer[0])}:mailto:{organizer[1]}", f"UID:{uid}", *extra,
        ]
        for name, address, partstat in attendees:
            self.lines.append(
                f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};"
                f"CN={_cn(name)};X-NUM-GUESTS=0:mailto:{address}"
            )
        self.lines += [f"CREATED:{self.stamp}", "DESCRIPTION:", f"LAST-MODIFIED:{self.stamp}",
                       f"LOCATION:{escape(location)}", "SEQUENCE:0", f"STATUS:{status}",
                       f"SUMMARY:{escape(summary)}", "TRANSP:OPAQUE", "END:VEVENT"]
        self.events += 1

    def text(self) -> str:
        return content_lines([*self.lines, "END:VCALENDAR"])


def _one_to_one(cal: _Calendar, net: Network, p: Person, touch: Touch, k: int, status: str) -> None:
    me = (ME.name, ME.email)
    them = (p.name, p.email)
    local_city = p.city.key == "sf"
    summary = (f"Coffee with {p.given}" if local_city and touch.minutes <= 45 else
               f"Lunch: {p.given} / {ME.given}" if local_city else f"Call: {p.given} <> {ME.given}")
    place = _PLACES[k % 2] if local_city else _PLACES[2 + k % 2]
    answer = touch.status
    if touch.by_me:
        organizer, attendees = me, [(ME.name, ME.email, "ACCEPTED"), (p.name, p.email, answer)]
    else:
        organizer, attendees = them, [(p.name, p.email, "ACCEPTED"), (ME.name, ME.email, answer)]
    cal.event(_uid(net.seed, "meet", p.index, k), touch.when, touch.minutes, summary, organizer, attendees,
              place, status)


def _team_meeting(cal: _Calendar, net: Network) -> None:
    team = [net.person(i) for i in net.team]
    first = net.today - timedelta(days=364)
    first += timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    start = datetime(first.year, first.month, first.day, 10, tzinfo=ZoneInfo(_TZ))
    skipped = [start + timedelta(weeks=w) for w in range(53)
               if (start + timedelta(weeks=w)).date() < net.today
               and (start + timedelta(weeks=w)).month == 12 and (start + timedelta(weeks=w)).day >= 22]
    attendees = [(ME.name, ME.email, "ACCEPTED")]
    attendees += [(p.name, p.email, "DECLINED" if k == len(team) - 1 and len(team) > 2 else "ACCEPTED")
                  for k, p in enumerate(team)]
    uid = _uid(net.seed, "team-weekly")
    extra = ["RRULE:FREQ=WEEKLY;BYDAY=TU"]
    if skipped:
        extra.append(f"EXDATE;TZID={_TZ}:" + ",".join(_local(s) for s in skipped))
    cal.event(uid, start, 45, "Weekly team sync", (ME.name, ME.email), attendees, _PLACES[4],
              extra=tuple(extra))
    moved_from = next(m for m in (start + timedelta(weeks=w) for w in (10, 11, 12)) if m not in skipped)
    cal.event(uid, moved_from + timedelta(days=1), 45, "Weekly team sync (moved to Wednesday)",
              (ME.name, ME.email), attendees, _PLACES[4],
              extra=(f"RECURRENCE-ID;TZID={_TZ}:{_local(moved_from)}",))


def _all_hands(cal: _Calendar, net: Network) -> int:
    organizer = net.person(net.all_hands_organizer)
    day = net.today - timedelta(days=100)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(_TZ))
    while start.weekday() >= 5:
        start += timedelta(days=1)
    attendees = [(organizer.name, organizer.email, "ACCEPTED"), (ME.name, ME.email, "ACCEPTED")]
    for k, i in enumerate(net.all_hands_guests):
        g = net.person(i)
        status = ("DECLINED" if k % 13 == 5 else "TENTATIVE" if k % 9 == 4 else
                  "NEEDS-ACTION" if k % 11 == 7 else "ACCEPTED")
        attendees.append((g.name, g.email, status))
    cal.event(_uid(net.seed, "all-hands"), start, 90, f"{organizer.company} partner all-hands",
              (organizer.name, organizer.email), attendees, "Main auditorium and livestream")
    return len(attendees)


def write_calendar(path: Path, net: Network, meetings: list[tuple[Person, Touch]]) -> dict[str, int]:
    """Write calendar.ics; returns event counts."""
    cal = _Calendar(net.today)
    cancelled = len(meetings) // 2 if meetings else -1
    declined = 0
    for k, (p, touch) in enumerate(meetings):
        _one_to_one(cal, net, p, touch, k, "CANCELLED" if k == cancelled else "CONFIRMED")
        declined += touch.status == "DECLINED"
    _team_meeting(cal, net)
    size = _all_hands(cal, net)
    inner = [i for i, t in net.tiers.items() if t == "inner"]
    if inner:  # one meeting still to come
        p = net.person(min(inner))
        day = net.today + timedelta(days=6)
        when = datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZoneInfo(_TZ)).astimezone(UTC)
        upcoming = Touch(when, "meeting", True, status="NEEDS-ACTION", minutes=30)
        _one_to_one(cal, net, p, upcoming, len(meetings), "CONFIRMED")
    path.write_text(cal.text(), encoding="utf-8", newline="")
    return {"events": cal.events, "one_to_one": len(meetings), "declined": declined,
            "cancelled": 1 if meetings else 0, "all_hands_attendees": size,
            "guests_not_in_contacts": sum(1 for i in net.all_hands_guests if i >= EXTRA_BASE)}
