"""Estimated strength of a tie between two contacts, from the interactions they shared."""

from __future__ import annotations

import numpy as np

# A tie between two contacts is seen only through the mail and meetings the user was on with both:
# `weight` sums 1/(n − 1) over those shared interactions (n participants). Its strength, in (0, 1),
# rises with that weight and fades with the days since they last shared one.
WEIGHT_SCALE = 1.0  # weight at which a fresh tie reaches 1 − 1/e
HALF_LIFE_DAYS = 180.0  # days of silence that halve the evidence
FLOOR = 1e-6  # the weakest edge still a path (−ln stays finite)


def edge_strength(weight: np.ndarray, shared: np.ndarray, days_since_last: np.ndarray) -> np.ndarray:
    """Per pair: 1 − exp(−weight·2^(−days/half-life) / scale), at least FLOOR."""
    w = np.asarray(weight, dtype=np.float64) * np.exp2(-np.maximum(np.asarray(days_since_last, dtype=np.float64), 0.0)
                                                       / HALF_LIFE_DAYS)
    del shared  # the count of shared interactions is kept for the explanation; the weight already holds it
    out: np.ndarray = np.maximum(-np.expm1(-w / WEIGHT_SCALE), FLOOR)
    return out


def first_hop_strength(score: np.ndarray) -> np.ndarray:
    """The user's tie to a contact as a path's first hop: the strength model's score / 100, at least FLOOR."""
    out: np.ndarray = np.maximum(np.asarray(score, dtype=np.float64) / 100.0, FLOOR)
    return out
