"""Advice made without the model: the clone score, the evidence in customer reviews, and the
rule-based fallback advice."""

from bot.advice.comparison import ComparedApp, best_target, compare_verdict
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
    "ComparedApp",
    "Quote",
    "ReviewEvidence",
    "ScorePart",
    "Theme",
    "VersionStats",
    "advise",
    "best_target",
    "clone_score",
    "compare_verdict",
    "cut_quote",
    "summarise",
    "summarise_apps",
]
