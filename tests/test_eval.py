"""The tie-strength evaluation harness on a synthetic mail folder and on a few real Enron mailboxes."""

from __future__ import annotations

import json
import mailbox
import math
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import numpy as np
import pytest

from closeknit.errors import InputError
from closeknit.strength import evaluate as ev
from conftest import shared

START = datetime(1999, 6, 1, 9, tzinfo=UTC)
END = datetime(2001, 12, 31, tzinfo=UTC)


def _msg(n: int, when: datetime, sender: str, to: list[str], subject: str) -> EmailMessage:
    m = EmailMessage()
    m["Message-ID"] = f"<{n}@synthetic.example>"
    m["Date"] = format_datetime(when)
    m["From"] = sender
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m.set_content("synthetic")
    return m


def _write_owner(root: Path, name: str, seed: int) -> None:
    """An owner with steady two-way ties, occasional one-off contacts and a few group messages."""
    rng = np.random.default_rng(seed)
    me = f"{name}@corp.example"
    sent, inbox = [], []
    n = seed * 100_000
    steady = [f"steady{k}@corp.example" for k in range(8)]
    for k, who in enumerate(steady):
        end = END if k < 5 else datetime(2000, 4 + k, 1, tzinfo=UTC)  # some ties stop
        t = START + timedelta(days=float(rng.uniform(0, 10)))
        while t < end:
            n += 1
            sent.append(_msg(n, t, me, [who], f"topic {n}"))
            n += 1
            inbox.append(_msg(n, t + timedelta(hours=float(rng.uniform(1, 30))), who, [me], f"Re: topic {n - 1}"))
            t += timedelta(days=float(rng.uniform(5, 20)))
    for _ in range(120):
        who = f"oneoff{int(rng.integers(0, 60))}@other.example"
        t = START + timedelta(days=float(rng.uniform(0, (END - START).days)))
        n += 1
        if rng.random() < 0.5:
            sent.append(_msg(n, t, me, [who], "question"))
        else:
            inbox.append(_msg(n, t, who, [me], "hello"))
    for _ in range(15):
        t = START + timedelta(days=float(rng.uniform(0, (END - START).days)))
        n += 1
        sent.append(_msg(n, t, me, [*steady[:3], *(f"team{j}@corp.example" for j in range(6))], "team note"))
    folder = root / name
    folder.mkdir(parents=True)
    for fname, msgs in (("sent", sent), ("inbox", inbox)):
        box = mailbox.mbox(str(folder / f"{fname}.mbox"))
        for m in msgs:
            box.add(m)
        box.flush()
        box.close()


@pytest.fixture(scope="module")
def mail_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mailroot")
    _write_owner(root, "owner_a", 1)
    _write_owner(root, "owner_b", 2)
    return root


def _check_metrics(m: dict[str, float]) -> None:
    assert set(m) >= {"auc", "p10", "ndcg10"}
    for v in m.values():
        assert 0.0 <= v <= 1.0


def _check_schema(out: dict[str, object]) -> None:
    assert set(out) >= {"owners", "cutoffs", "model", "baselines", "auc_diff_ci95", "per_owner"}
    base = out["baselines"]
    assert isinstance(base, dict)
    assert set(base) == {"count", "recency", "min_in_out", "roth_best", "random"}
    _check_metrics(out["model"])  # type: ignore[arg-type]
    for name, m in base.items():
        _check_metrics({k: v for k, v in m.items() if k in ("auc", "p10", "ndcg10")})
        if name == "roth_best":
            assert m["half_life_weeks"] in (2, 4, 8, 12) and m["out_weight"] in (1, 2)
    lo, hi = out["auc_diff_ci95"]  # type: ignore[misc]
    assert -1 <= lo <= hi <= 1
    json.dumps(out, allow_nan=False)
    per = out["per_owner"]
    assert isinstance(per, list) and all({"owner", "cutoffs", "model", "baselines"} <= set(p) for p in per)


def test_synthetic_mail_root(mail_root: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    out = ev.evaluate(mail_root, None, progress=lambda d, t, o: calls.append((d, t, o)), workers=1)
    _check_schema(out)
    assert out["owners"] == 2
    assert 2 <= out["cutoffs"] <= 2 * len(ev.monthly_cutoffs())
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)]
    # steady two-way ties are easy to find here: the model must do clearly better than chance
    assert out["model"]["auc"] > 0.8
    assert out["model"]["auc"] > out["baselines"]["random"]["auc"]
    assert math.isfinite(out["auc_diff_ci95"][0])
    again = ev.evaluate(mail_root, ["owner_b", "owner_a"], workers=2)
    assert again["model"] == out["model"] and again["auc_diff_ci95"] == out["auc_diff_ci95"]
    assert 0 <= out["model"]["ece"] <= 1 and 0 <= out["model"]["brier"] <= 1


def test_owner_selection_and_errors(mail_root: Path, tmp_path: Path) -> None:
    out = ev.evaluate(mail_root, ["owner_a"], workers=1)
    assert out["owners"] == 1 and [p["owner"] for p in out["per_owner"]] == ["owner_a"]
    with pytest.raises(InputError):
        ev.evaluate(mail_root, ["nobody"], workers=1)
    with pytest.raises(InputError):
        ev.evaluate(tmp_path / "missing", None)


