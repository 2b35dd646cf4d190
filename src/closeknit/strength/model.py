"""Explainable tie-strength score (0–100) from features, with per-factor points, words and refitting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from closeknit.durations import ago, every, span
from closeknit.strength.events import CHANNELS
from closeknit.strength.features import FeatureParams, Features

FACTORS: tuple[str, ...] = (
    "recency", "two_way_recency", "intensity", "regularity", "reciprocity", "responsiveness",
    "duration", "channels", "shared_contacts", "favors", "rating",
)
# Factors the user states directly; never refitted from ratings (the rating is the label).
_STATED = ("rating",)

# Default points per factor at factor value 1. The core factors sum to 100; the optional ones
# (channels, shared contacts, favors, rating) add on top and the total is clipped to 0..100.
# Ordering follows the literature: recency is the strongest single predictor (Gilbert &
# Karahalios 2009), then decayed, outbound-weighted intensity (Roth et al. 2010) and regular
# contact (Navarro et al. 2017: silence relative to the usual gap; Dunbar: ties decay without
# contact); reciprocity, responsiveness and duration follow Granovetter's "time, intensity,
# intimacy, reciprocal services". These are fixed constants, not fitted to any data set.
DEFAULT_POINTS: dict[str, float] = {
    "recency": 20.0,
    "two_way_recency": 10.0,
    "intensity": 30.0,
    "regularity": 20.0,
    "reciprocity": 10.0,
    "responsiveness": 5.0,
    "duration": 5.0,
    "channels": 5.0,
    "shared_contacts": 5.0,
    "favors": 10.0,
    "rating": 20.0,
}

_LOG_YEAR = np.log1p(365.0)
_LOG_2Y = np.log1p(730.0)
_WEEKS = FeatureParams().weeks  # regularity counts active weeks among the last 52
_LOG_WEEKS = np.log1p(_WEEKS)
FADING_RATIO = 8.0  # silence beyond 8× the usual gap predicts decay (Navarro et al. 2017)


@dataclass(frozen=True, slots=True)
class Weights:
    """Points per factor (a factor value of 1 earns that many points); missing factors earn 0."""

    points: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    source: str = "default"  # "default" or "fitted"

    def vector(self) -> np.ndarray:
        return np.array([self.points.get(f, 0.0) for f in FACTORS])


DEFAULT_WEIGHTS = Weights()


def factor_values(features: Features) -> np.ndarray:
    """Each factor per person on a 0..1 scale (rating on −1..1): array (people, len(FACTORS)).

    recency: half absolute (log-scaled days since any contact, 0 at a year), half relative to
    the tie's own rhythm (1 while silence ≤ usual gap, 0 at 8× the usual gap).
    two_way_recency: log-scaled days since both sides last wrote. intensity: percentile rank
    of the decayed weighted intensity within the network (per-owner normalisation).
    regularity: log of active weeks in the last year. reciprocity: evidence-weighted share of
    threads answered (both ways) and balance of who starts threads. responsiveness: reply
    speed relative to the usual speed (0 without replies). duration: log-scaled tie age,
    saturating at two years. channels: distinct channel kinds beyond the first.
    shared_contacts, favors: saturating counts. rating: the user's own rating.
    """
    f = features
    P = f.n_people
    out = np.zeros((P, len(FACTORS)))
    absolute = _log_recency(f.days_since_contact, _LOG_YEAR)
    ratio = f.silence_ratio
    has_gap = np.isfinite(ratio)
    relative = np.where(
        has_gap, 1.0 - np.clip(np.log(np.maximum(np.nan_to_num(ratio, nan=1.0), 1.0)) / np.log(FADING_RATIO), 0, 1),
        absolute,
    )
    out[:, 0] = 0.5 * absolute + 0.5 * relative
    out[:, 1] = _log_recency(f.days_since_two_way, _LOG_YEAR)
    out[:, 2] = percentile_rank(total_intensity(f))
    out[:, 3] = np.log1p(np.minimum(f.active_weeks, _WEEKS)) / _LOG_WEEKS
    threads = f.my_threads + f.their_threads
    answered = f.my_threads_answered + f.their_threads_answered
    share = (answered + 1.0) / (threads + 2.0) * (1.0 - np.exp(-threads / 3.0))
    balance = (1.0 - np.abs(f.my_threads - f.their_threads) / np.maximum(threads, 1.0)) * (
        1.0 - np.exp(-threads / 5.0))
    out[:, 4] = 0.6 * share + 0.4 * balance
    speed = np.stack([_speed(f.their_latency_ratio), _speed(f.my_latency_ratio)], axis=1)
    n_speed = np.isfinite(speed).sum(axis=1)
    out[:, 5] = np.where(n_speed > 0, np.nansum(speed, axis=1) / np.maximum(n_speed, 1), 0.0)
    out[:, 6] = np.clip(np.log1p(np.nan_to_num(f.tie_days, posinf=0.0)) / _LOG_2Y, 0, 1)
    out[:, 7] = np.clip((f.channels - 1.0) / 2.0, 0, 1)
    out[:, 8] = 1.0 - np.exp(-np.maximum(f.shared_contacts, 0) / 5.0)
    out[:, 9] = 1.0 - np.exp(-np.maximum(f.favors_given + f.favors_received, 0) / 2.0)
    out[:, 10] = np.clip(f.rating, -1, 1)
    return out


def total_intensity(f: Features, out_weight: float = FeatureParams().out_weight) -> np.ndarray:
    """Decayed intensity with outbound weighted `out_weight`× inbound (Roth et al. 2010);
    interactions without a stated side (meetings both attended) count like inbound."""
    return out_weight * f.intensity_out + f.intensity_in + f.intensity_other


def percentile_rank(x: np.ndarray) -> np.ndarray:
    """Rank of each positive value among the positive values, in (0, 1] (ties share the mean
    rank); 0 for values ≤ 0. The top of the network gets 1 whatever the user's mail volume."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(len(x))
    pos = np.flatnonzero(x > 0)
    if len(pos) == 0:
        return out
    out[pos] = average_ranks(x[pos]) / len(pos)
    return out


