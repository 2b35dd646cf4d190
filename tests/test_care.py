"""Keeping ties alive, as a user lives it: a fading tie proposed, reset by a logged call, snoozed,
a budget kept, reasons and openers, the plan as a calendar feed that imports, and the cadence rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from closeknit.care.plan import Nudge, Reason, _first_name, clean_subject, due_after, opener, topic
from closeknit.durations import parse_days
from test_cli import cli
from test_cli_people import ME, mailbox
from test_linkedin_network import CONNECTIONS_2025, IN, MESSAGES_2025, OWNER, PREAMBLE, write

AS_OF = date(2026, 10, 30)
END = datetime(2026, 10, 28, 12, tzinfo=UTC)
ANA = "Ana Ruiz <ana@one.example>"  # weekly for months, silent for the last three
BEN, CAI = "Ben Ode <ben@two.example>", "Cai Lin <cai@three.example>"  # weekly until now
DEE = "Dee Park <dee@four.example>"  # weekly until now; her last message waits for an answer


def js(db: Path, *args: str) -> dict:
    return json.loads(cli(db, *args, "--json").stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    mailbox(tmp_path / "fading.mbox", [ANA], END - timedelta(days=90), rounds=30)
    mailbox(tmp_path / "steady.mbox", [BEN, CAI, DEE], END, rounds=30)
    when = END + timedelta(hours=20)
    (tmp_path / "waiting.mbox").write_text(
        f"From dee {when:%a %b %d %H:%M:%S %Y}\nFrom: {DEE}\nTo: {ME}\nDate: {format_datetime(when)}\n"
        "Message-ID: <wait1@test.example>\nSubject: Re: the offsite agenda\n\ncan you confirm?\n\n",
        encoding="utf-8")
    for box in ("fading", "steady", "waiting"):
        cli(path, "import", str(tmp_path / f"{box}.mbox"), "--me", ME)
    return path


def plan(db: Path, *args: str, as_of: date = AS_OF) -> dict[str, dict]:
    got = js(db, "nudge", "--as-of", as_of.isoformat(), *args)
    return {n["name"]: n for n in got["plan"]}


def kinds(entry: dict) -> set[str]:
    return {r["kind"] for r in entry["reasons"]}


def test_a_fading_tie_is_proposed_and_a_logged_call_resets_it(db: Path) -> None:
    first = plan(db)
    assert "fading" in kinds(first["Ana Ruiz"])
    fading = next(r for r in first["Ana Ruiz"]["reasons"] if r["kind"] == "fading")
    assert "usually every" in fading["text"] and "likely to lapse" in fading["text"]
    assert 0 < first["Ana Ruiz"]["p_lapse"] < 1 and first["Ana Ruiz"]["value"] > 0
    assert "Ben Ode" not in first and "Cai Lin" not in first  # in touch this week: nothing to do
    assert kinds(first["Dee Park"]) == {"waiting"}
    assert "the offsite agenda" in first["Dee Park"]["opener"]
    assert first["Ana Ruiz"]["opener"].startswith("Hi Ana,")

    cli(db, "done", "ana@one.example", "caught up on the phone", "--channel", "call", "--when", "2026-10-29T18:00")
    assert "Ana Ruiz" not in plan(db)
    timeline = js(db, "timeline", "ana@one.example")
    assert timeline[0]["channel"] == "call"


def test_a_message_waits_on_you_when_addressed_to_you_and_few_others(db: Path, tmp_path: Path) -> None:
    when = END + timedelta(hours=22)
    team = ", ".join([ME, *(f"p{i}@four.example" for i in range(3))])  # to four: a note to a team
    (tmp_path / "team.mbox").write_text(
        f"From ben {when:%a %b %d %H:%M:%S %Y}\nFrom: {BEN}\nTo: {team}\nDate: {format_datetime(when)}\n"
        "Message-ID: <team1@test.example>\nSubject: weekly volumes\n\nfigures attached\n\n", encoding="utf-8")
    cli(db, "import", str(tmp_path / "team.mbox"), "--me", ME)
    # Three notes from a sender never answered (a newsletter without list headers), one from a newcomer.
    notes = [("Eli Vance <eli@six.example>", END - timedelta(days=d), f"weekly digest {d}") for d in (1, 8, 15)]
    (tmp_path / "notes.mbox").write_text("".join(
        f"From x {when:%a %b %d %H:%M:%S %Y}\nFrom: {who}\nTo: {ME}\nDate: {format_datetime(when)}\n"
        f"Message-ID: <n{i}@test.example>\nSubject: {subject}\n\nhello\n\n"
        for i, (who, when, subject) in enumerate([*notes, ("Fay Ng <fay@seven.example>", END, "an introduction")])),
        encoding="utf-8")
    cli(db, "import", str(tmp_path / "notes.mbox"), "--me", ME)
    first = plan(db, "--budget", "10")
    assert "Ben Ode" not in first  # the team's note asks no one in particular
    assert "Eli Vance" not in first  # wrote three times, never answered: not waiting on you
    assert kinds(first["Fay Ng"]) == {"waiting"}  # a first message is
    assert first["Dee Park"]["opener"] == "Hi Dee, thanks for your message on “the offsite agenda”."  # a day old
    later = plan(db, "--budget", "10", as_of=AS_OF + timedelta(days=5))
    assert "waiting" in kinds(later["Dee Park"]) and "Ben Ode" not in later
    assert later["Dee Park"]["opener"] == "Hi Dee, sorry for the slow answer on “the offsite agenda”."


def test_someone_who_follows_up_in_one_conversation_still_waits_on_you(db: Path, tmp_path: Path) -> None:
    box = tmp_path / "follow.mbox"
    with box.open("w", encoding="utf-8") as out:
        for k, days in enumerate((9, 5, 1)):  # a question, then two nudges in the same conversation
            when = END - timedelta(days=days)
            reply = "In-Reply-To: <f0@test.example>\nReferences: <f0@test.example>\n" if k else ""
            out.write(f"From gus {when:%a %b %d %H:%M:%S %Y}\nFrom: Gus Hale <gus@eight.example>\nTo: {ME}\n"
                      f"Date: {format_datetime(when)}\nMessage-ID: <f{k}@test.example>\n{reply}"
                      f"Subject: {'Re: ' if k else ''}the lease renewal\n\nany news?\n\n")
    cli(db, "import", str(box), "--me", ME)
    got = plan(db, "--budget", "10")
    assert kinds(got["Gus Hale"]) == {"waiting"}  # three messages, but one conversation: not a newsletter
    assert "the lease renewal" in got["Gus Hale"]["opener"]


def test_a_linkedin_message_left_unanswered_waits_on_you(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder / "Connections.csv", PREAMBLE + CONNECTIONS_2025 + f"Ada,Example,{IN}ada-example,,Acme,Engineer,"
          f"10 Jan 2024\nBob,Sample,{IN}bob-sample,,Initech,CEO,11 Jan 2024\n")
    write(folder / "Profile.csv", "First Name,Last Name,Headline\nOwner Person,,Builder\n")
    write(folder / "messages.csv", MESSAGES_2025
          + f"c1,,Ada Example,{IN}ada-example,Owner Person,{OWNER},2026-10-29 09:00:00 UTC,,free to talk?,INBOX,,No\n"
          # Bob answered me: nothing waits. A sponsored message (a sender without a profile) asks nothing.
          + f"c2,,Bob Sample,{IN}bob-sample,Owner Person,{OWNER},2026-10-28 08:00:00 UTC,,sure,INBOX,,No\n"
          + f"c2,,Owner Person,{OWNER},Bob Sample,{IN}bob-sample,2026-10-27 08:00:00 UTC,,coffee?,INBOX,,No\n"
          + f"c3,An offer,Eve Marketer,,Owner Person,{OWNER},2026-10-29 08:00:00 UTC,,deal,INBOX,,No\n")
    write(folder / "Invitations.csv", 'From,To,Sent At,Message,Direction\nCy Person,Owner Person,"10/29/26, 3:45 PM",'
          "hello,INCOMING\n")
    db = tmp_path / "l.db"
    cli(db, "import", str(folder))
    got = plan(db, "--budget", "10")
    assert set(got) == {"Ada Example"}
    (reason,) = got["Ada Example"]["reasons"]
    assert (reason["kind"], reason["text"]) == ("waiting", "they wrote 2 days ago on LinkedIn and wait for your answer")
    assert got["Ada Example"]["opener"] == "Hi Ada, thanks for your message."


def test_a_message_from_someone_else_that_names_a_fading_tie_does_not_touch_it(db: Path, tmp_path: Path) -> None:
    when = END + timedelta(hours=3)
    (tmp_path / "group.mbox").write_text(
        f"From ben {when:%a %b %d %H:%M:%S %Y}\nFrom: {BEN}\nTo: {ME}, {ANA}\nDate: {format_datetime(when)}\n"
        "Message-ID: <group1@test.example>\nSubject: photos from the trip\n\nattached\n\n", encoding="utf-8")
    cli(db, "import", str(tmp_path / "group.mbox"), "--me", ME)
    assert "fading" in kinds(plan(db)["Ana Ruiz"])  # Ben wrote to us both; Ana and I are as silent as before


def test_mail_between_others_in_your_mailbox_does_not_touch_a_fading_tie(db: Path, tmp_path: Path) -> None:
    when = END + timedelta(hours=3)  # Ana to Ben only, kept in the user's mailbox (a shared folder, a forward)
    (tmp_path / "shared.mbox").write_text(
        f"From ana {when:%a %b %d %H:%M:%S %Y}\nFrom: {ANA}\nTo: {BEN}\nDate: {format_datetime(when)}\n"
        "Message-ID: <shared1@test.example>\nSubject: the budget\n\nsee attached\n\n", encoding="utf-8")
    cli(db, "import", str(tmp_path / "shared.mbox"), "--me", ME)
    assert js(db, "timeline", "ana@one.example")[0]["direction"] == "other"
    fading = plan(db)["Ana Ruiz"]
    assert "fading" in kinds(fading)  # as silent with the user as before, as the score also says
    assert fading["last_contact"] == js(db, "show", "ana@one.example")["last_contact"][:10]


def test_a_meeting_you_declined_does_not_touch_a_fading_tie(db: Path, tmp_path: Path) -> None:
    start = END + timedelta(hours=3)
    (tmp_path / "declined.ics").write_text("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:declined1@test.example",
        f"DTSTAMP:{start:%Y%m%dT%H%M%SZ}", f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}", "SUMMARY:planning", "ORGANIZER:mailto:ana@one.example",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@one.example", f"ATTENDEE;PARTSTAT=DECLINED:mailto:{ME}",
        "END:VEVENT", "END:VCALENDAR", ""]), encoding="utf-8")
    cli(db, "import", str(tmp_path / "declined.ics"), "--me", ME)
    assert js(db, "timeline", "ana@one.example")[0]["channel"] == "meeting"
    assert "fading" in kinds(plan(db)["Ana Ruiz"])


def test_only_a_tie_that_was_two_way_can_fade(db: Path, tmp_path: Path) -> None:
    notices = tmp_path / "notices.mbox"
    with notices.open("w", encoding="utf-8") as out:
        for week in range(30):  # weekly for months, never answered, silent for the last three
            when = END - timedelta(days=90 + 7 * week)
            out.write(f"From news {when:%a %b %d %H:%M:%S %Y}\nFrom: Team Notices <notices@five.example>\n"
                      f"To: {ME}\nDate: {format_datetime(when)}\nMessage-ID: <n{week}@five.example>\n"
                      f"Subject: notice {week}\n\nplease read\n\n")
    cli(db, "import", str(notices), "--me", ME)
    everyone = plan(db, "--budget", "20")
    assert "fading" in kinds(everyone["Ana Ruiz"])
    assert "Team Notices" not in everyone
    shown = js(db, "show", "notices@five.example")
    assert shown["tier"] == "active" and shown["last_two_way"] is None  # in the plan's tiers, but never two-way


def test_the_plan_is_for_the_day_the_scores_are_for(db: Path) -> None:
    cli(db, "score", "--as-of", AS_OF.isoformat())
    done = cli(db, "nudge")
    assert f"planned as of {AS_OF}" in done.stderr and "Ana Ruiz" in done.stdout
    assert js(db, "nudge")["as_of"] == AS_OF.isoformat()
    cli(db, "snooze", "ana@one.example", "1w")  # a week from the plan's day, not from today
    assert "Ana Ruiz" not in plan(db)
    assert "Ana Ruiz" in plan(db, as_of=AS_OF + timedelta(days=7))


def test_a_snoozed_person_waits_until_the_snooze_ends(db: Path) -> None:
    cli(db, "snooze", "ana@one.example", "2026-11-05")
    assert "Ana Ruiz" not in plan(db)
    assert "Ana Ruiz" not in plan(db, as_of=date(2026, 11, 4))
    assert "fading" in kinds(plan(db, as_of=date(2026, 11, 5)).get("Ana Ruiz", {"reasons": []}))
    cli(db, "snooze", "ana@one.example", "off")
    assert "Ana Ruiz" in plan(db)


def test_the_budget_is_kept_and_every_proposal_has_a_reason(db: Path) -> None:
    for who in ("ben@two.example", "cai@three.example"):
        cli(db, "favor", "got", who, "a warm intro", "--kind", "intro", "--when", "2026-10-01")
    everyone = plan(db, "--budget", "10")
    assert set(everyone) == {"Ana Ruiz", "Ben Ode", "Cai Lin", "Dee Park"}
    assert kinds(everyone["Ben Ode"]) == {"debt"}
    three = js(db, "nudge", "--as-of", AS_OF.isoformat(), "--budget", "3")["plan"]
    assert len(three) == 3 and all(n["reasons"] and n["opener"] for n in three)
    values = [n["value"] for n in three]
    assert values == sorted(values, reverse=True)
    dropped = min(everyone.values(), key=lambda n: n["value"])
    assert dropped["name"] not in {n["name"] for n in three}


def test_cadence_off_and_per_person_cadence(db: Path) -> None:
    cli(db, "cadence", "ana@one.example", "off")
    assert "Ana Ruiz" not in plan(db)
    cli(db, "cadence", "ben@two.example", "1d")  # Ben's last message was two days ago
    ben = plan(db)["Ben Ode"]
    fading = next(r["text"] for r in ben["reasons"] if r["kind"] == "fading")
    assert fading.startswith("your cadence for them is 1 day; silent for 2 days")  # the user's own, said as theirs
    listed = js(db, "cadence")
    assert {o["name"]: o["cadence_days"] for o in listed["people"]} == {"Ana Ruiz": 0, "Ben Ode": 1}
    cli(db, "cadence", "--tier", "close", "3w")
    assert js(db, "cadence")["tiers"]["close"] == 21
    bad = cli(db, "cadence", "ana@one.example", "often", check=False)
    assert bad.returncode != 0 and "use a duration like 10d, 6w, 3m or 1y" in bad.stderr


def test_the_plan_as_a_calendar_feed_imports_and_is_stable(db: Path, tmp_path: Path) -> None:
    feed, again = tmp_path / "plan.ics", tmp_path / "again.ics"
    got = js(db, "nudge", "--as-of", AS_OF.isoformat(), "--ics", str(feed))["plan"]
    cli(db, "nudge", "--as-of", AS_OF.isoformat(), "--ics", str(again))
    assert feed.read_bytes() == again.read_bytes()
    events = Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    assert len(events) == len(got) >= 2
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert {str(e["SUMMARY"]) for e in events} == {f"Get in touch with {n['name']}" for n in got}
    other = tmp_path / "other.db"
    first = js(other, "import", str(feed))
    assert first["added"] == len(events)
    assert js(other, "import", str(feed))["added"] == 0


def test_the_digest_reads_as_a_mail_body(db: Path) -> None:
    text = cli(db, "nudge", "--as-of", AS_OF.isoformat(), "--digest").stdout
    assert text.startswith(f"Your week from {AS_OF.isoformat()}:")
    assert "1. " in text and "Opener: " in text and "closeknit done PERSON" in text


def test_durations_and_due_days() -> None:
    assert [parse_days(x) for x in ("10d", "6w", "3m", "1y", "12", "x", "6x", "")] == [10, 42, 90, 365, 12, None,
                                                                                          None, None]
    defaults = {"inner": 14, "close": 30}
    assert due_after({"tier": "close", "usual_gap_days": 7.0}, defaults) == 14  # its own weekly rhythm
    assert due_after({"tier": "close", "usual_gap_days": 60.0}, defaults) == 30  # never later than the tier
    assert due_after({"tier": "inner", "usual_gap_days": 1.0}, defaults) == 7  # never more than weekly
    assert due_after({"tier": "close", "cadence_days": 0}, defaults) is None
    assert due_after({"tier": "dormant"}, defaults) is None


CONNECTIONS = ("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
               "Ana,Ruiz,https://www.linkedin.com/in/ana-ruiz,,{org},{title},03 Feb 2021\n"
               "Ben,Ode,https://www.linkedin.com/in/ben-ode,,Harbor Labs,CTO,1 Mar 2024\n")
# Cai keeps her phone and moves to a new email domain; Dee keeps her email and gets a new phone.
BOOK = ("First Name,Last Name,E-mail 1 - Value,Phone 1 - Value\nCai,Lin,{email},+14155550100\n"
        "Dee,Park,dee@four.example,{phone}\n")


def test_life_events_across_imports_become_reasons_and_keep_the_old_values(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    for n, (org, title, email, phone) in enumerate([("Acme Robotics", "Engineer", "cai@old.example", "+14155550111"),
                                                    ("Lumen Labs", "Staff Engineer", "cai@new.example",
                                                     "+14155550199")]):
        export = tmp_path / f"export{n}"
        export.mkdir()
        (export / "Connections.csv").write_text(CONNECTIONS.format(org=org, title=title), encoding="utf-8")
        (tmp_path / f"book{n}").mkdir()
        (tmp_path / f"book{n}" / "contacts.csv").write_text(BOOK.format(email=email, phone=phone), encoding="utf-8")
        cli(db, "import", str(export))
        cli(db, "import", str(tmp_path / f"book{n}" / "contacts.csv"))
    ana = js(db, "show", "https://www.linkedin.com/in/ana-ruiz")
    moves = [(e["kind"], e["old"], e["new"]) for e in ana["life_events"]]
    assert moves == [("employer", "Acme Robotics", "Lumen Labs")]
    assert ana["organization"] == "Lumen Labs"
    assert {r["organization"] for r in ana["roles"]} == {"Acme Robotics", "Lumen Labs"}  # the old employer is kept
    cai = js(db, "show", "cai@new.example")
    assert [(e["kind"], e["new"]) for e in cai["life_events"]] == [("email_domain", "new.example")]
    dee = js(db, "show", "dee@four.example")
    assert [(e["kind"], e["new"]) for e in dee["life_events"]] == [("phone", "+14155550199")]
    assert js(db, "show", "https://www.linkedin.com/in/ben-ode")["life_events"] == []  # unchanged: no news

    cli(db, "import", str(tmp_path / "export1"))  # the same export again changes nothing
    assert len(js(db, "show", "https://www.linkedin.com/in/ana-ruiz")["life_events"]) == 1

    week = {n["name"]: n for n in js(db, "nudge", "--budget", "10")["plan"]}
    assert kinds(week["Ana Ruiz"]) == {"employer"}
    assert "moved from Acme Robotics to Lumen Labs" in week["Ana Ruiz"]["reasons"][0]["text"]
    assert week["Ana Ruiz"]["opener"] == ("Hi Ana, congratulations on the move to Lumen Labs!"
                                          " How are the first weeks going?")
    assert kinds(week["Cai Lin"]) == {"email_domain"} and kinds(week["Dee Park"]) == {"phone"}
    assert "Ben Ode" not in week
    assert "changed" in cli(db, "show", "https://www.linkedin.com/in/ana-ruiz").stdout


@pytest.mark.parametrize(("name", "greeted"), [
    ("Okafor, Nomvula", "Nomvula"), ("Dr. Ana Ruiz", "Ana"), ("Océane Fournier, PhD", "Océane"),
    ("ana@example.com", "there"), ("", "there"), ("The Power Marketing Association", "there"),
    ("Northside Solution Center", "there"), ("Theo Lind", "Theo"),
])
def test_the_opener_greets_by_given_name(name: str, greeted: str) -> None:
    # "Last, First" once drafted "Hi Okafor,, …".
    assert _first_name(name) == greeted


def test_the_plan_with_no_interactions_says_what_to_import(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("Name,Email\nAnn Lee,ann@x.example\n", encoding="utf-8")
    db = tmp_path / "c.db"
    cli(db, "import", str(book))
    said = cli(db, "nudge")
    assert "nobody to nudge: no interactions yet: import a mailbox, a calendar" in said.stderr


def test_the_reports_fading_ties_are_the_plans(db: Path) -> None:
    """One notion of fading: the report lists the ties the plan gives a fading reason, with that reason."""
    planned = plan(db, "--budget", "50")
    fading = {name: next(r for r in n["reasons"] if r["kind"] == "fading") for name, n in planned.items()
              if "fading" in kinds(n)}
    report = js(db, "report", "--as-of", AS_OF.isoformat())
    assert fading and {f["name"]: f["why"] for f in report["fading"]} == {k: r["text"] for k, r in fading.items()}
    circle = js(db, "circle", "--as-of", AS_OF.isoformat())  # the flag stored with the scores says the same
    assert circle and {p["name"]: p["fading"] for p in circle} == {p["name"]: p["name"] in fading for p in circle}
    assert any(p["fading"] for p in circle)


@pytest.mark.parametrize(("subject", "quoted"), [
    ("Re: the offsite agenda", "the offsite agenda"), ("RE: FW: budget", "budget"), ("re", ""), ("Fwd:", ""),
    ("", ""), ("Reunion", "Reunion"), ("Invoice  due\tFriday", "Invoice due Friday"),
    ("Minutes of the quarterly planning meeting for the northern region, with actions, owners and deadlines",
     "Minutes of the quarterly planning meeting for the northern region, with actions…"),  # cut at a word
])
def test_a_subject_is_quoted_without_its_prefixes(subject: str, quoted: str) -> None:
    assert clean_subject(subject) == quoted


@pytest.mark.parametrize(("subject", "quoted"), [
    ("Re: the offsite agenda", "the offsite agenda"), ("Ana", ""), ("RE: Ana Ruiz", ""), ("Hi Ana!", ""),
    ("Ruiz, Ana", ""), ("hello", ""), ("Re: Quick question", ""), ("FW: update", ""), ("Ana's thesis", "Ana's thesis"),
    ("Lunch in Lisbon", "Lunch in Lisbon"),
])
def test_an_opener_quotes_only_a_subject_that_says_something(subject: str, quoted: str) -> None:
    assert topic(subject, "Ana Ruiz") == quoted
    fading = Nudge(1, "Ana Ruiz", "close", 50.0, 30, None, 0.5, [Reason("fading", "", 25.0)])
    expected = f"I was thinking back to “{quoted}”" if quoted else "it has been a while"
    assert expected in opener(fading, subject, "")
    waiting = Nudge(1, "Ana Ruiz", "close", 50.0, 30, None, 0.5, [Reason("waiting", "", 40.0)])
    assert opener(waiting, "", subject, waited_days=1) == (
        f"Hi Ana, thanks for your message on “{quoted}”." if quoted else "Hi Ana, thanks for your message.")
    assert opener(waiting, "", subject, waited_days=9).startswith("Hi Ana, sorry for the slow answer")
