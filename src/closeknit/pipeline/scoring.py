"""Score every tie from the stored interactions: features, explained model, tiers; saved to the store."""

from __future__ import annotations

import contextlib
import json
import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from closeknit.care import fading as lapse_model
from closeknit.care import plan as care_plan
from closeknit.durations import STALE_DAYS
from closeknit.errors import InputError
from closeknit.store import Store
from closeknit.store import care as care_store
from closeknit.store import favors as favor_store
from closeknit.store import scores as score_store
from closeknit.store.base import now_iso
from closeknit.strength import calibration as cal
from closeknit.strength import features as feat
from closeknit.strength import model, tiers
from closeknit.strength.events import CHANNELS, Events, channel_kind

NO_FACTORS = json.dumps({"top": [], "why": []})
# Features kept with each score for `explain` and the report.
KEPT_FEATURES = ("n_out", "n_in", "days_since_contact", "days_since_two_way", "tie_days", "active_weeks",
                 "usual_gap_days", "silence_ratio", "my_threads", "my_threads_answered", "their_threads",
                 "their_threads_answered", "channels")


def as_of_timestamp(as_of: date | None) -> tuple[date, float]:
    """The scoring moment: the start of the day after `as_of` (default today, UTC), so that a
    day's scores are identical however often they are recomputed."""
    day = as_of or datetime.now(UTC).date()
    moment = datetime.combine(day, time(0), tzinfo=UTC).timestamp() + 86400
    return day, moment


def _iso_day(now: float, days_ago: float) -> str | None:
    if not math.isfinite(days_ago):
        return None
    return datetime.fromtimestamp(now - days_ago * 86400, UTC).date().isoformat()


def _clean(x: float) -> float | None:
    return round(float(x), 3) if math.isfinite(x) else None


def channel_codes(known: list[str]) -> np.ndarray:
    """Scoring kind (index into CHANNELS) by [place of the channel in `known` (its last row: any other), the
    interaction's size up to 9] (the kind of a meeting depends on its size, up to 8 attendees)."""
    rows = [*known, "message"]
    return np.array([[CHANNELS.index(channel_kind(c, n)) for n in range(10)] for c in rows], dtype=np.int8)


def load_events(db: Store, now: float = np.inf, everyone: list[int] | None = None) -> Events:
    """Interaction rows before `now` as numpy columns (people: every person but me, by id, unless
    `everyone` is given), read in chunks so a million rows never sit in Python objects."""
    if everyone is None:
        everyone = [pid for pid, _ in score_store.people_ratings(db)]
    index = np.full(max(everyone, default=0) + 1, -1, dtype=np.int64)
    index[everyone] = np.arange(len(everyone))
    known = score_store.channels(db)
    codes = channel_codes(known)
    parts: list[list[np.ndarray]] = []
    for chunk in score_store.interaction_chunks(db, known):
        if not chunk:
            continue
        rows = np.array(chunk, dtype=np.int64)
        pid, ts, size = rows[:, 0], rows[:, 1], rows[:, 4]
        known_pid = pid < len(index)
        cols = [
            np.where(known_pid, index[np.minimum(pid, len(index) - 1)], -1), ts, rows[:, 2].astype(np.int8),
            codes[rows[:, 3], np.clip(size, 0, 9)], np.maximum(size, 1), rows[:, 5].astype(bool),
            rows[:, 6], rows[:, 7], rows[:, 8],
        ]
        keep = (cols[0] >= 0) & (ts < now)
        parts.append([col[keep] for col in cols])
    if not parts:
        return Events.empty(everyone)
    person, ts, direction, channel, size, bulk, item, parent, thread = (
        np.concatenate(x) for x in zip(*parts, strict=True)
    )
    return Events.from_columns(person, ts, direction, channel=channel, n_recipients=size, bulk=bulk, item=item,
                               parent=parent, thread=thread, people=everyone)


def compute(db: Store, as_of: date | None = None) -> dict[str, Any]:
    """Recompute and store every person's strength, tier and explanation; returns a summary."""
    day, now = as_of_timestamp(as_of)
    rated = score_store.people_ratings(db)
    everyone = [pid for pid, _ in rated]
    events = load_events(db, now, everyone)
    labels = model.labels_from_ratings([r for _, r in rated])
    rating = np.nan_to_num(labels * 2 - 1, nan=0.0)
    given, got = favor_counts(db, day, everyone)
    features = feat.compute(events, now, rating=rating, favors_given=given, favors_received=got)
    n_labels = int(np.isfinite(labels).sum())
    weights = model.DEFAULT_WEIGHTS
    fit_info: dict[str, Any] = {"fitted": False, "labels": n_labels}
    if n_labels >= model.MIN_LABELS:
        report = model.fit(features, labels)
        fit_info = {
            "fitted": report.fitted, "labels": report.n_labels, "positive": report.n_positive,
            "cv_accuracy": _clean(report.cv_accuracy), "cv_auc": _clean(report.cv_auc),
            "default_accuracy": _clean(report.default_accuracy), "default_auc": _clean(report.default_auc),
            "message": report.message,
        }
        if report.fitted:
            weights = report.weights
    scores = model.score(features, weights)
    back_tests = cal.cached(events, weights=weights)  # one set of back-tests for both probabilities
    calib = calibration(events, now, weights, back_tests)
    p_contact = calib(cal.window_scores(events, now, weights=weights)[1])
    lapse = lapse_model.lapse_at(events, now, weights=weights, sample=back_tests)
    p_lapse = np.full(len(everyone), np.nan)
    p_lapse[lapse.person] = lapse.p
    tier = tiers.assign(scores)
    fading = overdue(db, everyone, tier, features)
    kept = {name: features.column(name) for name in KEPT_FEATURES}
    out: list[dict[str, Any]] = []
    strength = np.round(scores.score, 1).tolist()
    for i, pid in enumerate(everyone):
        if tier[i] == "collected":  # never interacted: nothing to explain
            out.append({"person_id": pid, "strength": strength[i], "tier": "collected", "last_contact": None,
                        "last_two_way": None, "sent": 0, "received": 0, "fading": 0, "factors": NO_FACTORS,
                        "features": "{}", "p_contact_90d": None, "p_lapse_90d": None})
            continue
        factors = [{"factor": f, "points": round(p, 1)} for f, p in scores.top_factors(i, 5)]
        out.append({
            "person_id": pid, "strength": strength[i], "tier": str(tier[i]),
            "last_contact": _iso_day(now, float(features.days_since_contact[i])),
            "last_two_way": _iso_day(now, float(features.days_since_two_way[i])),
            "sent": int(features.n_out[i]), "received": int(features.n_in[i]), "fading": int(bool(fading[i])),
            "factors": json.dumps({"top": factors, "why": scores.explain(i)}),
            "features": json.dumps({k: _clean(v[i]) for k, v in kept.items()}),
            "p_contact_90d": round(float(p_contact[i]), 3),
            "p_lapse_90d": round(float(p_lapse[i]), 3) if math.isfinite(p_lapse[i]) else None,
        })
    counts = tiers.counts(tier)
    fit_info["calibration"] = calib.as_dict()
    fit_info["lapse_calibration"] = {**lapse.calibration.as_dict(), "active_ties": len(lapse.person),
                                     "recent_shift": round(lapse.recent_shift, 4)}
    run = {"computed_at": now_iso(), "as_of": day.isoformat(), "model": weights.source,
           "tiers": counts, "fit": fit_info}
    score_store.save(db, out, run)
    return {**run, "people": len(everyone), "interaction_rows": len(events)}