@dataclass(slots=True)
class Scores:
    """Scores (0–100) with each factor's points per person; `explain(i)` puts them in words."""

    score: np.ndarray  # (people,)
    points: np.ndarray  # (people, len(FACTORS)): points earned per factor
    values: np.ndarray  # (people, len(FACTORS)): factor values
    features: Features
    weights: Weights

    def top_factors(self, i: int, k: int = 3, notable: float = 0.0) -> list[tuple[str, float]]:
        """The k factors that earned person i the most points, as (factor, points), best first;
        only factors with points > 0 and a factor value ≥ `notable`."""
        order = np.argsort(-self.points[i], kind="stable")
        keep = [j for j in order if self.points[i, j] > 0 and abs(self.values[i, j]) >= notable]
        return [(FACTORS[j], float(self.points[i, j])) for j in keep[:k]]

    def explain(self, i: int, k: int = 3) -> list[str]:
        """Person i's top factors in words, plus a fading warning when silence ≥ 8× the usual gap."""
        return explain(self, i, k)

    def contributions(self, i: int) -> dict[str, float]:
        return {f: float(self.points[i, j]) for j, f in enumerate(FACTORS)}


def score(features: Features, weights: Weights | None = None) -> Scores:
    """Score every person: the sum of points over factors, clipped to 0..100. Deterministic.

    People with no interaction, no favor and no rating score 0.
    """
    w = weights or DEFAULT_WEIGHTS
    values = factor_values(features)
    points = values * w.vector()[None, :]
    total = np.clip(points.sum(axis=1), 0.0, 100.0)
    return Scores(total, points, values, features, w)


MUTUAL_SHARE = 0.25  # a mutual tie: both sides in touch in at least a quarter of its weeks in touch


def mutual(features: Features) -> np.ndarray:
    """Ties where both sides are in touch: weeks with contact each way (`two_way_weeks`) are at
    least a quarter of the weeks with any contact (`contact_weeks`), over the last two years. A
    tie one side carries (29 messages out, 1 back) is not mutual, whatever its score."""
    return _mutual(features.two_way_weeks, features.contact_weeks)


def one_way(features: Features) -> np.ndarray:
    """Ties in touch in at least two weeks of the last two years that are not mutual: one side carries them."""
    return _one_way(features.two_way_weeks, features.contact_weeks)


def _mutual(two_way_weeks: Any, active_weeks: Any) -> Any:
    return (two_way_weeks >= 1) & (two_way_weeks >= MUTUAL_SHARE * active_weeks)


def _one_way(two_way_weeks: Any, active_weeks: Any) -> Any:
    return (active_weeks >= 2) & ~_mutual(two_way_weeks, active_weeks)


def _log_recency(days: np.ndarray, scale: float) -> np.ndarray:
    d = np.nan_to_num(np.asarray(days, dtype=np.float64), nan=np.inf, posinf=1e9)
    return np.clip(1.0 - np.log1p(np.maximum(d, 0.0)) / scale, 0.0, 1.0)


def _speed(ratio: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(ratio), 1.0 / (1.0 + ratio), np.nan)


# ---------------------------------------------------------------------------------------------
# Words


def _n(x: float) -> int:
    return round(float(x))


