"""The weekly plan as an iCalendar feed and as a digest fit for a mail body."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from closeknit.care.plan import Nudge

WORKDAYS = 5  # nudges are spread over the first days of the week, one per day in turn


def ics(plan: list[Nudge], today: date) -> bytes:
    """One all-day event per nudge. Its UID names the person and the week, and its stamp is the plan's
    day, so the same plan written again is the same file, and a calendar (or an import) updates, not adds."""
    cal = Calendar()
    cal.add("prodid", "-//Closeknit//weekly plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Closeknit: people to get in touch with")
    stamp = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    for i, n in enumerate(plan):
        day = today + timedelta(days=i % WORKDAYS)
        event = Event()
        event.add("uid", f"nudge-{n.person}-{today.isocalendar().year}w{today.isocalendar().week:02d}@closeknit")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Get in touch with {n.name}")
        event.add("description", "\n".join([*(f"- {r.text}" for r in n.reasons), "", n.opener]))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())


def digest(plan: list[Nudge], today: date, budget: int) -> str:
    """A plain-text weekly summary for a mail body."""
    lines = [f"Your week from {today.isoformat()}: {len(plan)} of at most {budget} people to get in touch with.", ""]
    if not plan:
        lines.append("Nobody needs you this week: every tie you keep is in touch, snoozed or off.")
    for i, n in enumerate(plan, 1):
        lines.append(f"{i}. {n.name} ({n.tier}, strength {n.strength:.0f})")
        lines += [f"   - {r.text}" for r in n.reasons]
        lines.append(f"   Opener: {n.opener}")
        lines.append("")
    kept = sum(n.value for n in plan)
    if plan:
        lines.append(f"Done, this plan keeps about {kept:.0f} strength points that would otherwise be at risk.")
        lines.append("Log each touch with: closeknit done PERSON --channel call|email|coffee|meeting|message")
    return "\n".join(lines).rstrip() + "\n"
