"""Trend watch on Slack: alerts and digests posted with `chat.postMessage`, and whether the bot
can post in a channel at all (it must be a member of a channel; DMs always work). A report's
chart (a watched app's history) is uploaded before the message and shared right after it, as
replies' charts are (`adapters/slack/files.py`)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from adapters.slack.clients import WorkspaceClients
from adapters.slack.files import ChartPlace, SlackCharts, share_chart, stage_chart
from adapters.slack.markup import render
from bot.report import Report
from bot.views import reply_view
from bot.watch import ChannelUnreachable, WatchChannel

log = logging.getLogger(__name__)

# Errors after which posting in that channel cannot work until someone changes something.
UNREACHABLE = {
    "not_in_channel": "Trend Scout is not in this channel",
    "channel_not_found": "Trend Scout cannot see this channel",
    "is_archived": "this channel is archived",
    "restricted_action": "this channel does not let apps post",
    "access_denied": "Trend Scout may not post in this channel",
}
INVITE = "invite it with `/invite @Trend Scout` so that alerts and digests can be posted here."


class SlackChannelPoster:
    """Posts in each watch's channel with the token of the watch's own workspace."""

    def __init__(self, clients: WorkspaceClients) -> None:
        self.clients = clients  # their retry handler waits out 429s (chat.postMessage ~1/s)

    async def post(self, channel: WatchChannel, report: Report) -> None:
        client = self.clients.for_team(channel.workspace)
        place = ChartPlace(SlackCharts(client), channel.channel)
        view, staged = await stage_chart(place, reply_view(report))
        try:
            await client.chat_postMessage(
                channel=channel.channel, unfurl_links=False, **render(view).payload()
            )
        except SlackApiError as exc:
            error = _error(exc)
            if error in UNREACHABLE:
                raise ChannelUnreachable(UNREACHABLE[error]) from None
            raise
        await share_chart(place, staged)

    async def problem(self, channel: WatchChannel) -> str | None:
        if channel.channel.startswith("D"):
            return None  # the bot's own DM with the user
        try:
            client = self.clients.for_team(channel.workspace)
            info = await client.conversations_info(channel=channel.channel)
        except SlackApiError as exc:
            error = _error(exc)
            reason = UNREACHABLE.get(
                error, f"Slack would not say whether it can post here ({error})"
            )
            return f"{reason}: {INVITE}"
        found = info.get("channel") or {}
        if isinstance(found, dict) and found.get("is_member") is False:
            return f"{UNREACHABLE['not_in_channel']} yet: {INVITE}"
        return None


def _error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the body was not Slack's JSON."""
    data = exc.response.data
    if isinstance(data, dict):
        return str(data.get("error") or "")
    return f"HTTP {exc.response.status_code}"