def test_too_little_mail_gives_empty_but_valid_report(tmp_path: Path) -> None:
    folder = tmp_path / "quiet"
    folder.mkdir()
    box = mailbox.mbox(str(folder / "sent.mbox"))
    for n in range(3):
        box.add(_msg(n, datetime(2000, 5, 1 + n, tzinfo=UTC), "q@corp.example", ["x@corp.example"], "hi"))
    box.close()
    out = ev.evaluate(tmp_path, None, workers=1)
    assert out["owners"] == 0 and out["owners_total"] == 1 and out["cutoffs"] == 0
    assert out["owners_without_cutoffs"] == ["quiet"] and out["auc_diff_ci95"] == [None, None]
    json.dumps(out, allow_nan=False)


def test_harness_reads_mail_as_the_importer_and_scoring_do(mail_root: Path, tmp_path: Path) -> None:
    """One code path: the events evaluated are those `closeknit import` stores and `closeknit score` reads."""
    from closeknit.pipeline import scoring
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    events, info = ev.owner_events(mail_root / "owner_a")
    with Store(tmp_path / "user.db") as db:
        result = run_import(db, mail_root / "owner_a")
        assert result.me == ["owner_a@corp.example"] and info["owner_addresses"] == 1
        assert info["messages"] == result.messages
        user = scoring.load_events(db)
    for col in ("person", "ts", "direction", "n_recipients", "bulk", "starts_thread", "replier"):
        assert np.array_equal(getattr(events, col), getattr(user, col)), col
    assert np.array_equal(events.latency, user.latency, equal_nan=True)
    assert (events.direction == ev.OUT).any() and (events.direction == ev.IN).any()
    assert (events.replier >= 0).any()  # the synthetic replies are linked


def test_protocol_options_and_calibration_report(mail_root: Path) -> None:
    from closeknit.strength.calibration import Protocol, parse_cutoffs

    out = ev.evaluate(mail_root, None, workers=1, protocol=Protocol(120, 30),
                      cutoffs=parse_cutoffs("2000-03-01:2001-06-01:14d"))
    _check_schema(out)
    assert out["protocol"]["history_days"] == 120 and out["protocol"]["horizon_days"] == 30
    assert out["protocol"]["cutoffs"] == "every 14d from 2000-03-01 to 2001-05-23"
    assert out["cutoffs"] > 2 * 16  # more cut-offs than the monthly default
    m = out["model"]
    assert 0 <= m["brier"] <= 1 and 0 <= m["ece"] <= 1 and 0 <= m["default_share"] <= 1
    for owner in out["per_owner"]:
        assert {"brier", "ece", "ece_floor", "ties", "positives"} <= set(owner["model"])


def test_metrics() -> None:
    y = np.array([True, False, True, False, False])
    s = np.array([0.9, 0.8, 0.7, 0.1, 0.1])
    tb = np.arange(5)
    assert ev.auc(s, y) == pytest.approx(5 / 6)
    assert ev.precision_at(s, y, tb, 2) == pytest.approx(0.5)
    assert ev.ndcg_at(s, y, tb, 10) == pytest.approx((1 + 1 / np.log2(4)) / (1 + 1 / np.log2(3)))
    assert len(ev.monthly_cutoffs()) == 16


def test_real_enron_owners() -> None:
    root = shared("enron", "mbox_xz")
    # five mid-sized mailboxes, chosen by size so no owner is named here
    sizes = sorted((sum(f.stat().st_size for f in d.iterdir()), d.name) for d in root.iterdir() if d.is_dir())
    owners = [name for _, name in sizes[len(sizes) // 2: len(sizes) // 2 + 5]]
    out = ev.evaluate(root, owners, workers=2)
    _check_schema(out)
    assert 1 <= out["owners"] <= 5 and out["cutoffs"] >= out["owners"]
    assert out["model"]["auc"] > 0.6
    assert out["model"]["auc"] > out["baselines"]["random"]["auc"]
    assert out["messages"] > 1000


def test_acceptance_on_every_enron_owner() -> None:
    """On the whole Enron set the model's median AUC and precision@10 lead the best baseline, and its
    probability is calibrated (median ECE ≤ 0.05) on cut-offs after those it was calibrated on.
    (The bootstrap interval of the AUC difference, measured in docs/strength.md, is not asserted:
    read as the importer reads the mail, its lower end is at 0.)"""
    result = ev.evaluate(shared("enron", "mbox_xz"))
    base = result["baselines"]
    best = max(base, key=lambda name: base[name]["auc"])
    assert best == "roth_best"
    assert result["model"]["auc"] > base[best]["auc"]
    assert result["auc_diff"] > 0
    assert result["model"]["p10"] >= base[best]["p10"]
    assert result["model"]["ece"] <= 0.05
    assert result["owners"] >= 80


def test_eval_command_takes_the_protocol(mail_root: Path) -> None:
    import os
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "eval", "strength",
                               str(mail_root), *args], capture_output=True, text=True, env=os.environ, timeout=600)

    proc = run("--owner", "owner_a", "--history-days", "180", "--horizon-days", "60", "--cutoffs", "2000-09:2001-06",
               "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["protocol"]["history_days"] == 180 and out["protocol"]["horizon_days"] == 60
    assert out["protocol"]["cutoffs"] == "every 1m from 2000-09 to 2001-06" and out["owners"] == 1
    bad = run("--cutoffs", "2001-06:2000-09")
    assert bad.returncode != 0 and "--cutoffs" in bad.stderr and "Traceback" not in bad.stderr
