"""Fading ties: the probability that an active tie lapses, calibrated on the user's own history, and
its evaluation against simple baselines on real mail.

An active tie at time T had at least one message either way in the 90 days before T; it lapses when
there is no message each way in the 90 days after T. A logistic curve of the tie's strength score,
fitted on back-tests of the user's own active ties at earlier cut-offs (outcomes known), maps it to the
probability, with a prior centred on the default curve of all Enron owners; the two latest cut-offs, whose
outcome is only partly known, move its intercept (`recent_shift`). The score, not a rank among the active
ties, so that the strongest ties get the high chance of contact they have (docs/care.md), and the lapse
probability tells the same story as the contact probability.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.strength import calibration as cal
from closeknit.strength import evaluate as ev
from closeknit.strength.calibration import DAY, Protocol, Sample, Step
from closeknit.strength.events import Events
from closeknit.strength.model import auc

ACTIVE_DAYS = 90
GAP_RULE = 8.0  # the literature's rule: silent for more than 8× the tie's median gap
BASELINES = ("days_since_last", "count", "gap_rule_8x")


# P(two-way exchange | score x) = sigmoid(a + b·(x/100)^1.5) (the contact probability's shape, cal.POWER) over the
# pooled back-tests of the 100 Enron owners' active ties (77,965 ties); a user's own back-tests move it, weighted
# against this prior.
DEFAULT_A, DEFAULT_B = -4.71, 7.69
# The freshest evidence: the two latest monthly cut-offs, whose outcome is partly known, move the intercept
# by a quarter of what they say (chosen by owner-level cross-validation, docs/care.md).
RECENT_CUTOFFS = 2
RECENT_WEIGHT = 0.25


def active(smp: Sample | None, days: float = ACTIVE_DAYS) -> Sample | None:
    """The back-test restricted to active ties (a message either way in the `days` before its cut-off);
    its `y` stays "a message each way within the horizon" (the tie did not lapse)."""
    if smp is None:
        return None
    last = last_contact(smp.window)[smp.cand]
    keep = last >= smp.cutoff - days * DAY
    if not keep.any():
        return None
    return Sample(smp.cutoff, smp.window, smp.cand[keep], smp.y[keep], smp.score[keep])


def last_contact(win: Events) -> np.ndarray:
    """Per person of the events, the time of their latest row (−inf without one)."""
    last = np.full(win.n_people, -np.inf)
    np.maximum.at(last, win.person, win.ts.astype(np.float64))
    return last


def calibration_at(events: Events, t: float, step: Step, protocol: Protocol = cal.DEFAULT_PROTOCOL,
                   weights: Any = None, sample: cal.SampleSource | None = None) -> cal.Calibration:
    """The user's calibration of the score of active ties at t: fitted on active ties of back-tests before t
    (outcomes known by t), its intercept moved by `recent_shift`. `sample(cutoff)` gives the back-tests (all ties)
    when the caller caches them."""
    return _calibrate(events, t, step, protocol, weights, sample)[0]


def _calibrate(events: Events, t: float, step: Step, protocol: Protocol, weights: Any,
               sample: cal.SampleSource | None) -> tuple[cal.Calibration, float]:
    earliest = float(events.ts.min()) if len(events) else np.inf
    back_test = sample or cal.cached(events, protocol, weights)
    samples = [s for c in cal.calibration_cutoffs(t, step, protocol, earliest)
               if (s := active(back_test(c))) is not None]
    if not samples:
        return cal.Calibration(DEFAULT_A, DEFAULT_B, "default"), 0.0
    x = cal.curve_x(np.concatenate([s.score for s in samples]))
    y = np.concatenate([s.y for s in samples]).astype(np.float64)
    a, b = cal.platt(x, y, (DEFAULT_A, DEFAULT_B), cal.PRIOR)
    shift = recent_shift(events, t, step, protocol, samples, back_test)
    return cal.Calibration(a + shift, b, "own history", len(y), int(y.sum()), len(samples)), shift


def recent_shift(events: Events, t: float, step: Step, protocol: Protocol, samples: list[Sample],
                 back_test: cal.SampleSource) -> float:
    """Log-odds by which the freshest evidence moves the calibration's intercept, times RECENT_WEIGHT.

    The latest RECENT_CUTOFFS cut-offs of the grid before t have no known outcome yet, but part of it:
    the share of their active ties that have already exchanged a message each way since. The same share,
    the same number of days after their cut-off, is measured on the back-tests the curve was fitted on;
    the difference of the two in log-odds (averaged over those cut-offs, by active ties) says whether
    two-way exchange is now commoner or rarer than in the back-tests. Both are read only from mail before t.
    """
    then_ties = sum(len(s.cand) for s in samples)
    terms: list[float] = []
    sizes: list[int] = []
    for k in range(1, RECENT_CUTOFFS + 1):
        c = step.shift(t, -k)
        if c + protocol.horizon_days * DAY <= t:  # outcome known: already among the back-tests
            continue
        recent = active(back_test(c))
        if recent is None:
            continue
        days = t - c
        now = int(cal.two_way(events, c, t)[recent.cand].sum())
        then = sum(int(cal.two_way(events, s.cutoff, s.cutoff + days)[s.cand].sum()) for s in samples)
        terms.append(_log_odds(now, len(recent.cand)) - _log_odds(then, then_ties))
        sizes.append(len(recent.cand))
    return RECENT_WEIGHT * float(np.average(terms, weights=sizes)) if terms else 0.0


def _log_odds(k: int, n: int) -> float:
    return float(np.log((k + 0.5) / (n - k + 0.5)))


@dataclass(frozen=True, slots=True)
class Lapse:
    """The lapse probability of every active tie at one moment, and the calibration it comes from."""

    person: np.ndarray  # indexes into the events' people
    score: np.ndarray  # 0..100, their strength as a back-test scores it
    p: np.ndarray  # probability of no message each way within the horizon
    calibration: cal.Calibration
    recent_shift: float = 0.0  # log-odds of the freshest evidence, included in the calibration's intercept


def lapse_at(events: Events, t: float, step: Step = cal.MONTHLY, protocol: Protocol = cal.DEFAULT_PROTOCOL,
             weights: Any = None, sample: cal.SampleSource | None = None) -> Lapse:
    """Each tie active at t (a message either way in the 90 days before it), scored as a back-test scores
    it, with its probability of lapsing from the user's calibration at t. `sample`:
    the back-tests, when the caller has them already (scoring shares them with the contact probability)."""
    calibration, shift = _calibrate(events, t, step, protocol, weights, sample)
    now = active(cal.snapshot(events, t, protocol, weights))
    if now is None:
        empty = np.zeros(0)
        return Lapse(empty.astype(np.int64), empty, empty, calibration, shift)
    return Lapse(now.cand, now.score, p_lapse(calibration, now.score), calibration, shift)


def p_lapse(calibration: cal.Calibration, score: np.ndarray) -> np.ndarray:
    """Probability of no two-way exchange within the horizon, from the score (0..100)."""
    out: np.ndarray = 1.0 - calibration(score)
    return out


def baseline_scores(smp: Sample) -> dict[str, np.ndarray]:
    """The baselines' lapse scores (higher: more likely to lapse) for the active ties of a back-test."""
    win, cand, t = smp.window, smp.cand, smp.cutoff
    last = last_contact(win)[cand]
    count = np.bincount(win.person, minlength=win.n_people)[cand].astype(np.float64)
    silence = t - last
    gaps = median_gaps(win)[cand]
    return {
        "days_since_last": silence / DAY,
        "count": -count,
        "gap_rule_8x": (np.isfinite(gaps) & (silence > GAP_RULE * gaps)).astype(np.float64),
    }