def _phrase(s: Scores, i: int, factor: str) -> str:
    f = s.features
    if factor == "recency":
        text = f"last contact {ago(f.days_since_contact[i])}"
        if np.isfinite(f.usual_gap_days[i]):
            text += f"; in touch {every(f.usual_gap_days[i])}"
        return text
    if factor == "two_way_recency":
        return f"last two-way contact {ago(f.days_since_two_way[i])}"
    if factor == "intensity":
        counts = f"{_n(f.n_out[i])} from you, {_n(f.n_in[i])} from them"
        v = s.values[i, FACTORS.index("intensity")]
        if v >= 0.5:
            return f"top {max(1, round(100 * (1 - v)))}% of your network by recent contact ({counts})"
        return f"some recent contact ({counts})"
    if factor == "regularity":
        return f"in touch {_n(f.active_weeks[i])} of the last {_WEEKS} weeks"
    if factor == "reciprocity":
        parts = []
        if f.my_threads[i] > 0:
            parts.append(f"answered {_n(f.my_threads_answered[i])} of your {_n(f.my_threads[i])} threads")
        if f.their_threads[i] > 0:
            parts.append(f"you answered {_n(f.their_threads_answered[i])} of their {_n(f.their_threads[i])}")
        return "; ".join(parts) or "reciprocated contact"
    if factor == "responsiveness":
        parts = []
        for ratio, who in ((f.their_latency_ratio[i], "replies"), (f.my_latency_ratio[i], "you reply")):
            if not np.isfinite(ratio):
                continue
            if ratio <= 0.5:
                parts.append(f"{who} {1 / ratio:.0f}× faster than usual")
            elif ratio <= 0.8:
                parts.append(f"{who} faster than usual")
            elif ratio >= 2:
                parts.append(f"{who} {ratio:.0f}× slower than usual")
            elif ratio >= 1.25:
                parts.append(f"{who} slower than usual")
            else:
                parts.append(f"{who} at the usual speed")
        return "; ".join(parts)
    if factor == "duration":  # a young tie is no reason for strength: say nothing under 6 months
        return f"first contact {ago(f.tie_days[i])}" if f.tie_days[i] >= 180 else ""
    if factor == "channels":
        return f"{_n(f.channels[i])} channels (e.g. {', '.join(CHANNELS[:2])} …)" if f.channels[i] else ""
    if factor == "shared_contacts":
        return f"{_n(f.shared_contacts[i])} contacts in common"
    if factor == "favors":
        return f"favors: {_n(f.favors_given[i])} given, {_n(f.favors_received[i])} received"
    if factor == "rating":
        return "you rated them strong" if f.rating[i] > 0 else "you rated them weak"
    return factor


def explain(s: Scores, i: int, k: int = 3) -> list[str]:
    """Top-k contributing factors of person i in words, best first; a fading or weak-rating
    warning and the favors on record are added when they apply. Factors that are only faintly present (value < 0.2) are
    left out unless nothing else contributes."""
    top = s.top_factors(i, len(FACTORS), notable=0.2) or s.top_factors(i, 1)
    words = [p for name, _ in top if (p := _phrase(s, i, name))][:k]
    f = s.features
    if _one_way(f.two_way_weeks[i], f.contact_weeks[i]):
        words.insert(0, f"one-way: {_n(f.n_out[i])} from you, {_n(f.n_in[i])} from them; "
                        f"both ways in {_n(f.two_way_weeks[i])} of {_n(f.contact_weeks[i])} weeks in touch")
    ratio = f.silence_ratio[i]
    if np.isfinite(ratio) and ratio >= FADING_RATIO:
        words.append(
            f"usually in touch {every(f.usual_gap_days[i])}; silent for {span(f.days_since_contact[i])} "
            f"({ratio:.0f}× usual gap)"
        )
    if f.rating[i] < 0 and s.weights.points.get("rating", 0) > 0:
        words.append("you rated them weak")
    favors = _phrase(s, i, "favors")
    if f.favors_given[i] + f.favors_received[i] > 0 and favors not in words:
        words.append(favors)  # stated by the user, so always said
    return words


# ---------------------------------------------------------------------------------------------
# Refitting from the user's ratings

MIN_LABELS = 20
MIN_PER_CLASS = 5


@dataclass(slots=True)
class FitReport:
    """Outcome of `fit`: the weights to use and how they compare with the defaults."""

    weights: Weights
    fitted: bool  # False: too few labels, `weights` are the defaults
    n_labels: int
    n_positive: int
    folds: int = 0
    cv_accuracy: float = float("nan")
    cv_auc: float = float("nan")
    default_accuracy: float = float("nan")
    default_auc: float = float("nan")
    message: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "fitted": self.fitted, "n_labels": self.n_labels, "n_positive": self.n_positive,
            "folds": self.folds, "cv_accuracy": self.cv_accuracy, "cv_auc": self.cv_auc,
            "default_accuracy": self.default_accuracy, "default_auc": self.default_auc,
            "points": dict(self.weights.points), "message": self.message,
        }


