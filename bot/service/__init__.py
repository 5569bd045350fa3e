"""Answering commands: the App Store facts behind them, the model or rule-based advice, the
cache; follow-up questions with the look-ups as the model's tools (which other ways in, such as
the MCP server, call by name too)."""

from bot.service.facts import REPORT_KINDS, FactFinder, Facts, no_match
from bot.service.follow_ups import FollowUps
from bot.service.model_tools import TOOLS, ModelTools, app_named
from bot.service.recommendations import RecommendationService

__all__ = [
    "REPORT_KINDS",
    "TOOLS",
    "FactFinder",
    "Facts",
    "FollowUps",
    "ModelTools",
    "RecommendationService",
    "app_named",
    "no_match",
]
