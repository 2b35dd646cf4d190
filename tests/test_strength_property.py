"""Any small interaction history, imported into a real store, scores, lists, explains, reports, plans the week and
evaluates."""

from __future__ import annotations

import email.utils
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import closeknit.cli.main  # noqa: F401  (registers every command on the app)
from closeknit.care import fading
from closeknit.cli.main import app
from closeknit.pipeline.importer import run_import
from closeknit.sources import mail
from closeknit.store import Store
from closeknit.store import interactions as ix
from closeknit.store import people as people_store
from closeknit.strength import calibration as cal
from closeknit.strength.evaluate import evaluate_events
from closeknit.strength.events import Events, Row

ME = "me@example.com"
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
LOG_CHANNELS = ("call", "meeting", "coffee", "message", "email", "other")


@dataclass(frozen=True)
class Touch:
    """One generated interaction: a mail message (out, in or between others) or a logged one."""

    kind: str  # "mail" or "log"
    person: int
    others: tuple[int, ...]
    direction: str  # out, in, other (mail); out, in, both (log)
    when: datetime
    bulk: bool
    reply_to: int | None  # index of an earlier touch whose Message-ID it answers; -1: an unknown one
    duplicate_of: int | None  # reuse an earlier touch's Message-ID
    re_subject: bool
    channel: str


# Moments: a few shared ones (equal timestamps), far in the past, recent, and after the as-of day.
_moments = st.one_of(
    st.sampled_from([AS_OF - timedelta(days=1), AS_OF - timedelta(days=30), AS_OF + timedelta(days=3)]),
    st.integers(-60 * 365 * 86400, 5 * 365 * 86400).map(lambda s: AS_OF + timedelta(seconds=s)),
    st.integers(0, 800 * 86400).map(lambda s: AS_OF - timedelta(seconds=s)),
)


@st.composite
def touches(draw: st.DrawFn) -> list[Touch]:
    n_people = draw(st.integers(1, 8))
    n = draw(st.integers(0, 60))
    out: list[Touch] = []
    for k in range(n):
        kind = draw(st.sampled_from(["mail", "mail", "mail", "log"]))
        earlier = st.integers(0, k - 1) if k else st.nothing()
        out.append(Touch(
            kind=kind,
            person=draw(st.integers(0, n_people - 1)),
            others=tuple(draw(st.lists(st.integers(0, n_people - 1), max_size=3))),
            direction=draw(st.sampled_from(["out", "in", "other"] if kind == "mail" else ["out", "in", "both"])),
            when=draw(_moments),
            bulk=draw(st.booleans()) if kind == "mail" else False,
            reply_to=draw(st.one_of(st.none(), st.just(-1), earlier)),
            duplicate_of=draw(st.one_of(st.none(), earlier)) if draw(st.integers(0, 9)) == 0 else None,
            re_subject=draw(st.booleans()),
            channel=draw(st.sampled_from(LOG_CHANNELS)),
        ))
    return out


def _address(i: int) -> str:
    return f"p{i}@example.org"


def _message_id(t: list[Touch], k: int) -> str:
    dup = t[k].duplicate_of
    return f"<m{dup if dup is not None else k}@example.org>"


def _mbox(t: list[Touch]) -> str:
    parts = []
    for k, x in enumerate(t):
        if x.kind != "mail":
            continue
        sender = {"out": ME, "in": _address(x.person), "other": _address(x.person)}[x.direction]
        to = [_address(x.person)] if x.direction == "out" else [ME] if x.direction == "in" else []
        to += [_address(o) for o in x.others]
        headers = [
            f"From: {sender}", f"To: {', '.join(to) or 'undisclosed-recipients:;'}",
            f"Date: {email.utils.format_datetime(x.when)}", f"Message-ID: {_message_id(t, k)}",
            f"Subject: {'Re: ' if x.re_subject else ''}topic {k % 3}",
        ]
        if x.reply_to is not None:
            headers.append(f"In-Reply-To: {'<unknown@example.org>' if x.reply_to < 0 else _message_id(t, x.reply_to)}")
        if x.bulk:
            headers.append("List-Id: <news.example.org>")
        parts.append("From sender@example.org Mon Jan  1 00:00:00 2024\n" + "\n".join(headers) + "\n\nhello\n")
    return "\n".join(parts)