def median_gaps(win: Events) -> np.ndarray:
    """Per person, the median gap between their consecutive messages (inf with fewer than two)."""
    out = np.full(win.n_people, np.inf)
    if len(win) < 2:
        return out
    order = np.lexsort((win.ts, win.person))
    person, ts = win.person[order], win.ts[order].astype(np.float64)
    same = person[1:] == person[:-1]
    gap_person, gap = person[1:][same], np.diff(ts)[same]
    if not len(gap):
        return out
    by = np.lexsort((gap, gap_person))
    gap_person, gap = gap_person[by], gap[by]
    starts = np.r_[0, np.flatnonzero(np.diff(gap_person)) + 1]
    counts = np.diff(np.r_[starts, len(gap)])
    mid = starts + (counts - 1) / 2.0
    out[gap_person[starts]] = (gap[np.floor(mid).astype(int)] + gap[np.ceil(mid).astype(int)]) / 2.0
    return out


def evaluate_events(events: Events, cutoffs: list[float], step: Step,
                    protocol: Protocol = cal.DEFAULT_PROTOCOL) -> dict[str, Any]:
    """One owner: AUC of the model's lapse probability and of each baseline, averaged over the kept
    cut-offs (enough mail, both outcomes among active ties), and the probability's Brier score and
    ECE over those cut-offs, each calibrated on earlier back-tests only."""
    per: dict[str, list[float]] = {}
    probs: list[np.ndarray] = []
    lapsed: list[np.ndarray] = []
    kept = 0
    sample = cal.cached(events, protocol)
    for t in cutoffs:
        smp = active(sample(t))
        if smp is None:
            continue
        y = ~smp.y
        if y.all() or not y.any():
            continue
        kept += 1
        p = p_lapse(calibration_at(events, t, step, protocol, sample=sample), smp.score)
        for name, s in {"model": p, **baseline_scores(smp)}.items():
            per.setdefault(name, []).append(auc(s, y))
        probs.append(p)
        lapsed.append(y)
    out: dict[str, Any] = {"cutoffs": kept, "auc": {k: float(np.nanmean(v)) for k, v in per.items()}}
    if probs:
        p_all, y_all = np.concatenate(probs), np.concatenate(lapsed)
        out["brier"], out["ece"] = cal.brier(p_all, y_all), cal.ece(p_all, y_all)
        out["ece_floor"] = ev.ece_floor(p_all)
        out["ties"], out["lapsed"] = len(p_all), int(y_all.sum())
        out["p"], out["y"] = p_all, y_all  # for the ECE over every owner's ties pooled
    return out


