"""Temporal hold-out evaluation of the tie-strength model against simple baselines on real mail."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from closeknit.errors import InputError
from closeknit.strength import calibration as cal
from closeknit.strength.calibration import DAY, MONTHLY, Protocol, Step
from closeknit.strength.events import IN, OUT, Events
from closeknit.strength.model import auc

if TYPE_CHECKING:
    from closeknit.pipeline.importer import ImportResult
    from closeknit.store import Store

FIRST_CUTOFF = (2000, 6)
LAST_CUTOFF = (2001, 9)
K = 10
ROTH_HALF_LIVES = (2, 4, 8, 12)  # weeks
ROTH_OUT_WEIGHTS = (1, 2)
BOOTSTRAP = 2000
METRICS = ("auc", "p10", "ndcg10")
FLOOR_DRAWS = 20  # outcomes drawn from the probabilities themselves, for the ECE of a perfect calibration

Progress = Callable[[int, int, str], None]


def monthly_cutoffs(first: tuple[int, int] = FIRST_CUTOFF, last: tuple[int, int] = LAST_CUTOFF) -> list[float]:
    """Unix times of the first day of each month from `first` to `last` (year, month), inclusive."""
    out = []
    y, m = first
    while (y, m) <= last:
        out.append(datetime(y, m, 1, tzinfo=UTC).timestamp())
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@contextmanager
def imported(path: Path, empty_store: Path | None = None) -> Iterator[tuple[Store, ImportResult]]:
    """One owner's mail imported into a fresh, temporary store exactly as `closeknit import` does it (the
    importer's reading of mail, its "me", directions, threads and replies), and the import's result.

    `empty_store`: a new, migrated database file to start from (a copy is cheaper than migrating).
    """
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    with tempfile.TemporaryDirectory(prefix="closeknit-eval-") as tmp:
        target = Path(tmp) / "eval.db"
        if empty_store is not None:
            shutil.copyfile(empty_store, target)
        db = Store(target)
        try:
            yield db, run_import(db, path, kind="mail")
        finally:
            db.close()


def owner_events(path: Path, empty_store: Path | None = None) -> tuple[Events, dict[str, Any]]:
    """One owner's events exactly as a user gets them: the mail `imported`, read back as scoring reads it."""
    from closeknit.pipeline import scoring

    with imported(path, empty_store) as (db, result):
        events = scoring.load_events(db)
    return events, {"messages": result.messages, "owner_addresses": len(result.me)}


# --------------------------------------------------------------------------- metrics


def precision_at(score: np.ndarray, y: np.ndarray, tiebreak: np.ndarray, k: int = K) -> float:
    """Share of positives among the top k (top min(k, n) when there are fewer candidates)."""
    top = np.lexsort((tiebreak, -score))[:k]
    return float(y[top].sum() / len(top)) if len(top) else float("nan")


def ndcg_at(score: np.ndarray, y: np.ndarray, tiebreak: np.ndarray, k: int = K) -> float:
    """NDCG@k with binary gains; ties in score are broken by `tiebreak` (a seeded permutation)."""
    top = np.lexsort((tiebreak, -score))[:k]
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = disc[: min(k, int(y.sum()))].sum()
    return float((y[top] * disc[: len(top)]).sum() / ideal) if ideal > 0 else float("nan")


def ece_floor(p: np.ndarray, seed: int = 0) -> float:
    """The ECE that exactly right probabilities `p` would score: the mean over draws of outcomes drawn
    from the probabilities themselves (on a few hundred ties the ECE is large whatever the model)."""
    rng = np.random.default_rng(seed)
    return float(np.mean([cal.ece(p, rng.random(len(p)) < p) for _ in range(FLOOR_DRAWS)]))


# --------------------------------------------------------------------------- baselines


def baseline_scores(win: Events, cand: np.ndarray, now: float, seed: int) -> dict[str, np.ndarray]:
    """Baseline scores of the candidates from the history window (all messages, bulk included)."""
    P = win.n_people
    person = win.person
    out: dict[str, np.ndarray] = {}
    out["random"] = np.random.default_rng(seed).random(len(cand))
    out["count"] = np.bincount(person, minlength=P)[cand].astype(np.float64)
    last = np.full(P, -np.inf)
    if len(win):
        ends = np.r_[np.flatnonzero(np.diff(person)), len(person) - 1]  # rows are sorted by person, ts
        last[person[ends]] = win.ts[ends]
    out["recency"] = last[cand]
    n_out = np.bincount(person, weights=win.direction == OUT, minlength=P)
    n_in = np.bincount(person, weights=win.direction == IN, minlength=P)
    out["min_in_out"] = np.minimum(n_out, n_in)[cand]
    age_weeks = (now - win.ts) / (7 * DAY)
    is_out = win.direction == OUT
    for lam in ROTH_HALF_LIVES:
        decay = np.exp2(-age_weeks / lam)
        for k in ROTH_OUT_WEIGHTS:
            w = decay * np.where(is_out, float(k), 1.0)
            out[f"roth_{lam}_{k}"] = np.bincount(person, weights=w, minlength=P)[cand]
    return out


