"""Trend watch values: what a channel watches, what a check saw, and what moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

MAX_WATCHES_PER_CHANNEL = 20
MAX_WATCHES_PER_WORKSPACE = 100


@dataclass(frozen=True)
class WatchChannel:
    """Where alerts and digests go: a Slack channel or DM, a Discord channel, the console."""

    platform: str
    workspace: str  # "" where there is none (a Discord DM, the console)
    channel: str


class WatchKind(Enum):
    APP = "app"
    CATEGORY = "category"


@dataclass(frozen=True)
class Watch:
    channel: WatchChannel
    kind: WatchKind
    target: int  # the app's track id, or the category's genre id
    country: str
    name: str  # the app's or category's name when it was watched

    @property
    def label(self) -> str:
        what = self.name if self.kind is WatchKind.APP else f"{self.name} charts"
        return f"{what} ({self.country.upper()})"


class AlertKind(Enum):
    RATING_DOWN = "rating_down"
    VERSION_RATING_DOWN = "version_rating_down"
    NEW_VERSION = "new_version"
    PRICE_CHANGE = "price_change"
    REVIEW_SURGE = "review_surge"
    CHART_ENTERED = "chart_entered"
    CHART_LEFT = "chart_left"
    CHART_MOVED = "chart_moved"


@dataclass(frozen=True)
class Alert:
    """One thing that moved, with its numbers; `text` is the Markdown line users read
    (App Store text in it is untrusted: adapters sanitise it like every reply)."""

    kind: AlertKind
    track_id: int  # the app that moved
    app_name: str
    country: str
    text: str
    genre_id: int | None = None  # chart alerts: the watched category
    numbers: dict[str, float | int | str | None] = field(default_factory=dict)
