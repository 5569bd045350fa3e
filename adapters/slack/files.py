"""Charts on Slack, with the files API that `files_upload_v2` uses, in two halves around the
reply so that the text always goes first and a chart can never cost it:

- `stage`, before the reply: is the bot in the channel (`conversations.info`, for slash
  commands), the chart drawn off the loop, `files.getUploadURLExternal` (filename, length, alt
  text) and the PNG's bytes POSTed to the returned URL. What Slack refuses here — no
  `files:write` scope, a bad token, a file too large, a channel the bot is not in — is known
  before the reply is posted, so the reply's footer can say why the chart is missing.
- `share`, after the reply: `files.completeUploadExternal` with the channel (and the thread)
  shows the chart right under the reply. A refusal now is logged; the reply is already out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.charts import Chart, render_chart
from bot.views import ReplyView

log = logging.getLogger(__name__)

MAX_BYTES = 5_000_000  # far above any chart (~60 KB); a picture past it is not sent at all
BAD_TOKEN = "Slack refused Trend Scout's token for uploading files"
INVITE = "Trend Scout is not in this channel — `/invite @Trend Scout` to see charts here"
TOO_LARGE = "the picture was larger than Slack accepts"
REFUSALS = {
    "missing_scope": (
        "Trend Scout's Slack app lacks the `files:write` permission — "
        "reinstall it from its settings page to see charts"
    ),
    "not_in_channel": INVITE,
    "channel_not_found": "Trend Scout cannot post pictures in this conversation",
    "is_archived": "this channel is archived",
    "restricted_action": "this workspace does not let apps post files here",
    "file_uploads_disabled": "this workspace has turned file uploads off",
    "invalid_auth": BAD_TOKEN,
    "not_authed": BAD_TOKEN,
    "token_revoked": BAD_TOKEN,
    "account_inactive": BAD_TOKEN,
    "file_too_large": TOO_LARGE,
}


class ChartRefused(Exception):
    """Slack would not take or show the chart: `code` for the log, `reason` for the reader."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.reason = REFUSALS.get(code, f"Slack refused it ({code})")


@dataclass(frozen=True)
class StagedChart:
    """A chart uploaded to Slack but not yet shown anywhere."""

    file_id: str
    title: str


class SlackCharts:
    def __init__(self, client: AsyncWebClient, max_bytes: int = MAX_BYTES) -> None:
        self.client = client
        self.max_bytes = max_bytes

    async def stage(self, chart: Chart, channel: str, check_channel: bool) -> StagedChart:
        """Render and upload `chart` for `channel` (`check_channel`: first make sure the bot
        may post there); `ChartRefused` when Slack would not take it."""
        if check_channel:
            await self._check(channel)
        png = await render_chart(chart)
        if len(png) > self.max_bytes:
            raise ChartRefused("file_too_large")
        response = await self._call(
            self.client.files_getUploadURLExternal(
                filename=chart.filename, length=len(png), alt_txt=chart.alt_text
            )
        )
        url, file_id = str(response.get("upload_url") or ""), str(response.get("file_id") or "")
        if not url or not file_id:
            raise ChartRefused("invalid_upload_url")
        status = await self._post_bytes(url, png)
        if status == 413:
            raise ChartRefused("file_too_large")
        if status != 200:
            raise ChartRefused(f"upload HTTP {status}")
        return StagedChart(file_id, chart.title)

    async def _post_bytes(self, url: str, png: bytes) -> int:
        """The PNG's raw bytes POSTed to the upload URL Slack issued, as `files_upload_v2`
        does (the URL carries its own authorisation: the bot's token is not sent there)."""
        timeout = aiohttp.ClientTimeout(total=self.client.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, data=png, proxy=self.client.proxy, ssl=self.client.ssl) as answer,
        ):
            await answer.read()
            return answer.status

    async def share(self, staged: StagedChart, channel: str, thread: str | None) -> None:
        """Show the uploaded chart in `channel` (in `thread`, when the reply is in one)."""
        files: list[dict[str, str | None]] = [{"id": staged.file_id, "title": staged.title}]
        await self._call(
            self.client.files_completeUploadExternal(
                files=files, channel_id=channel, thread_ts=thread
            )
        )

    async def _check(self, channel: str) -> None:
        try:
            info = await self._call(self.client.conversations_info(channel=channel))
        except ChartRefused as refused:
            if refused.code == "missing_scope":  # no channels:read: the upload will tell
                return
            raise
        found = info.get("channel") or {}
        is_im = isinstance(found, dict) and found.get("is_im")
        if isinstance(found, dict) and not is_im and found.get("is_member") is False:
            raise ChartRefused("not_in_channel")

    @staticmethod
    async def _call(request: Awaitable[AsyncSlackResponse]) -> dict[str, Any]:
        try:
            response = await request
        except SlackApiError as exc:
            data = exc.response.data
            code = data.get("error") if isinstance(data, dict) else None
            raise ChartRefused(str(code or f"HTTP {exc.response.status_code}")) from None
        return dict(response.data) if isinstance(response.data, dict) else {}


@dataclass(frozen=True)
class ChartPlace:
    """Where a message's chart is shown: its channel, and its thread when the message is in one
    (`check`: first ask whether the bot is in the channel — a slash command's reply goes
    through its response_url, which works where the bot is not)."""

    charts: SlackCharts
    channel: str
    thread: str | None = None
    check: bool = False


async def stage_chart(
    place: ChartPlace | None, view: ReplyView
) -> tuple[ReplyView, StagedChart | None]:
    """Before a message: its chart drawn and uploaded; when Slack will not take it, the message
    without it, its footer saying why (logged once)."""
    if view.chart is None:
        return view, None
    if place is None:  # nowhere known to show it (e.g. a reply another worker took over)
        return view.without_chart(), None
    try:
        staged = await place.charts.stage(view.chart, place.channel, place.check)
    except ChartRefused as refused:
        log.warning("chart not shown on Slack: %s", refused.code)
        return view.without_chart(refused.reason), None
    except Exception as exc:  # drawing or the network: the message goes without it
        log.warning("chart not shown on Slack: could not upload it (%s)", type(exc).__name__)
        return view.without_chart("it could not be uploaded"), None
    return view, staged


async def share_chart(place: ChartPlace | None, staged: StagedChart | None) -> None:
    """After the message: its uploaded chart shown under it. The message is out, so a refusal
    is only logged (once); it never raises."""
    if place is None or staged is None:
        return
    try:
        await place.charts.share(staged, place.channel, place.thread)
    except ChartRefused as refused:
        log.warning("chart not shown on Slack after the message: %s", refused.code)
    except Exception as exc:
        log.warning("chart not shown on Slack after the message (%s)", type(exc).__name__)