# --------------------------------------------------------------------------- one owner


def evaluate_events(
    events: Events,
    cutoffs: list[float] | None = None,
    seed: int = 0,
    *,
    protocol: Protocol = cal.DEFAULT_PROTOCOL,
    step: Step = MONTHLY,
) -> dict[str, Any]:
    """Metrics of the model and baselines for one owner's events, averaged over kept cut-offs, and
    the calibration of the model's probability over those cut-offs.

    A cut-off is kept when its history window holds ≥ `protocol.min_messages` messages and both
    outcomes occur among its candidates. At each kept cut-off the probability comes from the
    calibration the owner would have had then: fitted on back-tests at earlier cut-offs of the same
    grid (`step` apart) whose outcome was known by then (no peeking at the future).

    Returns {"cutoffs": n kept, "skipped_quiet": n, "skipped_one_class": n,
    "metrics": {method: {"auc", "p10", "ndcg10"}}, "calibration": {"brier", "ece", "ties",
    "positives", "default_share", "ece_floor"}} (metrics empty when no cut-off is kept). ece_floor:
    the mean ECE of outcomes drawn from the probabilities themselves, i.e. what a perfect
    calibration would score on this many ties (small samples have a large ECE whatever the model).
    """
    cuts = monthly_cutoffs() if cutoffs is None else cutoffs
    earliest = float(events.ts.min()) if len(events) else np.inf
    cache: dict[float, cal.Sample | None] = {}

    def sample(t: float) -> cal.Sample | None:
        if t not in cache:
            cache[t] = cal.sample_at(events, t, protocol)
        return cache[t]

    per: dict[str, list[tuple[float, float, float]]] = {}
    probs: list[np.ndarray] = []
    outcomes: list[np.ndarray] = []
    defaults = 0
    kept = quiet = one_class = 0
    for n, T in enumerate(cuts):
        smp = sample(T)
        if smp is None:
            quiet += 1
            continue
        y = smp.y
        if y.all() or not y.any():
            one_class += 1
            continue
        kept += 1
        cut_seed = seed * 1_000_003 + n
        tiebreak = np.random.default_rng(cut_seed + 7).permutation(len(smp.cand))
        scores = baseline_scores(smp.window, smp.cand, T, cut_seed)
        scores["model"] = smp.score
        for name, s in scores.items():
            per.setdefault(name, []).append(
                (auc(s, y), precision_at(s, y, tiebreak), ndcg_at(s, y, tiebreak)))
        calib = cal.calibrate_at(T, step, sample, protocol, earliest)
        defaults += calib is cal.DEFAULT_CALIBRATION
        probs.append(calib(smp.score))
        outcomes.append(y)
    metrics = {
        name: dict(zip(METRICS, (float(v) for v in np.nanmean(np.array(vals), axis=0)), strict=True))
        for name, vals in per.items()
    }
    calibration: dict[str, float] = {}
    if probs:
        p, y_all = np.concatenate(probs), np.concatenate(outcomes)
        calibration = {"brier": cal.brier(p, y_all), "ece": cal.ece(p, y_all), "ece_floor": ece_floor(p, seed),
                       "ties": float(len(p)), "positives": float(y_all.sum()), "default_share": defaults / kept}
    return {"cutoffs": kept, "skipped_quiet": quiet, "skipped_one_class": one_class, "metrics": metrics,
            "calibration": calibration}


def _owner_job(args: tuple[str, str, str, int, list[float], Protocol, Step]) -> dict[str, Any]:
    name, path, empty_store, seed, cutoffs, protocol, step = args
    start = time.perf_counter()
    events, info = owner_events(Path(path), Path(empty_store))
    parsed = time.perf_counter() - start
    result = evaluate_events(events, cutoffs, seed, protocol=protocol, step=step)
    result.update(
        owner=name, rows=len(events), people=events.n_people, parse_seconds=round(parsed, 3),
        seconds=round(time.perf_counter() - start, 3), **info,
    )
    return result


# --------------------------------------------------------------------------- whole corpus


