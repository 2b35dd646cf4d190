"""Tie strength end to end on the generated demo network: scores, tiers, explanations, the report."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from closeknit.demo import run_demo

TODAY = date(2026, 3, 1)


def cli(db: Path, *args: str) -> str:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "--db", str(db),
                           *args], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run_demo(folder / "d.db", folder / "files", people=150, seed=11, today=TODAY)
    return folder / "d.db"


def scores_table(db: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT person_id, strength, tier, last_contact, factors FROM scores ORDER BY person_id")
    out = rows.fetchall()
    con.close()
    return out


def test_scores_are_deterministic_and_explained(demo_db: Path) -> None:
    cli(demo_db, "score", "--as-of", TODAY.isoformat())
    first = scores_table(demo_db)
    cli(demo_db, "score", "--as-of", TODAY.isoformat())
    assert scores_table(demo_db) == first
    people = json.loads(cli(demo_db, "people", "--sort", "strength", "--json"))
    assert {"strength", "tier", "last_contact"} <= set(people[0])
    strengths = [p["strength"] for p in people if p["strength"] is not None]
    assert strengths == sorted(strengths, reverse=True) and min(strengths) >= 0 and max(strengths) <= 100
    circle = json.loads(cli(demo_db, "circle", "--json"))
    assert circle and all(p["tier"] in ("inner", "close", "favor") and p["factors"]["why"] for p in circle)
    inner = json.loads(cli(demo_db, "people", "--tier", "inner", "--json"))
    assert 1 <= len(inner) <= 5
    top = circle[0]
    explained = json.loads(cli(demo_db, "explain", str(top["id"]), "--json"))
    assert explained["strength"] == top["strength"] and explained["factors"]["top"]
    assert explained["features"]["n_out"] is not None


def test_tiers_follow_the_hidden_truth(demo_db: Path) -> None:
    """Collected-only contacts (never interacted) are tiered so; the strongest ties are real ones."""
    con = sqlite3.connect(demo_db)
    never = con.execute(
        "SELECT count(*) FROM scores s WHERE s.tier != 'collected' AND NOT EXISTS"
        " (SELECT 1 FROM interaction_parties ip WHERE ip.person_id = s.person_id)"
    ).fetchone()[0]
    assert never == 0
    tiers = dict(con.execute("SELECT tier, count(*) FROM scores GROUP BY tier").fetchall())
    assert tiers.get("collected", 0) > 0 and tiers.get("inner", 0) >= 1
    con.close()


def test_ratings_refit_the_weights(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "rated.db"
    shutil.copy(demo_db, db)
    people = json.loads(cli(db, "people", "--sort", "strength", "--json"))
    interacted = [p for p in people if p["tier"] not in (None, "collected")]
    for p in interacted[:12]:
        cli(db, "rate", str(p["id"]), "strong")
    for p in interacted[-12:]:
        cli(db, "rate", str(p["id"]), "weak")
    summary = json.loads(cli(db, "score", "--as-of", TODAY.isoformat(), "--json"))
    assert summary["fit"]["labels"] == 24
    assert summary["fit"]["fitted"] is True and summary["model"] == "fitted"
    assert summary["fit"]["cv_auc"] is not None


def test_report_html_opens_offline_without_errors(demo_db: Path, tmp_path: Path, browser: Any) -> None:
    page_path = tmp_path / "report.html"
    text = cli(demo_db, "report", "--html", str(page_path), "--as-of", TODAY.isoformat())
    assert "contacts →" in text and "Favor list" in text
    html = page_path.read_text(encoding="utf-8")
    assert html.count("<svg") == 6
    errors: list[str] = []
    requests: list[str] = []
    page = browser.new_page()
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        charts = page.locator("svg")
        assert charts.count() == 6
        for i in range(6):
            chart = charts.nth(i)
            box = chart.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100
            labels = chart.locator("text").all_text_contents()
            assert len([t for t in labels if t.strip()]) >= 4  # title, both axis labels, ticks
    finally:
        page.close()
    assert errors == []
    assert requests == [page_path.as_uri()]


def test_report_shows_and_explains_the_calibrated_chance(demo_db: Path, tmp_path: Path) -> None:
    """The text and HTML reports of a generated store show each tie's 90-day chance, as stored, and say how it was
    calibrated on the store's own back-tests."""
    from html import escape

    from closeknit.report import chance

    day = TODAY.isoformat()
    data = json.loads(cli(demo_db, "report", "--as-of", day, "--json"))
    calib = json.loads(cli(demo_db, "score", "--as-of", day, "--json"))["fit"]["calibration"]
    assert data["calibration"] == calib and calib["source"] == "own history" and calib["cutoffs"] >= 1
    assert sum(b["ties"] for b in calib["reliability"]) == calib["ties"] > 0
    circle = {p["id"]: p["p_contact_90d"] for p in json.loads(cli(demo_db, "circle", "--json"))}
    assert data["favor_list"] and all(p["p_contact_90d"] == circle[p["id"]] for p in data["favor_list"])
    assert data["fading"] and all(0 < p["p_contact_90d"] < 1 for p in data["fading"])
    how = f"It is calibrated on {calib['cutoffs']} back-tests of your own history"

    text = cli(demo_db, "report", "--as-of", day)
    top = data["favor_list"][0]
    ranked = next(line for line in text.splitlines() if line.startswith("   1. "))
    assert f"  {chance(top['p_contact_90d'])}  " in ranked
    assert f"90-day chance {chance(data['fading'][0]['p_contact_90d'])}" in text
    assert "within the next 90 days, judging from your own history" in text and how in text

    page_path = tmp_path / "report.html"
    cli(demo_db, "report", "--as-of", day, "--html", str(page_path))
    page = page_path.read_text(encoding="utf-8")
    favor = page[page.index('<table id="favor-table">'):]
    favor = favor[: favor.index("</table>")]
    assert "Chance of a two-way exchange within 90 days" in favor
    assert f'<td class="num chance">{escape(chance(top["p_contact_90d"]))}</td>' in favor
    fading = page[page.index('<table id="fading-table">'):]
    assert "Chance of a two-way exchange within 90 days" in fading[: fading.index("</table>")]
    assert how in page and 'id="chart-calibration"' in page