def _rows(t: list[Touch]) -> list[Row]:
    """The same history as plain rows, for the evaluation on `Events` built without a store."""
    rows = []
    for k, x in enumerate(t):
        direction = {"both": "other"}.get(x.direction, x.direction)
        parent = None if x.reply_to is None else (10**6 if x.reply_to < 0 else x.reply_to)
        for who in (x.person, *x.others):
            rows.append(Row(who, x.when, direction, x.channel if x.kind == "log" else "email",
                            1 + len(x.others), x.bulk, k, parent))
    return rows


def _cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exception is None and result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(touches())
def test_any_history_scores_lists_explains_reports_and_evaluates(t: list[Touch]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db_path = tmp / "p.db"
        box = tmp / "mail.mbox"
        box.write_text(_mbox(t), encoding="utf-8")
        cards = tmp / "contacts.vcf"
        cards.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nEMAIL:{_address(i)}\r\n"
                                 "END:VCARD\r\n" for i in range(8)), encoding="utf-8")
        with Store(db_path) as db:
            run_import(db, cards, kind="vcard")
            if any(x.kind == "mail" for x in t):
                run_import(db, box, kind="mail", me=[ME])
            for k, x in enumerate(t):
                if x.kind == "log":
                    pid = people_store.find_person(db, _address(x.person))
                    ix.log(db, pid, x.channel, x.when, x.direction, f"note {k}")
        as_of = AS_OF.date().isoformat()
        summary = json.loads(_cli(db_path, "score", "--as-of", as_of, "--json"))
        assert sum(summary["tiers"].values()) == summary["people"]
        circle = json.loads(_cli(db_path, "circle", "--json"))
        assert all(p["tier"] in ("inner", "close", "favor") for p in circle)
        people = json.loads(_cli(db_path, "people", "--json"))
        for p in people[:3]:
            explained = json.loads(_cli(db_path, "explain", str(p["id"]), "--json"))
            assert 0 <= explained["strength"] <= 100
        _cli(db_path, "report", "--html", str(tmp / "r.html"))
        assert (tmp / "r.html").stat().st_size > 0
        ics = tmp / "p.ics"
        plan = json.loads(_cli(db_path, "nudge", "--as-of", as_of, "--budget", "3", "--json", "--ics", str(ics)))
        assert len(plan["plan"]) <= 3 and all(n["reasons"] and n["opener"] for n in plan["plan"])
        assert all(n["p_lapse"] is None or 0 <= n["p_lapse"] <= 1 for n in plan["plan"])
        feed = icalendar.Calendar.from_ical(ics.read_bytes())
        assert len([e for e in feed.walk("VEVENT")]) == len(plan["plan"])
        _cli(db_path, "nudge", "--as-of", as_of, "--digest")
        assert json.loads(_cli(db_path, "ledger", "--json")) is not None

        cutoffs = [(AS_OF - timedelta(days=30 * k)).timestamp() for k in range(0, 24, 3)]
        records = [r for r in mail.parse(box) if getattr(r, "parties", None) is not None] if box.stat().st_size else []
        for events in (Events.from_mail(records, [ME]), Events.from_rows(_rows(t))):
            result = evaluate_events(events, cutoffs=cutoffs)
            assert result["cutoffs"] + result["skipped_quiet"] + result["skipped_one_class"] == len(cutoffs)
            assert all(np.isfinite(v) or np.isnan(v) for m in result["metrics"].values() for v in m.values())
            lapse = fading.evaluate_events(events, cutoffs, cal.MONTHLY)
            assert 0 <= lapse["cutoffs"] <= len(cutoffs)
            assert all(0 <= lapse[k] <= 1 for k in ("brier", "ece") if k in lapse)
