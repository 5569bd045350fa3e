"""Posting into channels without a command to answer: the port adapters implement, and the sweep
that posts a channel's pending alerts as one message and marks them posted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from bot.report import Report
from bot.watch.history import AppHistories, with_history
from bot.watch.messages import alerts_report
from bot.watch.model import Alert, WatchChannel
from bot.watch.store import WatchStore

log = logging.getLogger(__name__)


class ChannelUnreachable(Exception):
    """The bot cannot post in that channel (not in it, or it is gone); `str()` says why, in a
    sentence fit for the user."""


class ChannelPoster(Protocol):
    """One platform's way of posting a report in a channel (Slack chat.postMessage, Discord
    channel messages, the console's terminal)."""

    async def post(self, channel: WatchChannel, report: Report) -> None:
        """Post it; `ChannelUnreachable` when the bot cannot post there."""
        ...

    async def problem(self, channel: WatchChannel) -> str | None:
        """Why alerts could not be posted in that channel now, or None when they can."""
        ...


async def post_pending(
    store: WatchStore,
    posters: Mapping[str, ChannelPoster],
    now: float,
    histories: AppHistories | None = None,
) -> int:
    """Post every channel's pending alerts (one message per channel, with the history chart of
    the first app that moved); how many were posted. A channel the bot cannot reach has its
    alerts dropped; a platform error leaves them for the next sweep."""
    posted = 0
    pending = await store.pending_alerts(posters)
    for channel, found in pending.items():
        ids = [alert_id for alert_id, _alert in found]
        alerts = [alert for _id, alert in found]
        report = alerts_report(alerts)
        if histories is not None:
            report = await with_history(report, histories, first_app(alerts))
        try:
            await posters[channel.platform].post(channel, report)
        except ChannelUnreachable as exc:
            log.warning("alerts for a %s channel dropped: %s", channel.platform, exc)
        except Exception:
            log.exception("could not post alerts in a %s channel; will retry", channel.platform)
            continue
        else:
            posted += len(ids)
        await store.mark_posted(ids, now)
    return posted


def first_app(alerts: list[Alert]) -> tuple[int, str, str] | None:
    """The first watched app among `alerts` (chart alerts name apps nobody may watch)."""
    for alert in alerts:
        if alert.genre_id is None:
            return alert.track_id, alert.country, alert.app_name
    return None
