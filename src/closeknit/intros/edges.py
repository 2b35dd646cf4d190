"""Estimated strength of a tie between two contacts, from the interactions they shared."""

from __future__ import annotations

import numpy as np

# A tie between two contacts is seen only through the mail and meetings the user was on with both:
# `weight` sums 1/(n − 1) over those shared interactions (n participants). Its strength, in (0, 1), is how
# surely they know each other (rising with the weight, soon saturating: a few small messages together are
# as telling as many) times how recently they were last together (halving every HALF_LIFE_DAYS). Form and
# constants chosen by owner-level cross-validation on the broker evaluation (`closeknit eval intros`,
# docs/brokers.md): recency matters far more than volume when naming who can introduce whom.
WEIGHT_SCALE = 0.1  # weight at which a tie is 1 − 1/e sure (one message among three people: weight 0.5)
HALF_LIFE_DAYS = 30.0  # days since they last shared an interaction that halve the strength
FLOOR = 1e-6  # the weakest edge still a path (−ln stays finite)


def edge_strength(weight: np.ndarray, shared: np.ndarray, days_since_last: np.ndarray) -> np.ndarray:
    """Per pair: (1 − exp(−weight / scale)) · 2^(−days / half-life), at least FLOOR."""
    sure = -np.expm1(-np.asarray(weight, dtype=np.float64) / WEIGHT_SCALE)
    fresh = np.exp2(-np.maximum(np.asarray(days_since_last, dtype=np.float64), 0.0) / HALF_LIFE_DAYS)
    del shared  # the count of shared interactions is kept for the explanation; the weight already holds it
    out: np.ndarray = np.maximum(sure * fresh, FLOOR)
    return out


def first_hop_strength(score: np.ndarray) -> np.ndarray:
    """The user's own tie to a contact as a path's first hop: the strength model's score / 100, at least
    FLOOR (a contact the user has no scored mail with gets the weakest strength)."""
    out: np.ndarray = np.maximum(np.asarray(score, dtype=np.float64) / 100.0, FLOOR)
    return out
