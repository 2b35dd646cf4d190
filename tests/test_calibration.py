"""The calibrated contact probability: the logistic fit, its metrics, the back-test cut-offs, and the
probability shown by score, explain, circle and people on a real mailbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from closeknit.errors import InputError
from closeknit.strength import calibration as cal
from closeknit.strength.events import Events
from conftest import shared

DAY = 86400.0


def _objective(x: np.ndarray, y: np.ndarray, theta: np.ndarray, centre: np.ndarray, prior: float) -> float:
    z = theta[0] + theta[1] * x
    loglik = float(np.sum(y * z - np.logaddexp(0.0, z)))
    return -loglik + prior / 2 * float(np.sum((theta - centre) ** 2))


def _data(rng: np.random.Generator, n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(0, 1, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(a + b * x)))).astype(float)
    return x, y


@pytest.mark.parametrize("seed", range(6))
def test_platt_without_prior_matches_scikit_learn(seed: int) -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(seed)
    x, y = _data(rng, int(rng.integers(30, 400)), float(rng.uniform(-4, 0)), float(rng.uniform(0.5, 6)))
    a, b = cal.platt(x, y)
    ref = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=100_000).fit(x[:, None], y)
    ref_a, ref_b = float(ref.intercept_[0]), float(ref.coef_[0, 0])
    if ref_b < 0:  # the unconstrained optimum slopes down: ours is flat, with the intercept of the mean
        assert b == 0.0 and a == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-4)
    else:
        assert a == pytest.approx(ref_a, abs=1e-4) and b == pytest.approx(ref_b, abs=1e-4)


@pytest.mark.parametrize("seed", range(6))
def test_platt_with_prior_is_the_optimum(seed: int) -> None:
    """Brute force: no point of a fine grid around the fit has a better penalised likelihood."""
    rng = np.random.default_rng(100 + seed)
    x, y = _data(rng, int(rng.integers(5, 200)), float(rng.uniform(-4, 0)), float(rng.uniform(0.5, 6)))
    centre = np.array([cal.DEFAULT_A, cal.DEFAULT_B])
    prior = float(rng.choice([1.0, 20.0, 100.0]))
    a, b = cal.platt(x, y, (cal.DEFAULT_A, cal.DEFAULT_B), prior)
    best = _objective(x, y, np.array([a, b]), centre, prior)
    for da in np.linspace(-0.05, 0.05, 11):
        for db in np.linspace(-0.05, 0.05, 11):
            if b + db >= 0:
                assert best <= _objective(x, y, np.array([a + da, b + db]), centre, prior) + 1e-9


def test_platt_never_decreases_and_handles_one_outcome() -> None:
    x = np.linspace(0, 1, 50)
    a, b = cal.platt(x, (x < 0.3).astype(float))  # anti-correlated: the slope stays flat
    assert b == 0.0 and 0.2 < 1 / (1 + np.exp(-a)) < 0.4
    a, b = cal.platt(x, np.zeros(50), (cal.DEFAULT_A, cal.DEFAULT_B), cal.PRIOR)
    assert np.isfinite(a) and np.isfinite(b) and b >= 0


def _sample(score: np.ndarray, y: np.ndarray, t: float = 0.0) -> cal.Sample:
    return cal.Sample(t, Events.empty(), np.arange(len(y)), y.astype(bool), score)


def test_fit_moves_from_the_default_to_the_users_own_history() -> None:
    assert cal.fit([]) is cal.DEFAULT_CALIBRATION
    rng = np.random.default_rng(7)
    few = _sample(np.array([10.0, 60.0, 90.0]), np.array([0, 1, 1]))
    near = cal.fit([few])
    assert near.source == "own history" and near.ties == 3 and near.positives == 2
    assert abs(near.a - cal.DEFAULT_A) < 0.5 and abs(near.b - cal.DEFAULT_B) < 0.5
    # Many back-test ties from a different curve: the fit follows them.
    s = rng.uniform(0, 100, 20_000)
    y = rng.random(len(s)) < 1 / (1 + np.exp(-(-2.0 + 3.0 * (s / 100) ** cal.POWER)))
    own = cal.fit([_sample(s, y)])
    assert abs(own.a + 2.0) < 0.4 and abs(own.b - 3.0) < 0.6  # the prior still pulls a little
    assert abs(own.a + 2.0) < abs(near.a + 2.0) and abs(own.b - 3.0) < abs(near.b - 3.0)
    p = own(np.array([0.0, 50.0, 100.0]))
    assert np.all(np.diff(p) > 0) and np.all((p > 0) & (p < 1))



def test_the_curve_is_one_shape_wherever_it_is_drawn() -> None:
    """The report draws the stored curve as the scorer computes it; a curve stored before the shape existed
    (no "power") keeps its meaning, a straight line of the score."""
    from closeknit.report import curve

    c = cal.Calibration(-4.0, 8.0, "own history")
    stored = c.as_dict()
    for score in (0.0, 25.0, 50.0, 85.0, 100.0):
        assert curve(stored, score) == pytest.approx(float(c(np.array([score]))[0]), abs=1e-9)
    old = {k: v for k, v in stored.items() if k != "power"}
    assert curve(old, 50.0) == pytest.approx(1 / (1 + np.exp(-(-4.0 + 8.0 * 0.5))))
    # The log-odds climb faster among the strongest ties than a straight line of the score.
    z = np.log(c(np.array([20.0, 50.0, 80.0]))) - np.log(1 - c(np.array([20.0, 50.0, 80.0])))
    assert z[2] - z[1] > z[1] - z[0] + 0.1 > 0.1


def test_brier_and_ece_by_brute_force() -> None:
    rng = np.random.default_rng(3)
    p = rng.random(95)
    y = rng.random(95) < p
    assert cal.brier(p, y) == pytest.approx(np.mean((p - y) ** 2))
    order = np.argsort(p, kind="stable")
    total = 0.0
    for k in range(10):  # 95 ties: five bins of 10 and five of 9, lowest probabilities first
        lo = k * 10 if k < 5 else 50 + (k - 5) * 9
        idx = order[lo: lo + (10 if k < 5 else 9)]
        total += len(idx) * abs(p[idx].mean() - y[idx].mean())
    assert cal.ece(p, y) == pytest.approx(total / 95)
    exact = (rng.random(50) < 0.3).astype(float)
    assert cal.ece(exact, exact) == pytest.approx(0.0)
    assert cal.ece(np.full(10, 0.5), np.zeros(10)) == pytest.approx(0.5)
    assert np.isnan(cal.ece(np.zeros(0), np.zeros(0)))


def _ts(*ymd: int) -> float:
    return datetime(*ymd, tzinfo=UTC).timestamp()


def test_cutoff_specs() -> None:
    cuts, step = cal.parse_cutoffs("2000-11:2001-02")
    assert cuts == [_ts(2000, 11, 1), _ts(2000, 12, 1), _ts(2001, 1, 1), _ts(2001, 2, 1)] and step == cal.MONTHLY
    cuts, step = cal.parse_cutoffs("2016-05-01:2016-05-21")
    assert cuts == [_ts(2016, 5, d) for d in (1, 8, 15)] and step.days == 7
    cuts, _ = cal.parse_cutoffs("2016-05-01:2016-05-03:1d")
    assert cuts == [_ts(2016, 5, d) for d in (1, 2, 3)]
    for bad in ("2001-09:2000-06", "2000-06", "2000-6:2001-09", "2016-05-01:2016-05-09:0d", "2000-06:2016-05-01"):
        with pytest.raises(InputError):
            cal.parse_cutoffs(bad)


def test_calibration_cutoffs_never_see_the_future() -> None:
    t = _ts(2001, 6, 1)
    cuts = cal.calibration_cutoffs(t, cal.MONTHLY)
    assert len(cuts) == cal.MAX_CUTOFFS and cuts == sorted(cuts)
    assert all(c + cal.HORIZON_DAYS * DAY <= t for c in cuts) and cuts[-1] == _ts(2001, 3, 1)
    assert cal.calibration_cutoffs(t, cal.MONTHLY, earliest=_ts(2000, 12, 15)) == [_ts(2001, 1, 1), _ts(2001, 2, 1),
                                                                                    _ts(2001, 3, 1)]
    short = cal.Protocol(14, 7)
    days = cal.calibration_cutoffs(t, cal.Step(months=0, days=1), short, earliest=t - 10 * DAY)
    assert days == [t - k * DAY for k in (10, 9, 8, 7)]


def test_monthly_steps_from_the_end_of_a_long_month() -> None:
    # Scoring as of the 30th starts on the 31st: a month earlier is the last day of the shorter month.
    assert cal.MONTHLY.shift(_ts(2026, 10, 31), -1) == _ts(2026, 9, 30)
    assert cal.MONTHLY.shift(_ts(2024, 3, 31), -1) == _ts(2024, 2, 29)
    assert cal.MONTHLY.shift(_ts(2026, 1, 31), 1) == _ts(2026, 2, 28)
    assert len(cal.calibration_cutoffs(_ts(2026, 10, 31), cal.MONTHLY)) == cal.MAX_CUTOFFS


def test_sample_outcome_is_a_message_each_way() -> None:
    T = _ts(2001, 1, 1)
    rows = [("a", T - 5 * DAY, "out"), ("a", T + DAY, "out"), ("a", T + 2 * DAY, "in"),  # two-way after T
            ("b", T - 4 * DAY, "in"), ("b", T + DAY, "in"),  # one-way after T
            ("c", T - 3 * DAY, "out"), ("c", T + 200 * DAY, "in")]  # the answer comes too late
    ev = Events.from_rows(rows)
    smp = cal.sample_at(ev, T, cal.Protocol(365, 90, 1))
    assert smp is not None
    assert dict(zip((ev.people[i] for i in smp.cand), smp.y.tolist(), strict=True)) == {
        "a": True, "b": False, "c": False}
    assert cal.sample_at(ev, T, cal.Protocol(365, 90, 10)) is None  # too little mail before T


def cli(db: Path, *args: str) -> str:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "--db", str(db),
                           *args], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_probability_is_stored_and_shown_on_a_real_mailbox(tmp_path: Path) -> None:
    root = shared("enron", "mbox_xz")
    # the mailbox with the most mail folders of a middle size, chosen by size so no owner is named
    sizes = sorted((sum(f.stat().st_size for f in d.iterdir()), d.name) for d in root.iterdir() if d.is_dir())
    owner = sizes[len(sizes) * 3 // 4][1]
    db = tmp_path / "real.db"
    cli(db, "import", str(root / owner))
    run = json.loads(cli(db, "score", "--as-of", "2001-10-01", "--json"))
    calib = run["fit"]["calibration"]
    assert calib["source"] == "own history" and calib["cutoffs"] >= 1 and calib["ties"] > 0
    people = json.loads(cli(db, "people", "--sort", "strength", "--json"))
    interacted = [p for p in people if p["tier"] not in (None, "collected")]
    assert interacted and all(0 < p["p_contact_90d"] < 1 for p in interacted)
    assert all(p["p_contact_90d"] is None for p in people if p["tier"] == "collected")
    circle = json.loads(cli(db, "circle", "--json"))
    assert circle and all(0 < p["p_contact_90d"] < 1 for p in circle)
    top = circle[0]
    assert json.loads(cli(db, "explain", str(top["id"]), "--json"))["p_contact_90d"] == top["p_contact_90d"]
    words = cli(db, "explain", str(top["id"]))
    assert f"{100 * top['p_contact_90d']:.0f}% likely" in words or "<1% likely" in words
    assert "within 90 days" in words
    assert "90-day chance" in cli(db, "circle")
