"""The fading model's lapse probability in production: scored per active tie from a generated mailbox,
stored, shown, used by the weekly plan (with its fallback), and an old database migrated to hold it."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from closeknit.care import plan
from closeknit.db import SCHEMA_VERSION
from closeknit.db.engine import MIGRATIONS
from closeknit.pipeline import scoring
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store import care as care_store
from closeknit.strength import calibration as cal
from test_cli import cli

ME = "me@home.example"
AS_OF = date(2026, 6, 30)
END = datetime(2026, 6, 30, 12, tzinfo=UTC)
STEADY = "Sam Steady <sam@steady.example>"  # weekly for two years, until this week
SILENT = "Sil Quiet <sil@quiet.example>"  # weekly for two years, silent for the last 60 days: still active
OLD = "Olga Old <olga@old.example>"  # weekly until 200 days ago: not active
MONTHLY = [f"Mo{i} Nthly <mo{i}@monthly.example>" for i in range(4)]  # monthly, until a few weeks ago


def exchanges(contact: str, last: datetime, every_days: int, count: int, tag: str) -> list[str]:
    """`count` exchanges `every_days` apart ending at `last`: I write, they answer two hours later."""
    out = []
    for k in range(count):
        when = last - timedelta(days=every_days * k)
        for i, (sender, to, at) in enumerate(((ME, contact, when), (contact, ME, when + timedelta(hours=2)))):
            reply = f"In-Reply-To: <{tag}-{k}-0@test.example>\n" if i else ""
            out.append(f"From x {at:%a %b %d %H:%M:%S %Y}\nFrom: {sender}\nTo: {to}\nDate: {format_datetime(at)}\n"
                       f"Message-ID: <{tag}-{k}-{i}@test.example>\n{reply}Subject: catching up {k}\n\nhello\n\n")
    return out


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Counter[float]]:
    """A database with two years of generated mail, scored as of AS_OF; the run, and how many times
    each back-test cut-off was computed."""
    tmp = tmp_path_factory.mktemp("lapse")
    box = tmp / "mail.mbox"
    rows = (exchanges(STEADY, END - timedelta(days=2), 7, 104, "steady")
            + exchanges(SILENT, END - timedelta(days=60), 7, 96, "silent")
            + exchanges(OLD, END - timedelta(days=200), 7, 60, "old"))
    for i, who in enumerate(MONTHLY):
        rows += exchanges(who, END - timedelta(days=10 + 5 * i), 30, 24, f"monthly{i}")
    box.write_text("".join(rows), encoding="utf-8")
    db_path = tmp / "c.db"
    calls: Counter[float] = Counter()
    original = cal.sample_at

    def counting(events: Any, t: float, *args: Any, **kwargs: Any) -> cal.Sample | None:
        calls[t] += 1
        return original(events, t, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp, Store(db_path) as db:
        run_import(db, box, kind="mail", me=[ME])
        mp.setattr(cal, "sample_at", counting)
        run = scoring.compute(db, AS_OF)
    return db_path, run, calls


def by_email(db_path: Path) -> dict[str, dict[str, Any]]:
    people = json.loads(cli(db_path, "people", "--json").stdout)
    return {p["emails"][0]: p for p in people if p["emails"]}


def test_a_tie_gone_silent_is_likelier_to_lapse_than_a_steady_one(scored: tuple[Path, dict, Counter]) -> None:
    db_path, run, _ = scored
    people = by_email(db_path)
    steady, silent = people["sam@steady.example"], people["sil@quiet.example"]
    assert 0 < steady["p_lapse_90d"] < silent["p_lapse_90d"] < 1
    assert all(0 < people[f"mo{i}@monthly.example"]["p_lapse_90d"] < 1 for i in range(4))
    # Active: a message either way in the 90 days before the scoring day; the others have none.
    assert people["olga@old.example"]["p_lapse_90d"] is None
    assert people["olga@old.example"]["p_contact_90d"] is not None
    lapse = run["fit"]["lapse_calibration"]
    assert lapse["source"] == "own history" and lapse["cutoffs"] >= 12 and lapse["active_ties"] == 6


def test_scoring_stores_the_column_and_computes_each_back_test_once(scored: tuple[Path, dict, Counter]) -> None:
    db_path, run, calls = scored
    con = sqlite3.connect(db_path)
    rows = dict(con.execute("SELECT p.name, s.p_lapse_90d FROM scores s JOIN people p ON p.id = s.person_id"))
    con.close()
    assert sum(v is not None for v in rows.values()) == 6 and rows["Olga Old"] is None
    # The contact and the lapse probabilities are fitted on the same back-tests, computed once each.
    assert calls and max(calls.values()) == 1
    assert len(calls) >= run["fit"]["calibration"]["cutoffs"] == run["fit"]["lapse_calibration"]["cutoffs"]


def test_show_explain_and_people_carry_it(scored: tuple[Path, dict, Counter]) -> None:
    db_path, _, _ = scored
    p = by_email(db_path)["sil@quiet.example"]
    explained = json.loads(cli(db_path, "explain", "sil@quiet.example", "--json").stdout)
    shown = json.loads(cli(db_path, "show", "sil@quiet.example", "--json").stdout)
    assert explained["p_lapse_90d"] == shown["p_lapse_90d"] == p["p_lapse_90d"]
    assert shown["p_contact_90d"] == p["p_contact_90d"]
    words = cli(db_path, "explain", "sil@quiet.example").stdout
    assert f"{100 * p['p_lapse_90d']:.0f}% likely that the tie lapses" in words
    table = cli(db_path, "show", "sil@quiet.example").stdout
    assert "lapse risk" in table and f"{100 * p['p_lapse_90d']:.0f}%" in table
    assert "lapse risk" not in cli(db_path, "show", "olga@old.example").stdout


def test_the_plan_ranks_fading_ties_by_the_lapse_probability(scored: tuple[Path, dict, Counter]) -> None:
    db_path, _, _ = scored
    people = by_email(db_path)
    with Store(db_path) as db:
        week = {n.name: n for n in plan.weekly(db, AS_OF, budget=10)}
    silent, old = week["Sil Quiet"], week["Olga Old"]
    assert silent.p_lapse == people["sil@quiet.example"]["p_lapse_90d"]
    fading = next(r for r in silent.reasons if r.kind == "fading")
    assert fading.value == pytest.approx(silent.strength * people["sil@quiet.example"]["p_lapse_90d"])
    assert "likely to lapse" in fading.text and f"of its {round(silent.strength)} strength points" in fading.text
    # Not active when scored: 1 − the contact probability stands in.
    assert old.p_lapse == pytest.approx(1 - people["olga@old.example"]["p_contact_90d"], abs=1e-3)
    assert "Sam Steady" not in week  # in touch this week


def test_the_lapse_probability_comes_first_and_falls_back_to_the_contact_probability() -> None:
    two_way = {"usual_gap_days": 7.0, "last_two_way": "2026-02-28"}
    cands = [{"person": 1, "name": "A", "tier": "active", "strength": 50.0, "p_contact": 0.5, "p_lapse": 0.9,
              **two_way},
             {"person": 2, "name": "B", "tier": "active", "strength": 50.0, "p_contact": 0.2, "p_lapse": None,
              **two_way},
             {"person": 3, "name": "C", "tier": "active", "strength": 50.0, "p_contact": None, "p_lapse": None,
              **two_way},
             {"person": 4, "name": "D", "tier": "active", "strength": 50.0, "p_contact": 0.5, "p_lapse": 0.9,
              "usual_gap_days": 7.0, "last_two_way": None}]
    assert [plan.lapse_probability(c) for c in cands] == [0.9, pytest.approx(0.8), None, 0.9]
    today = date(2026, 6, 30)
    long_ago = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    built = plan.build(today, cands, {c["person"]: (int(long_ago), "hi") for c in cands}, {}, {},
                       care_store.DEFAULT_CADENCE, budget=5)
    # C: no probability, no reason; D: never two-way, nothing to keep
    assert [(n.name, round(n.value, 1)) for n in built] == [("A", 45.0), ("B", 40.0)]


def test_an_old_database_gains_the_column_and_keeps_its_scores(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # a database as release 0005 wrote it, with a score
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        conn.exec_driver_sql("INSERT INTO people(id, name, created_at) VALUES (1, 'Ana Ruiz', '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO scores(person_id, strength, tier, last_contact, factors, features, computed_at, p_contact_90d)"
            " VALUES (1, 40, 'active', '2026-03-01', '{\"top\": [], \"why\": []}', '{\"usual_gap_days\": 7}',"
            " '2026-06-01', 0.25)")
    engine.dispose()
    with Store(path) as db:
        assert db.schema_version() == SCHEMA_VERSION
        [cand] = care_store.candidates(db, plan.PLAN_TIERS)
        assert cand["p_contact"] == 0.25 and cand["p_lapse"] is None
        assert plan.lapse_probability(cand) == pytest.approx(0.75)
    con = sqlite3.connect(path)
    assert "p_lapse_90d" in {r[1] for r in con.execute("PRAGMA table_info(scores)")}
    con.close()
