"""Advice made without the model: the clone score, the evidence in customer reviews, and the
rule-based fallback advice."""

from bot.advice.evidence import (
    Quote,
    ReviewEvidence,
    Theme,
    VersionStats,
    cut_quote,
    summarise,
    summarise_apps,
)
from bot.advice.fallback import Advice, advise
from bot.advice.scoring import PART_MAX, CloneScore, ScorePart, clone_score

__all__ = [
    "PART_MAX",
    "Advice",
    "CloneScore",
    "Quote",
    "ReviewEvidence",
    "ScorePart",
    "Theme",
    "VersionStats",
    "advise",
    "clone_score",
    "cut_quote",
    "summarise",
    "summarise_apps",
]