def overdue(db: Store, everyone: list[int], tier: np.ndarray, features: feat.Features) -> np.ndarray:
    """Fading as the weekly plan says it (`care.plan`), on the scoring day: ever two-way and silent past the
    keep-in-touch time (the person's own cadence, else the earlier of the tier's and twice the usual gap)."""
    defaults = care_store.cadence_defaults(db)
    own = {o["person"]: o["cadence_days"] for o in care_store.overrides(db)}
    out = np.zeros(len(everyone), dtype=bool)
    gaps, silent, two_way = features.usual_gap_days, features.days_since_contact, features.days_since_two_way
    for i, pid in enumerate(everyone):
        if not (math.isfinite(two_way[i]) and math.isfinite(silent[i])):
            continue
        due = care_plan.due_after({"tier": str(tier[i]), "cadence_days": own.get(pid),
                                   "usual_gap_days": _clean(float(gaps[i]))}, defaults)
        out[i] = due is not None and silent[i] >= due
    return out


def favor_counts(db: Store, day: date, everyone: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Favors given and got per person of `everyone` (in that order), recorded on or before `day`."""
    counts = favor_store.counts(db, day)
    pairs = np.array([counts.get(pid, (0, 0)) for pid in everyone], dtype=np.float64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def calibration(events: Events, now: float, weights: model.Weights | None = None,
                sample: cal.SampleSource | None = None) -> cal.Calibration:
    """The user's own calibration of score → probability of a two-way exchange within 90 days: the
    model back-tested monthly over the last two years, at cut-offs whose outcome is known by `now`
    (the evaluation's protocol), fitted monotonically; the documented default when too short.
    `sample`: the back-tests when the caller caches them (the lapse probability is fitted on the same)."""
    earliest = float(events.ts.min()) if len(events) else np.inf
    return cal.calibrate_at(now, cal.MONTHLY, sample or cal.cached(events, weights=weights), earliest=earliest)


def scores_day(db: Store, compute_if_missing: bool = False) -> date:
    """The day the app works in (a plan's day, a logged call's default day): the day pinned scores are for (an
    archive, a demo's reference day), else today. With `compute_if_missing`, the scores are made `ready` first."""
    if compute_if_missing:
        ready(db)
    run = score_store.last_run(db)
    return date.fromisoformat(run["as_of"]) if run is not None and pinned(run) else datetime.now(UTC).date()




def stale(db: Store) -> tuple[str, str] | None:
    """(the day the data ends, the scores' day) when the scores are for a day long after the data ends (an old
    archive scored as of today), else None."""
    run, newest = score_store.last_run(db), score_store.data_end(db)
    if run is None or newest is None:
        return None
    if date.fromisoformat(run["as_of"]) - date.fromisoformat(newest) <= timedelta(days=STALE_DAYS):
        return None
    return newest, run["as_of"]


def pinned(run: dict[str, Any]) -> bool:
    """Whether a score run was for a day before the one it ran on (`--as-of`, an archive, a demo's reference
    day): such scores keep their day. Others are live: they follow today."""
    return bool(run["as_of"] < run["computed_at"][:10])


def rescore(db: Store) -> dict[str, Any]:
    """Scores again after a change (a logged call, a merge, an import): as of the day the last scores were for
    when that day was pinned (an archive, the demo), else as of today."""
    run = score_store.last_run(db)
    return compute(db, date.fromisoformat(run["as_of"]) if run and pinned(run) else None)


def ready(db: Store) -> None:
    """Scores ready to read: computed as of today when there are none; live ones from an earlier day computed
    again as of today (a read-only database keeps them as they are); pinned ones as they are."""
    run = score_store.last_run(db)
    if run is None:
        compute(db, None)
    elif not pinned(run) and run["as_of"] < datetime.now(UTC).date().isoformat():
        with contextlib.suppress(InputError):  # read-only
            compute(db, None)
