"""A command's progress while it is made: plan steps, then the answer's text as it grows."""

from bot.progress.feed import (
    Progress,
    ProgressFeed,
    ProgressListener,
    SharedFeeds,
    Step,
    StepKey,
    StepStatus,
)

__all__ = [
    "Progress",
    "ProgressFeed",
    "ProgressListener",
    "SharedFeeds",
    "Step",
    "StepKey",
    "StepStatus",
]
