"""Dunbar-like tiers (inner, close, favor list, active, dormant, collected-only) from mutual contact."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closeknit.strength.features import FeatureParams
from closeknit.strength.model import Scores, mutual

TIERS: tuple[str, ...] = ("inner", "close", "favor", "active", "dormant", "collected")


@dataclass(frozen=True, slots=True)
class TierRules:
    """What puts a tie in a layer: how often both sides were in touch, not how high its score is.

    Dunbar's layers differ by how often people are in contact: the support clique (≈5) about
    weekly, the sympathy group (≈15) about monthly, and the layers further out less often
    (Hill & Dunbar 2003; Sutcliffe et al. 2012). A layer here asks for two-way contact — a week
    in which both sides wrote, or a 1:1/small meeting or call — in enough weeks a year, counted
    over the last two years (a tie you could ask a favor of is one kept up, not one busy
    month): inner ≥ 26 a year (every other week or more) with two-way contact within 90 days,
    close ≥ 12 (monthly) within 180 days, favor list ≥ 6 (every two months) within a year. A tie known for
    less than two years is judged on the weeks since it began (at least half a year: closeness
    takes time). Every layer also asks for a mutual tie (`model.mutual`): one-way mail never
    makes a layer.

    The score only ranks people inside a layer. Dunbar's sizes (5 / 15 / 150) are upper bounds,
    never quotas: a quiet network gets small layers; when more people qualify than a layer
    holds, the highest scores keep it and the rest fall to the next. Layers nest (caps count
    everyone in that tier and the tiers above it).
    """

    inner_weeks: float = 26.0
    inner_two_way_days: float = 90.0
    close_weeks: float = 12.0
    close_two_way_days: float = 180.0
    favor_weeks: float = 6.0
    favor_two_way_days: float = 365.0
    min_known_weeks: float = 26.0  # a tie younger than half a year is judged on half a year
    active_days: float = 365.0  # any contact within a year
    inner_cap: int = 5
    close_cap: int = 15
    favor_cap: int = 150


DEFAULT_RULES = TierRules()
YEAR_WEEKS = 52.0


def two_way_rate(scores: Scores, rules: TierRules | None = None) -> np.ndarray:
    """Two-way weeks per year over the last two years (`Features.two_way_weeks` per 52 weeks),
    for a tie known for less than that judged on the weeks since it began (at least
    `min_known_weeks`)."""
    r = rules or DEFAULT_RULES
    f = scores.features
    span = float(FeatureParams().tie_weeks)
    known = np.clip(np.nan_to_num(f.tie_days, nan=0.0, posinf=0.0) / 7.0, r.min_known_weeks, span)
    rate: np.ndarray = f.two_way_weeks * (YEAR_WEEKS / known)
    return rate


def assign(scores: Scores, rules: TierRules | None = None) -> np.ndarray:
    """Tier name per person (numpy array of str), from `model.score(...)` output.

    collected: no interaction and no favor on record. dormant: interacted, but not within
    `active_days` and not on the favor list. A recorded favor (given or received), or the
    user's own "strong"/"favor" rating, puts an interacted tie on the favor list whatever its
    rhythm; a "weak" rating keeps it off every layer. Deterministic: equal scores are ordered
    by person index.
    """
    r = rules or DEFAULT_RULES
    f = scores.features
    s = scores.score
    P = len(s)
    favors = (f.favors_given + f.favors_received) > 0
    interacted = np.isfinite(f.days_since_contact) | favors
    two_way = np.nan_to_num(f.days_since_two_way, nan=np.inf)
    rate = two_way_rate(scores, r)
    eligible = interacted & mutual(f) & (f.rating >= 0)
    vouched = interacted & (favors | (f.rating > 0))
    tier = np.full(P, "collected", dtype="<U9")
    tier[interacted] = "dormant"
    tier[interacted & (f.days_since_contact <= r.active_days)] = "active"

    order = np.lexsort((np.arange(P), -s))  # best first, ties by index
    taken = np.zeros(P, dtype=bool)
    layers = (
        ("inner", eligible & (rate >= r.inner_weeks) & (two_way <= r.inner_two_way_days), r.inner_cap),
        ("close", eligible & (rate >= r.close_weeks) & (two_way <= r.close_two_way_days), r.close_cap),
        ("favor", (eligible & (rate >= r.favor_weeks) & (two_way <= r.favor_two_way_days)) | vouched, r.favor_cap),
    )
    for name, qualifies, cap in layers:
        room = cap - int(taken.sum())
        if room <= 0:
            continue
        ok = qualifies & ~taken
        chosen = order[ok[order]][:room]
        tier[chosen] = name
        taken[chosen] = True
    return tier


def counts(tiers: np.ndarray) -> dict[str, int]:
    """People per tier, in TIERS order (zeros included)."""
    return {t: int((tiers == t).sum()) for t in TIERS}
