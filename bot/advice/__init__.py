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
from bot.advice.opportunity import (
    WEIGHTS,
    ChartRanks,
    Opportunity,
    OpportunityScore,
    opportunity_score,
    why_line,
)
from bot.advice.review_themes import (
    THEMES,
    ReviewReading,
    ThemeRule,
    passage,
    read_review,
    review_language,
    theme_rule,
)
from bot.advice.scoring import (
    BUILD_SIMPLICITY,
    PART_MAX,
    STALE_DAYS,
    CloneScore,
    ScorePart,
    clone_score,
    demand_points,
    dissatisfaction_points,
    recent_figures,
    staleness_points,
)

__all__ = [
    "BUILD_SIMPLICITY",
    "PART_MAX",
    "STALE_DAYS",
    "THEMES",
    "WEIGHTS",
    "Advice",
    "ChartRanks",
    "CloneScore",
    "ComparedApp",
    "Opportunity",
    "OpportunityScore",
    "Quote",
    "ReviewEvidence",
    "ReviewReading",
    "ScorePart",
    "Theme",
    "ThemeRule",
    "VersionStats",
    "advise",
    "best_target",
    "clone_score",
    "compare_verdict",
    "cut_quote",
    "demand_points",
    "dissatisfaction_points",
    "opportunity_score",
    "passage",
    "read_review",
    "recent_figures",
    "review_language",
    "staleness_points",
    "summarise",
    "summarise_apps",
    "theme_rule",
    "why_line",
]
