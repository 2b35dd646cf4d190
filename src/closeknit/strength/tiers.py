"""Dunbar-like tiers (inner, close, favor list, active, dormant, collected-only) from scores and recency."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closeknit.strength.model import Scores

TIERS: tuple[str, ...] = ("inner", "close", "favor", "active", "dormant", "collected")


@dataclass(frozen=True, slots=True)
class TierRules:
    """Thresholds that decide tiers; Dunbar's layers (≈5 / 15 / 150) are only upper bounds.

    A person enters a tier by its own evidence — score, and a two-way contact recent enough —
    so a small or quiet network gets small tiers; when more people qualify than a layer
    holds, the highest scores keep it and the rest fall to the next tier. The layers nest:
    caps count everyone in that tier and the tiers above it.
    """

    inner_score: float = 65.0
    inner_two_way_days: float = 90.0
    close_score: float = 50.0
    close_two_way_days: float = 180.0
    favor_score: float = 35.0
    favor_two_way_days: float = 730.0  # has written back within two years: someone you could ask
    active_days: float = 365.0  # any contact within a year
    inner_cap: int = 5
    close_cap: int = 15
    favor_cap: int = 150


DEFAULT_RULES = TierRules()


def assign(scores: Scores, rules: TierRules | None = None) -> np.ndarray:
    """Tier name per person (numpy array of str), from `model.score(...)` output.

    collected: no interaction and no favor on record. dormant: interacted, but not within
    `active_days` and not on the favor list. A recorded favor (given or received) counts as
    two-way contact at any age for the favor list. Deterministic: equal scores are ordered by
    person index.
    """
    r = rules or DEFAULT_RULES
    f = scores.features
    s = scores.score
    P = len(s)
    favors = (f.favors_given + f.favors_received) > 0
    interacted = np.isfinite(f.days_since_contact) | favors
    two_way = np.nan_to_num(f.days_since_two_way, nan=np.inf)
    tier = np.full(P, "collected", dtype="<U9")
    tier[interacted] = "dormant"
    tier[interacted & (f.days_since_contact <= r.active_days)] = "active"

    order = np.lexsort((np.arange(P), -s))  # best first, ties by index
    taken = np.zeros(P, dtype=bool)
    layers = (
        ("inner", r.inner_score, r.inner_two_way_days, r.inner_cap, False),
        ("close", r.close_score, r.close_two_way_days, r.close_cap, False),
        ("favor", r.favor_score, r.favor_two_way_days, r.favor_cap, True),
    )
    for name, min_score, days, cap, favor_ok in layers:
        ok = interacted & ~taken & (s >= min_score) & ((two_way <= days) | (favors if favor_ok else False))
        room = cap - int(taken.sum())
        if room <= 0:
            continue
        chosen = order[ok[order]][:room]
        tier[chosen] = name
        taken[chosen] = True
    return tier


def counts(tiers: np.ndarray) -> dict[str, int]:
    """People per tier, in TIERS order (zeros included)."""
    return {t: int((tiers == t).sum()) for t in TIERS}
