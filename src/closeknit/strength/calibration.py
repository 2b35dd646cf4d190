"""Calibrated contact probability: back-test the score at past cut-offs, fit score → outcome monotonically."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from closeknit.errors import InputError
from closeknit.strength import features as feat
from closeknit.strength import model
from closeknit.strength.events import IN, OUT, Events

DAY = 86400.0
HISTORY_DAYS = 365.0  # features see the 12 months before a cut-off only
HORIZON_DAYS = 90.0  # the outcome: a message each way within 90 days after the cut-off
MIN_MESSAGES = 20  # a cut-off counts when ≥ 20 messages were exchanged in its history window
MAX_CUTOFFS = 24  # a calibration uses the latest 24 back-test cut-offs (two years of monthly ones)
# Probabilities are logistic curves of (score/100)^POWER: the log-odds of contact rise faster among
# the strongest ties than a straight line of the score gives them (chosen by owner-level
# cross-validation, docs/strength.md).
POWER = 1.5
# Default calibration, the prior of every user's own: p = 1 / (1 + exp(−(A + B·(score/100)^POWER))),
# fitted once on the pooled back-tests of 90 Enron mailboxes at the monthly cut-offs 2000-06…2001-09
# (111,671 ties; 3% at score 25, 14% at 50, 63% at 75), leaving out the back-tests where no tie had a
# message each way (mostly months a mailbox lacks its sent or its received mail). A user's back-tests
# pull away from it with the weight of a Gaussian prior of precision PRIOR (both chosen by owner-level
# cross-validation: docs/strength.md).
DEFAULT_A, DEFAULT_B = -4.56, 7.87
PRIOR = 20.0
RELIABILITY_BINS = 5  # equal-count bins of back-test ties kept with a fit, for the report's calibration chart


@dataclass(frozen=True, slots=True)
class Protocol:
    """How a back-test cut-off is read: the history the score sees, the horizon of the outcome, and
    how much mail a cut-off needs to count."""

    history_days: float = HISTORY_DAYS
    horizon_days: float = HORIZON_DAYS
    min_messages: int = MIN_MESSAGES


DEFAULT_PROTOCOL = Protocol()


@dataclass(frozen=True, slots=True)
class Step:
    """Spacing of cut-offs: whole calendar months (cut-offs on the 1st) or a number of days."""

    months: int = 1
    days: int = 0

    def shift(self, t: float, k: int) -> float:
        """The cut-off k steps after t (k < 0: before)."""
        if self.months:
            d = datetime.fromtimestamp(t, UTC)
            m = d.year * 12 + d.month - 1 + k * self.months
            year, month = m // 12, m % 12 + 1
            # The 31st of one month is the last day of a shorter one (as a calendar would have it).
            return d.replace(year=year, month=month, day=min(d.day, monthrange(year, month)[1])).timestamp()
        return t + k * self.days * DAY

    def label(self) -> str:
        return f"{self.months}m" if self.months else f"{self.days}d"


MONTHLY = Step()


def month_start(t: float) -> float:
    """The first instant (UTC) of the month holding t."""
    d = datetime.fromtimestamp(t, UTC)
    return datetime(d.year, d.month, 1, tzinfo=UTC).timestamp()


def parse_cutoffs(spec: str) -> tuple[list[float], Step]:
    """Cut-offs from "FROM:TO" in months (2000-06:2001-09: the 1st of each month) or in days
    (2016-05-01:2016-05-21, every 7 days; a third part "3d" sets the step). Both ends included."""
    parts = spec.split(":")
    month = re.compile(r"^\d{4}-\d{2}$")
    day = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    try:
        if len(parts) == 2 and all(month.match(p) for p in parts):
            first, last = (datetime.strptime(p, "%Y-%m").replace(tzinfo=UTC).timestamp() for p in parts)
            step = MONTHLY
        elif len(parts) in (2, 3) and all(day.match(p) for p in parts[:2]):
            first, last = (datetime.strptime(p, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() for p in parts[:2])
            n = parts[2] if len(parts) == 3 else "7d"
            if not re.match(r"^[1-9]\d*d$", n):
                raise ValueError(n)
            step = Step(months=0, days=int(n[:-1]))
        else:
            raise ValueError(spec)
    except ValueError:
        raise InputError(
            f"--cutoffs {spec!r}: use FROM:TO in months (2000-06:2001-09) or days (2016-05-01:2016-05-21[:7d])"
        ) from None
    if last < first:
        raise InputError(f"--cutoffs {spec!r}: the first cut-off is after the last")
    out = [first]
    while (t := step.shift(first, len(out))) <= last:
        out.append(t)
    return out, step


# --------------------------------------------------------------------------- back-test samples


@dataclass(slots=True)
class Sample:
    """One back-test cut-off: the history window, its candidates (everyone in it), their outcome
    (a message each way within the horizon) and their model score computed from the window alone."""

    cutoff: float
    window: Events
    cand: np.ndarray  # person indexes into the events' people
    y: np.ndarray  # bool per candidate
    score: np.ndarray  # 0..100 per candidate


SampleSource = Callable[[float], Sample | None]  # a cut-off's back-test (None: too little mail)


def two_way(events: Events, start: float, end: float) -> np.ndarray:
    """Per person: at least one message each way with start ≤ ts < end."""
    fut = events.window(start, end)
    wrote = np.zeros(events.n_people, dtype=bool)
    heard = np.zeros(events.n_people, dtype=bool)
    wrote[fut.person[fut.direction == OUT]] = True
    heard[fut.person[fut.direction == IN]] = True
    out: np.ndarray = wrote & heard
    return out


def window_scores(events: Events, t: float, protocol: Protocol = DEFAULT_PROTOCOL,
                  weights: model.Weights | None = None) -> tuple[Events, np.ndarray]:
    """The history window before t and every person's model score from that window alone."""
    win = events.window(t - protocol.history_days * DAY, t)
    return win, model.score(feat.compute(win, t), weights).score