def test_live_scores_follow_today_and_pinned_ones_keep_their_day(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    shutil.copy(demo_db, db)  # the demo is scored as of its reference day, a past one: pinned
    runs = "SELECT as_of, computed_at FROM score_runs ORDER BY id"
    pinned = sqlite3.connect(db).execute(runs).fetchall()
    assert pinned[-1][0] == TODAY.isoformat()
    cli(db, "circle")
    assert sqlite3.connect(db).execute(runs).fetchall() == pinned  # read as they are

    cli(db, "score")  # live: as of today
    con = sqlite3.connect(db)
    today = con.execute(runs).fetchall()[-1][0]
    assert today > TODAY.isoformat()
    # The same run, as if it had been made on the day before TODAY: live scores from an earlier day.
    con.execute("UPDATE score_runs SET as_of = '2026-02-28', computed_at = '2026-02-28T09:00:00+00:00'"
                " WHERE id = (SELECT max(id) FROM score_runs)")
    con.commit()
    con.close()
    plan = json.loads(cli(db, "nudge", "--json"))
    assert plan["as_of"] == today  # brought to today before the plan was made
    assert sqlite3.connect(db).execute(runs).fetchall()[-1][0] == today


def test_the_report_counts_each_conversation_once(tmp_path: Path) -> None:
    """Who began conversations and who answered: a thread to three people is one conversation, a reply to mail
    not in the store begins none, bulk mail is none, and a thread counts as answered when the other side wrote."""
    me, day = "me@home.example", datetime(2026, 2, 2, 9, tzinfo=UTC)
    mails: list[str] = []

    def mail(n: int, sender: str, to: str, subject: str, answers: int | None = None, extra: str = "") -> None:
        when = day + timedelta(hours=n)
        head = (f"From x {when:%a %b %d %H:%M:%S %Y}\nFrom: {sender}\nTo: {to}\nDate: {format_datetime(when)}\n"
                f"Message-ID: <m{n}@test.example>\nSubject: {subject}\n{extra}")
        mails.append(head + (f"In-Reply-To: <m{answers}@test.example>\n" if answers is not None else "") + "\nhi\n\n")

    trio = "ana@one.example, ben@two.example, cy@three.example"
    mail(1, me, trio, "plans")  # mine, answered by one of the three
    mail(2, "ben@two.example", me, "Re: plans", answers=1)
    mail(3, me, "ana@one.example", "lunch?")  # mine, unanswered
    mail(4, me, "dee@four.example", "Re: your question")  # answers mail not here: begins nothing
    mail(5, "dee@four.example", me, "the offsite")  # theirs, answered
    mail(6, me, "dee@four.example", "Re: the offsite", answers=5)
    mail(7, "eve@five.example", me, "a favour")  # theirs, unanswered
    mail(8, "news@shop.example", me, "sale", extra="List-Unsubscribe: <mailto:u@shop.example>\n")  # bulk
    box = tmp_path / "box.mbox"
    box.write_text("".join(mails), encoding="utf-8")
    db = tmp_path / "c.db"
    cli(db, "import", "mail", str(box), "--me", me)
    data = json.loads(cli(db, "report", "--as-of", "2026-02-10", "--json"))
    assert data["balance"] == {"you_started": 2, "they_started": 2, "answered_by_them": 0.5, "answered_by_you": 0.5}
    text = cli(db, "report", "--as-of", "2026-02-10")
    assert "You started 2 conversations and they started 2 (50% started by you); they answered 50% of yours" in text


def test_the_report_says_who_answers_is_unknown_when_no_reply_is_linked(tmp_path: Path) -> None:
    """Mail without reply headers or "Re:" subjects (a converted chat log) links no answer: the report does not
    claim that nobody answered."""
    me, day = "me@home.example", datetime(2026, 2, 2, 9, tzinfo=UTC)
    mails = []
    for n in range(6):
        when = day + timedelta(hours=n)
        sender, to = (me, "ana@one.example") if n % 2 == 0 else ("ana@one.example", me)
        mails.append(f"From x {when:%a %b %d %H:%M:%S %Y}\nFrom: {sender}\nTo: {to}\nDate: {format_datetime(when)}\n"
                     f"Message-ID: <c{n}@test.example>\nSubject: note {n}\n\nhi\n\n")
    box = tmp_path / "box.mbox"
    box.write_text("".join(mails), encoding="utf-8")
    db = tmp_path / "c.db"
    cli(db, "import", "mail", str(box), "--me", me)
    data = json.loads(cli(db, "report", "--as-of", "2026-02-10", "--json"))
    assert data["balance"] == {"you_started": 3, "they_started": 3, "answered_by_them": None, "answered_by_you": None}
    assert "who answers is unknown: no reply in this mail could be linked" in cli(db, "report", "--as-of", "2026-02-10")
