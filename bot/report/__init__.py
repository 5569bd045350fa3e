"""`Report`: the platform-free result of one command, and its vocabulary."""

from bot.report.history import AppHistory, HistoryPoint
from bot.report.report import (
    FallbackReason,
    FollowUp,
    Report,
    ReportKind,
    Source,
    json_ready,
    opportunity_json,
)

__all__ = [
    "AppHistory",
    "FallbackReason",
    "FollowUp",
    "HistoryPoint",
    "Report",
    "ReportKind",
    "Source",
    "json_ready",
    "opportunity_json",
]