def sample_at(events: Events, t: float, protocol: Protocol = DEFAULT_PROTOCOL,
              weights: model.Weights | None = None) -> Sample | None:
    """The back-test at cut-off t, or None when its history window holds too little mail."""
    win = events.window(t - protocol.history_days * DAY, t)
    if len(win) < protocol.min_messages or distinct(win.item) < protocol.min_messages:
        return None
    return snapshot(events, t, protocol, weights, win)


def snapshot(events: Events, t: float, protocol: Protocol = DEFAULT_PROTOCOL,
             weights: model.Weights | None = None, win: Events | None = None) -> Sample:
    """Everyone in the history window before t, scored from that window alone, as a back-test sees them,
    however little mail it holds; `y` is their outcome as far as the events go (all False at the
    scoring moment, whose future is not in the events)."""
    if win is None:
        win = events.window(t - protocol.history_days * DAY, t)
    cand = np.flatnonzero(np.bincount(win.person, minlength=events.n_people))
    y = two_way(events, t, t + protocol.horizon_days * DAY)[cand]
    s = model.score(feat.compute(win, t).take(cand), weights).score if len(cand) else np.zeros(0)
    return Sample(t, win, cand, y, s)


def cached(events: Events, protocol: Protocol = DEFAULT_PROTOCOL,
           weights: model.Weights | None = None) -> SampleSource:
    """`sample_at` for these events, each cut-off computed once however many calibrations ask for it
    (the contact probability and the lapse probability are fitted on the same back-tests)."""
    memo: dict[float, Sample | None] = {}

    def sample(t: float) -> Sample | None:
        if t not in memo:
            memo[t] = sample_at(events, t, protocol, weights)
        return memo[t]

    return sample


def distinct(values: np.ndarray) -> int:
    """How many distinct integers (numpy's hashed unique is many times slower on large arrays):
    a boolean scatter when they span a small range, as interaction ids do, else a sort."""
    if len(values) == 0:
        return 0
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < 4 * len(values) + 1024:
        seen = np.zeros(hi - lo + 1, dtype=bool)
        seen[values - lo] = True
        return int(np.count_nonzero(seen))
    v = np.sort(values)
    return 1 + int(np.count_nonzero(v[1:] != v[:-1]))


def calibration_cutoffs(t: float, step: Step, protocol: Protocol = DEFAULT_PROTOCOL,
                        earliest: float = -np.inf) -> list[float]:
    """The latest MAX_CUTOFFS cut-offs of the grid through t (`step` apart) whose outcome is known at t
    (cut-off + horizon ≤ t), oldest first; none before `earliest` (the first interaction)."""
    out: list[float] = []
    k = -1
    while len(out) < MAX_CUTOFFS:
        c = step.shift(t, k)
        k -= 1
        if c < earliest:
            break
        if c + protocol.horizon_days * DAY <= t:
            out.append(c)
    return out[::-1]


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True, slots=True)
class Calibration:
    """p = 1 / (1 + exp(−(a + b·(score/100)^POWER))): a non-decreasing map from score to probability."""

    a: float
    b: float
    source: str  # "own history" (fitted on the user's back-tests) or "default" (none yet)
    ties: int = 0  # back-test ties it was fitted on
    positives: int = 0
    cutoffs: int = 0
    # Per equal-count bin of those ties by score: (mean score, mean probability, observed rate, ties).
    reliability: tuple[tuple[float, float, float, int], ...] = ()

    def __call__(self, score: np.ndarray) -> np.ndarray:
        return _sigmoid(self.a + self.b * curve_x(score))

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "a": round(self.a, 4), "b": round(self.b, 4), "power": POWER, "ties": self.ties,
                "positives": self.positives, "cutoffs": self.cutoffs,
                "reliability": [{"score": round(s, 1), "predicted": round(p, 4), "observed": round(o, 4), "ties": n}
                                for s, p, o, n in self.reliability]}


