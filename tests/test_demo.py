"""The built-in demo: a synthetic network in real file formats, imported end to end by the real importers."""

from __future__ import annotations

import csv
import email.header
import email.utils
import hashlib
import html
import io
import json
import mailbox
import re
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from typer.testing import CliRunner

import closeknit.cli.main  # noqa: F401  (registers every command on the app)
from closeknit.care import plan as care_plan
from closeknit.cli.main import app
from closeknit.demo import ME, Network, names, run_demo, write_contacts, write_demo
from closeknit.demo.files import CONNECTIONS_HEADER, GOOGLE_HEADER, INVITATIONS_HEADER, MESSAGES_HEADER
from closeknit.demo.network import EXTRA_BASE, strip_accents
from closeknit.intros import match
from closeknit.pipeline.detect import detect
from closeknit.pipeline.report_data import build as build_report
from closeknit.report import html as html_report
from closeknit.store import Store, life
from closeknit.store import review as review_store

TODAY = date(2025, 12, 1)
CUTOFF = datetime(2025, 12, 1, tzinfo=UTC)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]+)")
URL_RE = re.compile(r"https?://([^/\s\"',;>)\]]+)")
INVENTED_DOMAINS = re.compile(r"^(.+\.)?example(\.com|\.org|\.net)?$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return write_demo(tmp_path_factory.mktemp("demo"), people=300, seed=7, today=TODAY)


def _path(demo: dict[str, Any], key: str) -> Path:
    return Path(demo["paths"][key])


def _connections(demo: dict[str, Any]) -> list[dict[str, str]]:
    text = _path(demo, "connections").read_text(encoding="utf-8")
    preamble, body = text.split("\n\n", 1)
    assert preamble.startswith("Notes:\n\"When exporting your connection data")
    return list(csv.DictReader(io.StringIO(body)))


def _google(demo: dict[str, Any]) -> list[dict[str, str]]:
    with _path(demo, "google").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == GOOGLE_HEADER
        return list(reader)


def _cards(demo: dict[str, Any]) -> list[str]:
    text = _path(demo, "vcard").read_bytes().decode("utf-8")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    return [c for c in unfolded.split("BEGIN:VCARD")[1:]]


def _card_values(card: str, prop: str) -> list[str]:
    out = []
    for line in card.split("\r\n"):
        head, _, value = line.partition(":")
        name = head.split(";", 1)[0].split(".", 1)[-1].upper()
        if name == prop:
            out.append(value if prop != "X-SOCIALPROFILE" else line.split(":", 1)[1])
    return out


def _digits(phone: str) -> str:
    d = "".join(c for c in phone if c.isdigit())
    return "1" + d if len(d) == 10 and not phone.startswith("+") else d


def _decoded(header: str) -> str:
    return str(email.header.make_header(email.header.decode_header(header)))


def _files_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# ------------------------------------------------------------------------------------------ files


def test_every_file_is_written(demo: dict[str, Any]) -> None:
    for key in ("connections", "messages", "invitations", "vcard", "google", "sent", "inbox", "lists", "calendar"):
        assert _path(demo, key).is_file(), key
        assert _path(demo, key).stat().st_size > 0, key
    linkedin = _path(demo, "linkedin")
    assert (linkedin / "Profile.csv").is_file() and (linkedin / "Email Addresses.csv").is_file()


def test_files_are_recognised_by_the_importers_sniffers(demo: dict[str, Any]) -> None:
    assert detect(_path(demo, "linkedin")) == [("linkedin", _path(demo, "linkedin"))]
    assert detect(_path(demo, "vcard"))[0][0] == "vcard"
    assert detect(_path(demo, "google"))[0][0] == "csv"
    assert detect(_path(demo, "calendar"))[0][0] == "ics"
    assert {k for k, _ in detect(_path(demo, "mail"))} == {"mail"}


def test_same_seed_same_files(tmp_path: Path) -> None:
    write_demo(tmp_path / "a", people=60, seed=3, today=TODAY)
    write_demo(tmp_path / "b", people=60, seed=3, today=TODAY)
    write_demo(tmp_path / "c", people=60, seed=4, today=TODAY)
    a, b, c = (_files_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a["linkedin/Connections.csv"] != c["linkedin/Connections.csv"]


def test_linkedin_connections_in_the_2025_layout(demo: dict[str, Any]) -> None:
    text = _path(demo, "connections").read_text(encoding="utf-8")
    assert text.split("\n")[2] == ""
    assert text.split("\n")[3] == ",".join(CONNECTIONS_HEADER)
    rows = _connections(demo)
    assert len(rows) == demo["truth"]["sources"]["linkedin"] > 100
    assert all(re.fullmatch(r"\d{2} [A-Z][a-z]{2} \d{4}", r["Connected On"]) for r in rows)
    assert all(r["URL"].startswith("https://www.linkedin.com/in/") for r in rows)
    with_email = sum(1 for r in rows if r["Email Address"])
    assert 0 < with_email < len(rows) / 2  # most connections hide their address, as on LinkedIn
    assert len({r["URL"] for r in rows}) == len(rows)
    assert any(not (r["First Name"] + r["Last Name"]).isascii() for r in rows)  # José, Zoë, Müller ...


def test_linkedin_messages_and_invitations(demo: dict[str, Any]) -> None:
    with _path(demo, "messages").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == MESSAGES_HEADER
        messages = list(reader)
    assert len(messages) == demo["truth"]["linkedin"]["messages"] > 0
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", m["DATE"]) for m in messages)
    assert {m["SENDER PROFILE URL"] for m in messages} >= {ME.url}
    assert any(m["FROM"] != ME.name for m in messages)
    with _path(demo, "invitations").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == INVITATIONS_HEADER
        invitations = list(reader)
    assert invitations and {i["Direction"] for i in invitations} <= {"INCOMING", "OUTGOING"}
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M", i["Sent At"]) for i in invitations)


def test_vcards_come_in_real_app_styles(demo: dict[str, Any]) -> None:
    text = _path(demo, "vcard").read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == text.count("END:VCARD") == demo["truth"]["sources"]["vcard"] > 50
    assert "VERSION:3.0\r\n" in text and "VERSION:2.1\r\n" in text
    assert re.search(r"^item\d+\.EMAIL;type=INTERNET:", text, re.M)
    assert re.search(r"^item\d+\.X-ABLabel:", text, re.M)
    assert re.search(r"^(N|FN);CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=", text, re.M)
    assert re.search(r"^FN:[^\r\n]+\\, ", text, re.M)  # Outlook's "Last, First"
    assert re.search(r"^X-SOCIALPROFILE;type=linkedin", text, re.M)
    assert re.search(r"^CATEGORIES:", text, re.M) and re.search(r"^NOTE:.*(Offers|Needs):", text, re.M)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 76, line  # folded (3.0) or soft-broken (2.1 quoted-printable)


def test_google_contacts_csv(demo: dict[str, Any]) -> None:
    rows = _google(demo)
    truth = demo["truth"]["sources"]
    assert len(rows) == truth["google"] + truth["near_duplicates"]
    assert all(r["Labels"].endswith("* myContacts") for r in rows)
    bare = [r for r in rows if not (r["E-mail 1 - Value"] or r["Phone 1 - Value"] or r["Website 1 - Value"])]
    assert len(bare) == truth["near_duplicates"] >= 2
    by_org: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_org.setdefault(r["Organization Name"], []).append(r)
    connections = _connections(demo)
    for dup in bare:  # each near-duplicate is another spelling of someone on LinkedIn at the same company
        twins = [c for c in connections if c["Company"] == dup["Organization Name"]
                 and strip_accents(c["Last Name"])[:3] == strip_accents(dup["Last Name"])[:3]
                 and (c["First Name"], c["Last Name"]) != (dup["First Name"], dup["Last Name"])]
        assert twins, dup


def test_sources_overlap_as_designed(demo: dict[str, Any]) -> None:
    connections = _connections(demo)
    li_urls = {r["URL"] for r in connections}
    li_emails = {r["Email Address"] for r in connections if r["Email Address"]}
    cards = _cards(demo)
    card_ids = []
    for card in cards:
        emails = {v for v in _card_values(card, "EMAIL")}
        urls = {v for v in _card_values(card, "URL") + _card_values(card, "X-SOCIALPROFILE")}
        phones = {_digits(v) for v in _card_values(card, "TEL")}
        card_ids.append((emails, urls, phones))
    shared_with_linkedin = [c for c in card_ids if c[0] & li_emails or c[1] & li_urls]
    assert len(shared_with_linkedin) > len(cards) / 3
    rows = _google(demo)
    card_emails = set().union(*(c[0] for c in card_ids))
    card_phones = set().union(*(c[2] for c in card_ids))
    google_shared = google_only = 0
    for r in rows:
        emails = {r["E-mail 1 - Value"], r["E-mail 2 - Value"]} - {""}
        phone = _digits(r["Phone 1 - Value"]) if r["Phone 1 - Value"] else ""
        if emails & (card_emails | li_emails) or phone in card_phones or r["Website 1 - Value"] in li_urls:
            google_shared += 1
        elif emails or phone:
            google_only += 1
    assert google_shared > len(rows) / 3
    assert google_only > 0  # people who are only in the Google address book
    assert demo["truth"]["sources"]["all_three"] >= 2
    # The same person is spelled differently across sources (nicknames, missing accents, "Last, First").
    fns = {v for c in cards for v in _card_values(c, "FN")}
    li_names = {f"{r['First Name']} {r['Last Name']}" for r in connections}
    assert any(strip_accents(n) != n and strip_accents(n) in fns for n in li_names)
    nick = set(names.NICKNAMES.values())
    assert any(fn.split(" ")[0] in nick for fn in fns)


def test_mailboxes(demo: dict[str, Any]) -> None:
    counts = {}
    messages: dict[str, list[Any]] = {}
    for key in ("sent", "inbox", "lists"):
        box = mailbox.mbox(_path(demo, key), create=False)
        messages[key] = list(box)
        counts[key] = len(messages[key])
        box.close()
    truth = demo["truth"]["mail"]
    assert counts == {k: truth[k] for k in counts}
    assert counts["sent"] > 500 and counts["inbox"] > 500 and counts["lists"] > 100
    for key, found in messages.items():
        for m in found:
            for header in ("Message-ID", "Date", "From", "To", "Subject"):
                assert m[header], (key, header)
            when = email.utils.parsedate_to_datetime(m["Date"])
            assert when.tzinfo is not None and when < CUTOFF
    assert all(ME.email in m["From"] for m in messages["sent"])
    assert not any(ME.email in m["From"] for m in messages["inbox"])
    replies = [m for m in messages["sent"] + messages["inbox"] if m["In-Reply-To"]]
    assert len(replies) > 200
    assert all(m["References"] and _decoded(m["Subject"]).startswith("Re: ") for m in replies)
    assert any(len(email.utils.getaddresses([m["Cc"] or ""])) >= 2 for m in messages["sent"] + messages["inbox"])
    assert all(m["List-Id"] or "no-reply" in m["From"] or "notifications" in m["From"] for m in messages["lists"])
    assert any(m["List-Unsubscribe"] for m in messages["lists"])


def test_mail_follows_the_hidden_ties(demo: dict[str, Any]) -> None:
    net = Network(300, 7, TODAY)
    traffic: dict[str, list[datetime]] = {}
    for key in ("sent", "inbox"):
        box = mailbox.mbox(_path(demo, key), create=False)
        for m in box:
            when = email.utils.parsedate_to_datetime(m["Date"])
            for _, addr in email.utils.getaddresses([m["From"] or "", m["To"] or "", m["Cc"] or ""]):
                traffic.setdefault(addr.lower(), []).append(when)
        box.close()
    people = list(net)
    collected = [p for p in people if p.tier == "collected"]
    assert collected and not any(p.email in traffic for p in collected)
    inner = [p for p in people if p.tier == "inner"]
    active = [p for p in people if p.tier == "active" and not p.lapsed]
    def mean(group: list[Any]) -> float:
        return sum(len(traffic.get(p.email, [])) for p in group) / len(group)

    assert mean(inner) > 3 * mean(active)
    lapsed = [p for p in people if p.lapsed]
    assert lapsed
    recent = CUTOFF - timedelta(days=300)
    for p in lapsed:
        seen = traffic.get(p.email, [])
        assert not any(t >= recent for t in seen), p.name
    assert any(traffic.get(p.email) for p in lapsed)
    # Fading ties: mail every week or two for months, then nothing for the last two months.
    fading = [p for p in people if p.fading]
    assert 6 <= len(fading) <= 10 and not {p.index for p in fading} & {p.index for p in lapsed}
    assert all(p.tier in ("close", "favor") for p in fading)
    for p in fading:
        seen = sorted(traffic.get(p.email, []))
        assert not any(t >= CUTOFF - timedelta(days=60) for t in seen), p.name
        months = (seen[-1] - seen[0]).days / 30
        assert months >= 4 and len(seen) >= 2 * months, (p.name, len(seen), months)


def test_calendar(demo: dict[str, Any]) -> None:
    cal = icalendar.Calendar.from_ical(_path(demo, "calendar").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == demo["truth"]["calendar"]["events"] > 20

    def attendees(ev: Any) -> list[Any]:
        a = ev.get("ATTENDEE", [])
        return a if isinstance(a, list) else [a]

    assert any("RRULE" in ev for ev in events)
    assert any("RECURRENCE-ID" in ev for ev in events)
    assert any(len(attendees(ev)) >= 60 for ev in events)
    statuses = [str(ev.get("STATUS")) for ev in events]
    assert statuses.count("CANCELLED") == 1
    partstats = [a.params.get("PARTSTAT") for ev in events for a in attendees(ev)]
    assert "DECLINED" in partstats and "ACCEPTED" in partstats
    assert all(ev.get("ORGANIZER") for ev in events)


def test_only_invented_domains(demo: dict[str, Any]) -> None:
    folder = Path(demo["folder"])
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        text = re.sub(r"\r?\n[ \t]", "", path.read_bytes().decode("utf-8"))  # unfold folded lines
        for domain in set(EMAIL_RE.findall(text)):
            assert INVENTED_DOMAINS.match(domain.lower()), (path.name, domain)
        for host in set(URL_RE.findall(text)):
            assert host == "www.linkedin.com" or INVENTED_DOMAINS.match(host), (path.name, host)


# ------------------------------------------------------------------------------------------ scale


def test_people_are_the_same_alone_or_streamed_and_identifiers_unique() -> None:
    net = Network(5000, 11, TODAY)
    streamed = list(net)
    assert [net.person(i) for i in (0, 1, 4095, 4096, 4999)] == [streamed[i] for i in (0, 1, 4095, 4096, 4999)]
    for attr in ("work_email", "personal_email", "phone", "slug"):
        values = [getattr(p, attr) for p in streamed]
        assert len(set(values)) == len(values), attr
    assert net.summary()["tiers"] == {"inner": 5, "close": 10, "favor": 35, "active": 100, "acquaintance": 350,
                                      "collected": 4500}
    guest = net.person(EXTRA_BASE)
    assert guest.email.endswith(".example") and not guest.sources


def test_write_contacts_for_benchmarks(tmp_path: Path) -> None:
    out = write_contacts(tmp_path / "v", 500, seed=1, formats=("vcard",), today=TODAY)
    assert list(out["paths"]) == ["vcard"] and not (tmp_path / "v" / "google_contacts.csv").exists()
    every = write_contacts(tmp_path / "all", 400, seed=1, today=TODAY, every_format=True)
    assert every["counts"]["linkedin"] == every["counts"]["vcard"] == every["counts"]["google"] == 400
    text = Path(every["paths"]["vcard"]).read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 400


def test_family_names_do_not_repeat_across_origins() -> None:
    seen: dict[str, str] = {}
    for origin in names.ORIGINS:
        for family in origin.family:
            assert family not in seen, (family, origin.key, seen.get(family))
            seen[family] = origin.key


# ------------------------------------------------------------------------------------------ import


def test_run_demo_imports_end_to_end_and_is_idempotent(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    with Store(tmp_path / "demo.db") as db:
        first = run_demo(db, folder, people=300, seed=7, today=TODAY)
        before = _files_digest(folder)
        assert first["skipped"] == 0, [i["errors"] for i in first["imports"]]
        assert first["merged"] > 50  # people whose records came from 2+ sources
        assert first["all_contact_sources"] >= 1  # linkedin, vcard and csv records on one person
        assert first["review"] > 0
        assert first["interactions"] > 0 and first["interactions_added"] == first["interactions"]
        assert first["me"] == [ME.email]
        pairs = {(i["name_a"], i["name_b"]) for i in review_store.open_items(db)}
        variants = {d["variant"] for d in first["truth"]["near_duplicates"]}
        assert any(a in variants or b in variants for a, b in pairs)

        second = run_demo(db, folder, people=300, seed=7)  # the reference date comes from the first run
        assert second["today"] == TODAY.isoformat()
        assert _files_digest(folder) == before
        for item in second["imports"]:
            assert item["added"] == 0, item
            assert item["interactions"] == 0, item
        assert second["added"] == 0 and second["interactions_added"] == 0
        assert second["people"] == first["people"]
        assert second["interactions"] == first["interactions"]


def test_cli_demo_with_db(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "x.db"
    files = tmp_path / "files"
    result = runner.invoke(app, ["--db", str(db), "demo", "--people", "80", "--dir", str(files), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["database"] == str(db) and data["separate_database"] is False
    assert data["people"] >= 80 and data["interactions"] > 0 and data["merged"] > 0
    assert (files / "contacts.vcf").is_file() and (files / "mail" / "sent.mbox").is_file()
    again = runner.invoke(app, ["--db", str(db), "demo", "--people", "80", "--dir", str(files)])
    assert again.exit_code == 0, again.output
    assert "Try next" in again.stdout and f"closeknit --db {db} review" in again.stdout

    # After the report: this week's plan with its reasons, the planted life event, the ledger.
    text = again.stdout
    plan, move, total = data["plan"], data["truth"]["life_event"], data["ledger"]["total"]
    assert text.index("Network reality report") < text.index("This week's plan") < text.index("Life events")
    assert 0 < len(plan["week"]) <= plan["budget"]
    for k, n in enumerate(plan["week"], 1):
        assert f"{k}. {n['name']} ({n['tier']}" in text
        assert all(f"- {r['text']}" in text for r in n["reasons"])
    moved = f"moved from {move['old_company']} to {move['company']}"
    assert moved in text.split("Life events", 1)[1]
    assert f"Ledger: you gave {total['gave']} and got {total['got']} favors" in text and "give first: " in text
    # The reference date is today, the day the change was imported: the week's plan proposes it.
    with Store(db) as store:
        full = care_plan.weekly(store, date.fromisoformat(data["today"]), sys.maxsize)
    assert any(moved in r.text for n in full for r in n.reasons if r.kind == "employer")


def test_cli_demo_uses_its_own_database_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOSEKNIT_DB", raising=False)
    monkeypatch.setattr("closeknit.cli.demo.default_db_path", lambda: tmp_path / "data" / "closeknit.db")
    result = CliRunner().invoke(app, ["demo", "--people", "40", "--json", "--today", "2025-06-30"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["database"] == str(tmp_path / "data" / "demo.db") and data["separate_database"] is True
    assert data["folder"] == str(tmp_path / "data" / "demo-files")
    assert not (tmp_path / "data" / "closeknit.db").exists()


# ------------------------------------------------------------------------------------------ honest tiers


def _store_ids(db_path: Path) -> dict[str, int]:
    """Person id per lowercased email and LinkedIn profile, from the identifiers the importers stored."""
    con = sqlite3.connect(db_path)
    try:
        return {value.lower(): pid for _, value, pid in
                con.execute("SELECT kind, value, person_id FROM identifiers WHERE kind IN ('email', 'linkedin')")}
    finally:
        con.close()


# Seeds and reference dates the planted truth is checked at; each is built once for every test below.
CASES = [(7, date(2026, 3, 1)), (3, date(2026, 3, 1)), (7, date(2025, 12, 1)), (3, date(2026, 6, 15)),
         (5, date(2026, 9, 1)), (42, date(2026, 12, 4))]


@pytest.fixture(scope="module", params=CASES, ids=[f"{seed}-{day}" for seed, day in CASES])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo at one seed and date: run end to end into a real SQLite file, with the report and the
    plan read back from the store."""
    seed, day = request.param
    folder = tmp_path_factory.mktemp(f"demo-{seed}-{day}")
    with Store(folder / "demo.db") as db:
        result = run_demo(db, folder / "files", people=300, seed=seed, today=day)
        report = build_report(db)
        plan = care_plan.weekly(db, day, sys.maxsize)
        events = life.events(db)
    return {"seed": seed, "day": day, "result": result, "report": report, "plan": plan, "events": events,
            "ids": _store_ids(folder / "demo.db"), "net": Network(300, seed, day)}


def _pid(ids: dict[str, int], t: dict[str, Any]) -> int | None:
    """The stored person of a planted one: by work email, else by LinkedIn profile."""
    slug = str(t["linkedin"]).split("://", 1)[-1].removeprefix("www.").lower()
    return ids.get(str(t["email"]).lower(), ids.get(slug))


def test_tiers_agree_with_the_planted_truth(built: dict[str, Any]) -> None:
    """The favor list the report shows is about the size of the planted one and finds most of it,
    whatever the demo's seed and reference date; every statement beside it holds (weeks within 52,
    one meaning of "days ago")."""
    result, report, ids = built["result"], built["report"], built["ids"]
    planted_sizes = result["truth"]["tiers"]
    planted: set[int] = set()
    for t in built["net"].truth():
        if t["tier"] in ("inner", "close", "favor"):
            pid = _pid(ids, t)
            assert pid is not None, "a planted favor-list person was not imported"
            planted.add(pid)
    assert len(planted) == planted_sizes["inner"] + planted_sizes["close"] + planted_sizes["favor"]
    found = {p["id"] for p in report["favor_list"]}
    assert report["pyramid"][2] == {"label": "favor list", "count": len(found)}
    assert abs(len(found) / len(planted) - 1) <= 0.2, (len(found), len(planted))
    assert len(found & planted) >= 0.8 * len(planted), (len(found & planted), len(planted))
    assert report["tiers"]["inner"] <= 5 and report["tiers"]["inner"] + report["tiers"]["close"] <= 15

    weeks = [int(m) for p in report["favor_list"] for w in p["factors"]
             for m in re.findall(r"in touch (\d+) of the last 52 weeks", w)]
    assert weeks and max(weeks) <= 52
    page = html_report.render(report)
    cells = re.findall(r'<td class="date">[^<]*<small>([^<]*)</small></td>.*?<ul class="factors">(.*?)</ul>', page,
                       re.S)
    agreeing = 0
    for when, factors in cells:
        said = re.search(r"last contact ([^;<]*)", factors)
        if said:
            assert html.unescape(said.group(1)) == when
            agreeing += 1
    assert agreeing >= len(found) // 2


def test_the_plans_fading_list_finds_the_planted_fading_ties(built: dict[str, Any]) -> None:
    """At least 80% of the planted fading ties (in touch every week or two for months, then silent for two
    to four months) are in the plan's fading list: every tie the weekly plan gives a fading reason. The
    budget only chooses which of the plan's people to contact this week, so the list is read from the
    whole plan; the demo reports that same list."""
    result, plan = built["result"], built["plan"]
    planted = {_pid(built["ids"], t) for t in built["net"].truth() if t["fading"]}
    assert None not in planted and 6 <= len(planted) <= 10
    assert len(planted) == len(result["truth"]["fading"])
    fading = {n.person: n for n in plan if any(r.kind == "fading" for r in n.reasons)}
    found = planted & set(fading)
    assert len(found) >= 0.8 * len(planted), (len(found), len(planted))
    for pid in found:  # each says why: silent for longer than the tie is due
        n = fading[pid]
        assert n.due_days and n.last_contact
        assert (built["day"] - date.fromisoformat(n.last_contact)).days >= n.due_days
    assert [f["person"] for f in result["plan"]["fading"]] == list(fading)
    assert result["plan"]["week"] == [n.as_dict() for n in plan[:result["plan"]["budget"]]]
    assert result["plan"]["with_reason"] == len(plan)


def test_the_demo_plants_a_life_event_and_a_ledger(built: dict[str, Any]) -> None:
    """The job change between the two LinkedIn exports is read back as a life event, and the planted favors
    make a ledger with a strong tie to give to first."""
    result, ids = built["result"], built["ids"]
    move = result["truth"]["life_event"]
    pid = _pid(ids, move)
    assert pid is not None and move["old_company"] != move["company"]
    assert any(e["kind"] == "employer" and (e["old"], e["new"]) == (move["old_company"], move["company"])
               for e in built["events"].get(pid, []))
    said = [e["text"] for e in result["life_events"] if e["person"] == pid]
    assert any(f"moved from {move['old_company']} to {move['company']}" in text for text in said)

    planted = result["truth"]["favors"]
    total = result["ledger"]["total"]
    assert (total["gave"], total["got"]) == (sum(f["direction"] == "gave" for f in planted),
                                             sum(f["direction"] == "got" for f in planted))
    owed = {_pid(ids, {**f, "linkedin": ""}) for f in planted
            if sum(g["direction"] == "got" for g in planted if g["email"] == f["email"])
            > sum(g["direction"] == "gave" for g in planted if g["email"] == f["email"])}
    assert owed and {r["person"] for r in result["ledger"]["give_first"]} == owed


def test_the_demo_finds_who_can_do_x_and_who_can_introduce_you(built: dict[str, Any]) -> None:
    """The planted capability (an offer recorded on a contact only in the LinkedIn export) is among the first
    answers to the friend's question, the one that matched on an offer; the best path to its holder is warm,
    through the strong tie who knows them; the introduction asked of that tie is drafted to their address,
    as text and as an unsent .eml file; and the planted need makes a match with the offer."""
    result, ids = built["result"], built["ids"]
    planted, payoff = result["truth"]["capability"], result["payoff"]
    target = _pid(ids, {**planted, "email": ""})
    connector = _pid(ids, {**planted["connector"], "linkedin": ""})
    assert target is not None and payoff["target"] == target and payoff["connector"] == connector
    on_offer = [hit["id"] for hit in payoff["found"] if any(w["field"] == "offer" and w["matched"] for w in hit["why"])]
    assert on_offer == [target]  # among the best three, the one who offers it (a strong tie's tag may rank above)

    best = payoff["paths"][0]
    assert best["warm"] and [p["id"] for p in best["people"]] == [connector, target]
    assert planted["how"] in best["steps"][1]["text"]
    assert all(not p["warm"] and p["why_not_warm"] for p in payoff["paths"][1:])

    draft = payoff["intro"]["draft"]
    assert payoff["intro"]["state"] == "requested"
    assert [p["email"] for p in draft["to"]] == [planted["connector"]["email"]]
    assert planted["name"] in draft["body"] and draft["mailto"].startswith("mailto:")
    message = BytesParser(policy=policy.default).parsebytes(Path(payoff["eml"]).read_bytes())
    assert message["X-Unsent"] == "1" and message["To"].addresses[0].addr_spec == planted["connector"]["email"]

    with Store(Path(result["database"])) as db:
        pairs = {(m["seeker"], m["target"]) for m in match.suggestions(db)["suggestions"]}
    assert (_pid(ids, {**planted["need"], "linkedin": ""}), target) in pairs
