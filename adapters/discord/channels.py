"""Trend watch on Discord: alerts and digests posted as channel messages (embeds and buttons,
no pings), and whether the bot can post in a channel (it must see it and may send there). A
report's chart is attached to its first message, as replies' charts are; refused (no Attach
Files permission, too large), the message goes without it and its footer says why."""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.markup import DiscordMessage, render
from adapters.discord.outbox import NO_PINGS, ChartFile, buttons_for, chart_refusal
from bot.charts import render_chart
from bot.report import Report
from bot.views import reply_view
from bot.watch import ChannelUnreachable, WatchChannel

log = logging.getLogger(__name__)

CANNOT_SEE = (
    "Trend Scout cannot see this channel, so alerts and digests cannot be posted here: give it "
    "the View Channel and Send Messages permissions."
)
CANNOT_SEND = (
    "Trend Scout may not send messages in this channel, so alerts and digests cannot be posted "
    "here: give it the Send Messages permission."
)


class DiscordChannelPoster:
    def __init__(self, client: discord.Client) -> None:
        self.client = client  # discord.py's HTTP client keeps to the per-route rate limits

    async def _channel(self, channel: WatchChannel) -> Any:
        found = self.client.get_channel(int(channel.channel))
        if found is not None:
            return found
        return await self.client.fetch_channel(int(channel.channel))

    async def post(self, channel: WatchChannel, report: Report) -> None:
        try:
            target = await self._channel(channel)
            reply = reply_view(report)
            chart = None
            if reply.chart is not None:
                try:
                    chart = ChartFile(await render_chart(reply.chart), reply.chart.alt_text)
                except Exception as exc:
                    log.warning("chart not shown on Discord: not drawn (%s)", type(exc).__name__)
                    reply = reply.without_chart("it could not be drawn")
            messages = render(reply)
            view = buttons_for(reply)
            for index, message in enumerate(messages):
                buttons = view if index == len(messages) - 1 else None
                try:
                    await self._send(target, message, buttons, chart)
                except discord.HTTPException as exc:
                    reason = chart_refusal(exc)
                    if reason is None or chart is None or not message.shows_chart:
                        raise
                    log.warning("chart not shown on Discord: HTTP %s", exc.status)
                    await self._send(target, render(reply.without_chart(reason))[index], buttons)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelUnreachable(f"Discord refused ({exc.status})") from None

    @staticmethod
    async def _send(
        target: Any,
        message: DiscordMessage,
        view: discord.ui.View | None,
        chart: ChartFile | None = None,
    ) -> None:
        files = [chart.file()] if chart is not None and message.shows_chart else []
        await target.send(
            content=message.content,
            embeds=message.embeds,
            view=view if view is not None else discord.utils.MISSING,
            allowed_mentions=NO_PINGS,
            files=files or discord.utils.MISSING,
        )

    async def problem(self, channel: WatchChannel) -> str | None:
        try:
            target = await self._channel(channel)
        except (discord.Forbidden, discord.NotFound):
            return CANNOT_SEE
        except discord.HTTPException as exc:
            log.info("could not check a Discord channel (%s)", exc.status)
            return None
        guild = getattr(target, "guild", None)
        me = guild.me if guild is not None else None
        if me is not None and not target.permissions_for(me).send_messages:
            return CANNOT_SEND
        return None