def owner_folders(mail_root: Path, owners: list[str] | None = None) -> list[str]:
    """The owners to evaluate: the named ones (each must have a folder), else every sub-folder."""
    root = Path(mail_root)
    if not root.is_dir():
        raise InputError(f"cannot evaluate {root}: not a folder of owner mailboxes")
    available = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if owners:
        missing = [o for o in owners if o not in available]
        if missing:
            raise InputError(f"no mailbox folder for owner {missing[0]!r} in {root}")
        names = list(dict.fromkeys(owners))
    else:
        names = available
    if not names:
        raise InputError(f"no owner folders in {root}")
    return names


def run_owners(
    mail_root: Path,
    names: list[str],
    job: Callable[[Any], dict[str, Any]],
    args: tuple[Any, ...],
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """`job((owner, folder, empty_store, *args))` for each owner, in `workers` processes (default: the CPU
    count; 1 runs in this process), `progress(done, total, owner)` after each; the results in owner
    order and the number of processes used. `empty_store` is a migrated database to copy from."""
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(names)))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="closeknit-eval-") as tmp:
        from closeknit.store import Store

        empty = Path(tmp) / "empty.db"
        Store(empty).close()
        jobs = [(n, str(Path(mail_root) / n), str(empty), *args) for n in names]
        if n_workers == 1:
            outputs: Any = map(job, jobs)
        else:
            pool = ProcessPoolExecutor(max_workers=n_workers)
            outputs = pool.map(job, jobs)
        try:
            for name, res in zip(names, outputs, strict=True):
                results.append(res)
                if progress:
                    progress(len(results), len(jobs), name)
        finally:
            if n_workers > 1:
                pool.shutdown(cancel_futures=True)
    return results, n_workers


def evaluate(
    mail_root: Path,
    owners: list[str] | None = None,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    seed: int = 0,
    protocol: Protocol = cal.DEFAULT_PROTOCOL,
    cutoffs: tuple[list[float], Step] | None = None,
) -> dict[str, Any]:
    """Evaluate the model against baselines on a folder of mailboxes, one sub-folder per owner.

    Protocol (per owner): the owner's mail is imported into a fresh store exactly as `closeknit
    import` does (its "me", directions, threads and replies) and read back as `closeknit score`
    reads it; cut-offs T (default: monthly from 2000-06-01 to 2001-09-01; `cutoffs` gives others
    with their step) are kept when the owner exchanged ≥ 20 messages in the `history_days` (365)
    before T and both classes occur; candidates are everyone the owner exchanged mail with in
    that window; features use that window only; a candidate is positive when there is at least
    one message each way in the `horizon_days` (90) after T. Metrics per cut-off: AUC,
    precision@10 and NDCG@10 (score ties broken by a seeded permutation shared by all methods),
    averaged over the owner's cut-offs; the summary is the median over owners. Baselines:
    random (seeded), message count, recency, min(in, out) and Roth et al.'s interactions rank
    for half-life λ ∈ {2, 4, 8, 12} weeks × outbound weight ∈ {1, 2}, the best combination by
    median AUC reported as "roth_best". Baselines count every message (bulk included).
    auc_diff_ci95: seeded bootstrap (2,000 resamples of owners) of the mean paired per-owner
    AUC difference model − best baseline (by median AUC). The model uses fixed default weights;
    nothing is fitted, so no owner's future can leak into it. The model's probability at each
    cut-off is calibrated on that owner's earlier back-tests only; `brier` and `ece` (10
    equal-count bins over all ties of an owner's kept cut-offs) are medians over owners.

    `progress(done, total, owner)` is called after each owner. `workers` processes parse and
    score owners in parallel (default: the CPU count; 1 runs in this process).
    """
    names = owner_folders(mail_root, owners)
    start = time.perf_counter()
    cuts, step = cutoffs or (monthly_cutoffs(), MONTHLY)
    results, n_workers = run_owners(mail_root, names, _owner_job, (seed, cuts, protocol, step), workers, progress)
    out = summarise(results, seed=seed, protocol=protocol, cutoffs=(cuts, step))
    out["seconds"] = round(time.perf_counter() - start, 2)
    out["workers"] = n_workers
    return out


