"""`Report`: the platform-free result of one command, and its vocabulary."""

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
    "FallbackReason",
    "FollowUp",
    "Report",
    "ReportKind",
    "Source",
    "json_ready",
    "opportunity_json",
]
