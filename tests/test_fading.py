"""Fading ties: the baselines computed by brute force, the active-tie back-test, and the evaluation
command on a synthetic mail folder and on real Enron mailboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from closeknit.care import fading
from closeknit.strength import calibration as cal
from closeknit.strength.calibration import DAY, Sample
from closeknit.strength.events import Events
from conftest import shared
from test_eval import mail_root  # noqa: F401  (the synthetic owners' fixture)

T0 = 1_000_000_000


def random_events(seed: int, people: int = 12, rows: int = 200) -> Events:
    rng = np.random.default_rng(seed)
    return Events.from_columns(rng.integers(0, people, rows), T0 + rng.integers(0, 400, rows) * DAY,
                               rng.integers(0, 2, rows), people=list(range(people)))


@pytest.mark.parametrize("seed", range(5))
def test_median_gaps_and_last_contact_by_brute_force(seed: int) -> None:
    ev = random_events(seed)
    gaps, last = fading.median_gaps(ev), fading.last_contact(ev)
    for p in range(ev.n_people):
        ts = np.sort(ev.ts[ev.person == p]).astype(float)
        assert last[p] == (ts.max() if len(ts) else -np.inf)
        assert gaps[p] == (np.median(np.diff(ts)) if len(ts) > 1 else np.inf)


def test_active_ties_and_the_baselines() -> None:
    # Person 0 writes weekly until 10 days before T; person 1 wrote twice, 200 and 100 days before;
    # person 2 last wrote 120 days before T: not active.
    t = T0 + 400 * DAY
    rows = [(0, t - d * DAY) for d in range(10, 300, 7)] + [(1, t - 200 * DAY), (1, t - 100 * DAY),
                                                            (2, t - 120 * DAY)]
    ev = Events.from_columns([p for p, _ in rows], [ts for _, ts in rows], [0] * len(rows), people=[0, 1, 2])
    smp = Sample(t, ev, np.array([0, 1, 2]), np.array([True, False, False]), np.array([80.0, 20.0, 10.0]))
    act = fading.active(smp, days=90)
    assert act is not None and act.cand.tolist() == [0]
    wider = fading.active(smp, days=110)
    assert wider is not None and wider.cand.tolist() == [0, 1]
    base = fading.baseline_scores(wider)
    assert base["days_since_last"].tolist() == [10.0, 100.0]
    assert base["count"].tolist() == [-42.0, -2.0]
    assert base["gap_rule_8x"].tolist() == [0.0, 0.0]  # person 1: silent 100 days, usual gap 100 days
    assert fading.active(smp, days=5) is None


def test_the_probability_lapses_where_strength_is_low() -> None:
    curve = cal.Calibration(-5.0, 8.0, "test")
    p = fading.p_lapse(curve, np.array([10.0, 50.0, 90.0]))
    assert np.all(np.diff(p) < 0) and np.all((p > 0) & (p < 1))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "eval", "fading", *args],
                          capture_output=True, text=True, env=os.environ, timeout=900)


def test_eval_fading_on_synthetic_owners(mail_root: Path) -> None:  # noqa: F811
    proc = run(str(mail_root), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["owners"] == 2 and out["cutoffs"] > 0
    assert set(out["baselines"]) == {"days_since_last", "count", "gap_rule_8x"}
    assert out["best_baseline"] in out["baselines"]
    assert 0.5 < out["model"]["auc"] <= 1 and 0 <= out["model"]["ece"] <= 1 and 0 <= out["model"]["brier"] <= 1
    # the floor: what outcomes drawn from the probabilities themselves score, never 0 on a finite sample
    assert 0 < out["model"]["ece_floor"] < 1
    assert all(0 < o["ece_floor"] < 1 for o in out["per_owner"] if o["cutoffs"])
    assert 0 <= out["model"]["ece_pooled"] <= 1 and 0 < out["model"]["ece_pooled_floor"] < 1
    assert all("p" not in o for o in out["per_owner"])  # the probabilities themselves stay out of the output
    lo, hi = out["auc_diff_ci95"]
    assert -1 <= lo <= hi <= 1
    assert out["protocol"]["active_days"] == 90
    bad = run(str(mail_root), "--horizon-days", "0")
    assert bad.returncode != 0 and "must be positive" in bad.stderr


def test_eval_fading_on_real_enron_owners() -> None:
    root = shared("enron", "mbox_xz")
    sizes = sorted((sum(f.stat().st_size for f in d.iterdir()), d.name) for d in root.iterdir() if d.is_dir())
    owners = [name for _, name in sizes[len(sizes) // 2: len(sizes) // 2 + 6]]
    out = fading.evaluate(root, owners, workers=2)
    assert out["owners"] >= 4
    # The best baseline over all owners is the message count; on six owners days since last contact is within
    # noise of the model (0.732 against 0.731), over all of them far behind it (docs/care.md).
    assert out["model"]["auc"] > out["baselines"]["count"]["auc"]
    assert out["model"]["auc"] > out["baselines"]["gap_rule_8x"]["auc"]
    assert out["model"]["auc"] > out["baselines"]["days_since_last"]["auc"] - 0.05
    assert out["model"]["ece"] < 0.15
    # pooled over the owners, the ties are many more: binning noise (the floor) is far smaller than per owner
    assert out["model"]["ece_pooled_floor"] < out["model"]["ece_floor"] / 2


def shifting_events(extra_after: bool = False) -> tuple[Events, float]:
    """30 people writing every 10 days for two years; until three months before t only three of them get
    answers, from then on all do; t is the scoring moment. With `extra_after`, mail after t as well."""
    t = _month(2001, 6)
    rows: list[tuple[int, float, int]] = []
    for p in range(30):
        for day in range(p % 10, 730, 10):
            ts = t - (730 - day) * DAY
            rows.append((p, ts, 1))
            if p < 3 or ts >= _month(2001, 3):
                rows.append((p, ts + 3600, 0))
    if extra_after:
        rows += [(p, t + d * DAY, d % 2) for p in range(30) for d in range(1, 60)]
    person, ts, direction = zip(*rows, strict=True)
    return Events.from_columns(list(person), list(ts), list(direction), people=list(range(30))), t


def _month(year: int, month: int) -> float:
    return datetime(year, month, 1, tzinfo=UTC).timestamp()


def test_fresh_two_way_exchange_moves_the_calibration_without_peeking(monkeypatch: pytest.MonkeyPatch) -> None:
    events, t = shifting_events()
    lapse = fading.lapse_at(events, t)
    assert lapse.calibration.source == "own history" and len(lapse.person) == 30
    # The two latest cut-offs (a month and two before t) already saw most active ties answered, far
    # more than their back-tests had at the same point: two-way exchange is commoner now.
    assert lapse.recent_shift > 0
    monkeypatch.setattr(fading, "RECENT_WEIGHT", 0.0)
    unmoved = fading.lapse_at(events, t)
    assert unmoved.recent_shift == 0 and unmoved.calibration.a == pytest.approx(lapse.calibration.a
                                                                                - lapse.recent_shift)
    assert np.all(lapse.p < unmoved.p)
    monkeypatch.undo()
    # Mail after t changes nothing at t.
    later, _ = shifting_events(extra_after=True)
    assert fading.calibration_at(later, t, cal.MONTHLY) == lapse.calibration
    # Without back-tests there is nothing to compare with: the default curve, unmoved.
    young = events.window(t - 40 * DAY, t)
    assert fading.lapse_at(young, t).calibration.source == "default"
    assert fading.lapse_at(young, t).recent_shift == 0
