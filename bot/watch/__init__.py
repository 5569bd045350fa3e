"""Trend watch: what channels watch, the scheduled checks that compare the App Store with the
last snapshots, the alerts they post (one message per channel per check) and the weekly digest."""

from bot.watch.alerts import AppSnapshot, ChartSnapshot, app_alerts, chart_alerts, review_surge
from bot.watch.check import CheckResult, WatchCheck, WatchSource, calls_per_check
from bot.watch.digest import DigestWriter, digest_slot
from bot.watch.model import (
    MAX_WATCHES_PER_CHANNEL,
    MAX_WATCHES_PER_WORKSPACE,
    Alert,
    AlertKind,
    Watch,
    WatchChannel,
    WatchKind,
)
from bot.watch.posting import ChannelPoster, ChannelUnreachable, post_pending
from bot.watch.schedule import WEEKDAYS, WatchScheduler, WatchSettings
from bot.watch.store import Added, WatchStore
from bot.watch.watchlist import Watchlist

__all__ = [
    "MAX_WATCHES_PER_CHANNEL",
    "MAX_WATCHES_PER_WORKSPACE",
    "WEEKDAYS",
    "Added",
    "Alert",
    "AlertKind",
    "AppSnapshot",
    "ChannelPoster",
    "ChannelUnreachable",
    "ChartSnapshot",
    "CheckResult",
    "DigestWriter",
    "Watch",
    "WatchChannel",
    "WatchCheck",
    "WatchKind",
    "WatchScheduler",
    "WatchSettings",
    "WatchSource",
    "WatchStore",
    "Watchlist",
    "app_alerts",
    "calls_per_check",
    "chart_alerts",
    "digest_slot",
    "post_pending",
    "review_surge",
]