DEFAULT_CALIBRATION = Calibration(DEFAULT_A, DEFAULT_B, "default")


def curve_x(score: np.ndarray) -> np.ndarray:
    """The curves' variable: (score/100)^POWER."""
    out: np.ndarray = (np.clip(np.asarray(score, dtype=np.float64), 0.0, None) / 100.0) ** POWER
    return out


def fit(samples: Sequence[Sample], prior: float = PRIOR) -> Calibration:
    """Logistic fit of outcome on (score/100)^POWER over the back-test samples (Platt scaling), with a
    Gaussian prior of precision `prior` centred on the default curve: with few back-test ties the
    default holds, with many the user's own history decides. The default when there is no sample."""
    if not samples:
        return DEFAULT_CALIBRATION
    s = np.concatenate([x.score for x in samples])
    y = np.concatenate([x.y for x in samples]).astype(np.float64)
    if len(y) == 0:
        return DEFAULT_CALIBRATION
    x = curve_x(s)
    a, b = platt(x, y, (DEFAULT_A, DEFAULT_B), prior)
    p = _sigmoid(a + b * x)
    return Calibration(a, b, "own history", len(y), int(y.sum()), len(samples), reliability(s, p, y))


def reliability(score: np.ndarray, p: np.ndarray, y: np.ndarray,
                bins: int = RELIABILITY_BINS) -> tuple[tuple[float, float, float, int], ...]:
    """Ties sorted by probability into `bins` equal-count bins: per bin the mean score, the mean
    probability and the observed rate of the outcome, and the number of ties."""
    p, yf = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(p) == 0:
        return ()
    order = np.argsort(p, kind="stable")
    return tuple((float(score[i].mean()), float(p[i].mean()), float(yf[i].mean()), len(i))
                 for i in np.array_split(order, min(bins, len(p))))


def platt(x: np.ndarray, y: np.ndarray, centre: tuple[float, float] = (0.0, 0.0),
          prior: float = 0.0) -> tuple[float, float]:
    """(a, b) maximising Σ log-likelihood of y under sigmoid(a + b·x) − prior/2·‖(a, b) − centre‖²,
    by Newton's method; b is kept ≥ 0 (a higher score never means a lower probability)."""
    c = np.asarray(centre, dtype=np.float64)
    X = np.c_[np.ones(len(x)), np.asarray(x, dtype=np.float64)]
    theta = _newton(X, y, c, prior)
    if theta[1] < 0:  # refit the intercept alone with a flat slope
        theta = np.array([_newton(X[:, :1], y, c[:1], prior)[0], 0.0])
    return float(theta[0]), float(theta[1])


def _newton(X: np.ndarray, y: np.ndarray, centre: np.ndarray, prior: float) -> np.ndarray:
    theta = centre.copy()
    reg = np.eye(X.shape[1]) * (prior + 1e-9)
    for _ in range(100):
        p = _sigmoid(X @ theta)
        grad = X.T @ (p - y) + prior * (theta - centre)
        hess = (X * (p * (1.0 - p))[:, None]).T @ X + reg
        step = np.linalg.solve(hess, grad)
        # Damped: the likelihood of separable data has no finite maximum without a prior.
        theta -= np.clip(step, -5.0, 5.0)
        if np.abs(step).max() < 1e-10:
            break
    return theta


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between probability and outcome (0 is perfect)."""
    p, yf = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.mean((p - yf) ** 2)) if len(p) else float("nan")


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: ties sorted by probability into `bins` equal-count bins; the
    count-weighted mean of |mean probability − observed rate| over the bins."""
    p, yf = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(p) == 0:
        return float("nan")
    return sum(n * abs(pred - obs) for _, pred, obs, n in reliability(p, p, yf, bins)) / len(p)


def calibrate_at(t: float, step: Step, sample: SampleSource, protocol: Protocol = DEFAULT_PROTOCOL,
                 earliest: float = -np.inf) -> Calibration:
    """The calibration a user has at time t: fitted on the back-tests at the calibration cut-offs
    before t (`sample(cutoff)` gives each; None when it holds too little mail)."""
    samples = [s for c in calibration_cutoffs(t, step, protocol, earliest) if (s := sample(c)) is not None]
    return fit(samples)