def _owner_job(args: tuple[str, str, str, list[float], Protocol, Step]) -> dict[str, Any]:
    name, path, empty_store, cutoffs, protocol, step = args
    events, info = ev.owner_events(Path(path), Path(empty_store))
    return {**evaluate_events(events, cutoffs, step, protocol), "owner": name, **info}


def evaluate(mail_root: Path, owners: list[str] | None = None, progress: ev.Progress | None = None, *,
             workers: int | None = None, seed: int = 0, protocol: Protocol = cal.DEFAULT_PROTOCOL,
             cutoffs: tuple[list[float], Step] | None = None) -> dict[str, Any]:
    """The fading model against its baselines on a folder of mailboxes (one sub-folder per owner), with
    the same reading of mail and the same cut-offs as the strength evaluation. Per cut-off T: active
    ties (a message either way in the 90 days before T; the owner with ≥ 20 messages in the history
    window); positive: no message each way in the horizon after T. AUC per cut-off, mean per owner,
    median over owners; the bootstrap interval over owners of the AUC difference model − best
    baseline; Brier score and ECE of the probability (calibrated on earlier cut-offs only), medians, and
    the ECE a perfect calibration would score on the same ties (`ece_floor`); the ECE over every owner's ties
    pooled, and its floor (`ece_pooled`, `ece_pooled_floor`)."""
    names = ev.owner_folders(mail_root, owners)
    cuts, step = cutoffs or (ev.monthly_cutoffs(), cal.MONTHLY)
    results, _ = ev.run_owners(mail_root, names, _owner_job, (cuts, protocol, step), workers, progress)
    scored = [r for r in results if r["cutoffs"]]

    def median(values: list[float]) -> float | None:
        return ev._round(float(np.nanmedian(values))) if values else None

    baselines = {b: {"auc": median([r["auc"][b] for r in scored])} for b in BASELINES}
    best = max(BASELINES, key=lambda b: (ev._num(baselines[b]["auc"]), b))
    ci, mean, _ = ev.paired_difference([r["auc"]["model"] - r["auc"][best] for r in scored], seed)
    with_p = [r for r in scored if "p" in r]
    pooled = {}
    if with_p:
        p_all, y_all = np.concatenate([r["p"] for r in with_p]), np.concatenate([r["y"] for r in with_p])
        pooled = {"ece_pooled": ev._round(cal.ece(p_all, y_all)), "ece_pooled_floor": ev._round(ev.ece_floor(p_all))}
    return {
        "owners": len(scored),
        "model": {"auc": median([r["auc"]["model"] for r in scored]), "brier": median([r["brier"] for r in scored]),
                  "ece": median([r["ece"] for r in scored]), "ece_floor": median([r["ece_floor"] for r in scored]),
                  **pooled},
        "baselines": baselines,
        "best_baseline": best,
        "auc_diff": mean,
        "auc_diff_ci95": ci,
        "cutoffs": sum(r["cutoffs"] for r in scored),
        "protocol": {"active_days": ACTIVE_DAYS, "history_days": protocol.history_days,
                     "horizon_days": protocol.horizon_days, "min_messages": protocol.min_messages,
                     "cutoffs": ev._describe(cuts, step),
                     "calibration": f"logistic on the score over the owner's latest {cal.MAX_CUTOFFS} earlier"
                                    f" back-tests, prior {cal.PRIOR:g} centred on the default curve; intercept"
                                    f" moved by {RECENT_WEIGHT:g} × the log-odds of the {RECENT_CUTOFFS} latest"
                                    " cut-offs' partly known outcome against the back-tests'"},
        "per_owner": [{"owner": r["owner"], "cutoffs": r["cutoffs"],
                       **{k: r[k] for k in ("ties", "lapsed", "brier", "ece", "ece_floor") if k in r},
                       "auc": {k: ev._round(v) for k, v in r["auc"].items()}} for r in results],
    }