def summarise(
    results: list[dict[str, Any]],
    seed: int = 0,
    protocol: Protocol = cal.DEFAULT_PROTOCOL,
    cutoffs: tuple[list[float], Step] | None = None,
) -> dict[str, Any]:
    """Aggregate per-owner results (from `evaluate_events` plus "owner") into the report dict."""
    scored = [r for r in results if r["cutoffs"] > 0]
    cuts, step = cutoffs or (monthly_cutoffs(), MONTHLY)
    methods = sorted({m for r in scored for m in r["metrics"]})

    def med(name: str) -> dict[str, float | None]:
        vals = np.array([[r["metrics"][name][k] for k in METRICS] for r in scored])
        return dict(zip(METRICS, (_round(v) for v in np.nanmedian(vals, axis=0)), strict=True))

    summary = {m: med(m) for m in methods} if scored else {}
    calibrated = [r["calibration"] for r in scored if r.get("calibration")]
    if calibrated and "model" in summary:
        for key in ("brier", "ece", "ece_floor"):
            summary["model"][key] = _round(float(np.nanmedian([c[key] for c in calibrated])))
        summary["model"]["default_share"] = _round(float(np.mean([c["default_share"] for c in calibrated])))
    roth = [m for m in methods if m.startswith("roth_")]
    roth_best = max(roth, key=lambda m: (_num(summary[m]["auc"]), m)) if roth else ""
    baselines: dict[str, dict[str, Any]] = {}
    for name in ("count", "recency", "min_in_out", "random"):
        if name in summary:
            baselines[name] = summary[name]
    if roth_best:
        lam, k = roth_best.split("_")[1:]
        baselines["roth_best"] = {**summary[roth_best], "half_life_weeks": int(lam), "out_weight": int(k)}
    best = max(baselines, key=lambda b: (_num(baselines[b]["auc"]), b)) if baselines else ""
    best_key = roth_best if best == "roth_best" else best
    diff_ci: list[float | None] = [None, None]
    diff_mean: float | None = None
    diff_median: float | None = None
    if scored and best_key:
        diff_ci, diff_mean, diff_median = paired_difference(
            [r["metrics"]["model"]["auc"] - r["metrics"][best_key]["auc"] for r in scored], seed)
    per_owner = [
        {
            "owner": r["owner"], "messages": r.get("messages", 0), "cutoffs": r["cutoffs"],
            "skipped_quiet": r["skipped_quiet"], "skipped_one_class": r["skipped_one_class"],
            "model": {k: _round(v) for k, v in {**r["metrics"].get("model", {}), **r.get("calibration", {})}.items()},
            "baselines": {
                m: {k: _round(v) for k, v in vals.items()} for m, vals in r["metrics"].items() if m != "model"
            },
            "seconds": r.get("seconds", 0.0),
        }
        for r in results
    ]
    return {
        "owners": len(scored),
        "owners_total": len(results),
        "cutoffs": int(sum(r["cutoffs"] for r in scored)),
        "messages": int(sum(r.get("messages", 0) for r in results)),
        "model": summary.get("model", {}),
        "baselines": baselines,
        "best_baseline": best,
        "auc_diff": diff_mean,
        "auc_diff_median": diff_median,
        "auc_diff_ci95": diff_ci,
        "roth_grid": {m: summary[m] for m in roth},
        "protocol": {
            "history_days": protocol.history_days, "horizon_days": protocol.horizon_days,
            "min_messages": protocol.min_messages, "cutoffs": _describe(cuts, step),
            "calibration": f"logistic on the owner's latest {cal.MAX_CUTOFFS} earlier back-tests, prior "
                           f"{cal.PRIOR:g} centred on the default curve",
            "k": K, "bootstrap": BOOTSTRAP, "seed": seed, "model_weights": "fixed defaults (not fitted)",
        },
        "owners_without_cutoffs": [r["owner"] for r in results if r["cutoffs"] == 0],
        "per_owner": per_owner,
    }


def paired_difference(diffs: list[float], seed: int = 0) -> tuple[list[float | None], float | None, float | None]:
    """The bootstrap 95% interval (2,000 seeded resamples of owners) of the mean of per-owner
    differences, the mean and the median (None when there is no finite difference)."""
    d = np.array(diffs, dtype=np.float64)
    d = d[np.isfinite(d)]
    if not len(d):
        return [None, None], None, None
    idx = np.random.default_rng(seed).integers(0, len(d), size=(BOOTSTRAP, len(d)))
    boot = d[idx].mean(axis=1)
    return [_round(np.percentile(boot, 2.5)), _round(np.percentile(boot, 97.5))], _round(d.mean()), _round(
        np.median(d))


def _describe(cuts: list[float], step: Step) -> str:
    fmt = "%Y-%m" if step.months else "%Y-%m-%d"
    ends = [datetime.fromtimestamp(t, UTC).strftime(fmt) for t in (cuts[0], cuts[-1])] if cuts else ["", ""]
    return f"every {step.label()} from {ends[0]} to {ends[1]}"


def _num(x: float | None) -> float:
    return -np.inf if x is None else float(x)


def _round(x: float) -> float | None:
    """4 decimals; None for NaN so the report stays valid JSON."""
    return round(float(x), 4) if np.isfinite(x) else None
