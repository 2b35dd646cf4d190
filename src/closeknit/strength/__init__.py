"""Tie strength: interaction events, per-person features, the explainable score, tiers, evaluation."""

from closeknit.strength.events import CHANNELS, DIRECTIONS, Events, Message, Row, channel_kind, link_replies
from closeknit.strength.features import FeatureParams, Features, compute, shared_contacts
from closeknit.strength.model import (
    DEFAULT_POINTS,
    DEFAULT_WEIGHTS,
    FACTORS,
    FitReport,
    Scores,
    Weights,
    explain,
    fit,
    labels_from_ratings,
    score,
)
from closeknit.strength.tiers import TIERS, TierRules, assign, counts

__all__ = [
    "CHANNELS",
    "DEFAULT_POINTS",
    "DEFAULT_WEIGHTS",
    "DIRECTIONS",
    "FACTORS",
    "TIERS",
    "Events",
    "FeatureParams",
    "Features",
    "FitReport",
    "Message",
    "Row",
    "Scores",
    "TierRules",
    "Weights",
    "assign",
    "channel_kind",
    "compute",
    "counts",
    "explain",
    "fit",
    "labels_from_ratings",
    "link_replies",
    "score",
    "shared_contacts",
]