def labels_from_ratings(ratings: Sequence[str | None]) -> np.ndarray:
    """Ratings ("strong", "favor", "weak", None/"") → labels 1.0 / 0.0 / NaN (unrated)."""
    table = {"strong": 1.0, "favor": 1.0, "close": 1.0, "inner": 1.0, "weak": 0.0}
    return np.array([table.get((r or "").strip().lower(), np.nan) for r in ratings])


def fit(features: Features, labels: np.ndarray, *, l2: float = 1.0, folds: int = 5, seed: int = 0) -> FitReport:
    """Refit factor points from the user's labels (1 strong/favor, 0 weak, NaN unrated).

    L2-regularised logistic regression (Newton's method, numpy only) on the factor values,
    except the stated rating itself. Needs ≥ 20 labels with ≥ 5 of each class, else returns
    the defaults with fitted=False. Reports stratified k-fold cross-validated accuracy and AUC
    of the refit next to the defaults' (accuracy of the defaults via a 1-D logistic on their
    score, fitted on the training folds). Fitted points are scaled so that the positive points
    sum to 100, which keeps scores on the 0–100 scale; the stated-rating points are kept.
    """
    y_all = np.asarray(labels, dtype=np.float64)
    labelled = np.flatnonzero(np.isfinite(y_all))
    y = y_all[labelled]
    n_pos = int((y > 0.5).sum())
    n_neg = len(y) - n_pos
    base = FitReport(DEFAULT_WEIGHTS, False, len(y), n_pos)
    if len(y) < MIN_LABELS or min(n_pos, n_neg) < MIN_PER_CLASS:
        base.message = (f"need at least {MIN_LABELS} rated people with {MIN_PER_CLASS} of each class; "
                        f"have {len(y)} ({n_pos} strong, {n_neg} weak)")
        return base
    y = (y > 0.5).astype(np.float64)
    cols = [j for j, name in enumerate(FACTORS) if name not in _STATED]
    X = factor_values(features)[labelled][:, cols]
    default_s = (X * DEFAULT_WEIGHTS.vector()[cols]).sum(axis=1)

    k = int(min(folds, n_pos, n_neg))
    fold = _stratified_folds(y, k, seed)
    prob_fit = np.zeros(len(y))
    prob_def = np.zeros(len(y))
    for j in range(k):
        tr, te = fold != j, fold == j
        w, b = _logistic(X[tr], y[tr], l2)
        prob_fit[te] = _sigmoid(X[te] @ w + b)
        a, c = _logistic(default_s[tr, None] / 100.0, y[tr], 1e-3)
        prob_def[te] = _sigmoid(default_s[te, None] / 100.0 @ a + c)
    w, _ = _logistic(X, y, l2)
    pos_sum = w[w > 0].sum()
    scale = 100.0 / pos_sum if pos_sum > 0 else 0.0
    pts = {FACTORS[c]: float(w[n] * scale) for n, c in enumerate(cols)}
    for name in _STATED:
        pts[name] = DEFAULT_POINTS[name]
    return FitReport(
        Weights(pts, "fitted"), True, len(y), n_pos, k,
        cv_accuracy=float(((prob_fit > 0.5) == (y > 0.5)).mean()), cv_auc=auc(prob_fit, y),
        default_accuracy=float(((prob_def > 0.5) == (y > 0.5)).mean()), default_auc=auc(default_s, y),
        message=f"refit on {len(y)} rated people, {k}-fold cross-validated",
    )


def auc(s: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count one half); NaN with one class."""
    s = np.asarray(s, dtype=np.float64)
    y = np.asarray(y).astype(bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = average_ranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based average ranks of all values (ties share their mean rank)."""
    order = np.argsort(x, kind="stable")
    sv = x[order]
    starts = np.flatnonzero(np.r_[True, sv[1:] != sv[:-1]])
    ends = np.r_[starts[1:], len(sv)]
    ranks = np.empty(len(x))
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logistic(X: np.ndarray, y: np.ndarray, l2: float, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (intercept unpenalised)."""
    n, d = X.shape
    A = np.c_[X, np.ones(n)]
    theta = np.zeros(d + 1)
    reg = np.r_[np.full(d, l2), 0.0]
    for _ in range(iters):
        p = _sigmoid(A @ theta)
        grad = A.T @ (p - y) + reg * theta
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:d], float(theta[d])


def _stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    for cls in (0.0, 1.0):
        idx = np.flatnonzero(y == cls)
        idx = idx[rng.permutation(len(idx))]
        fold[idx] = np.arange(len(idx)) % k
    return fold
