"""Advice made without the model: the clone score and the rule-based fallback advice."""

from bot.advice.fallback import Advice, advise
from bot.advice.scoring import PART_MAX, CloneScore, ScorePart, clone_score

__all__ = ["PART_MAX", "Advice", "CloneScore", "ScorePart", "advise", "clone_score"]
