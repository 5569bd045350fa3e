"""A running scan's plan steps, shared by everyone waiting for it: a user who asks for the same
market while it is being scanned is shown the steps so far at once, then the rest."""

from __future__ import annotations

from bot.progress import ProgressFeed, StepKey, StepStatus


class ScanProgress:
    """One scan's steps, shown on the feed of everyone following it (late followers are shown
    the steps so far at once)."""

    def __init__(self) -> None:
        self.feeds: list[ProgressFeed] = []
        self.steps: dict[StepKey, tuple[str, StepStatus, str]] = {}

    def follow(self, feed: ProgressFeed | None) -> None:
        if feed is None or feed in self.feeds:
            return
        self.feeds.append(feed)
        for key, (title, status, detail) in self.steps.items():
            feed.step(key, title, status, detail)

    def step(
        self, key: StepKey, title: str, status: StepStatus = StepStatus.RUNNING, detail: str = ""
    ) -> None:
        self.steps[key] = (title, status, detail)
        for feed in self.feeds:
            feed.step(key, title, status, detail)

    def finish(self, key: StepKey, status: StepStatus, detail: str) -> None:
        self.step(key, self.steps[key][0], status, detail)
