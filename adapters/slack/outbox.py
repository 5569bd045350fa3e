"""Where a Slack reply goes, live while it is being made and complete at the end.

- `ThreadReply` (mentions): Slack's native AI streaming — `chat.startStream` with the plan as
  tasks, `chat.appendStream` with new tasks and whole lines of text (Tier 4, within a workspace
  budget), `chat.stopStream` with the rest of the text and the final blocks (facts, score,
  evidence, buttons). Where Slack refuses a native stream, one message edited with `chat.update`
  (Tier 3) at most every 1.5 s and replaced by the full reply.
- `ResponseUrlReply` (slash commands and buttons): a slash command's private "Scouting…" note is
  replaced by the plan and, once, by the text so far (2 of the `response_url`'s 5 uses), then the
  answer is posted in the channel and the note deleted — a use is always left for an apology.
A live message is always ended: by the final reply, else by the apology.

A reply with a chart (`ReplyView.chart`) has it staged before the text goes out and shared
right after it, under the reply (`adapters/slack/files.py`); a chart Slack refuses is named in
the reply's footer, and one that fails after the reply is only logged: the text is never held
back, posted twice or retried for a picture.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.port import LOOP_CLOCK, Clock, LiveReply, RateBudgets
from adapters.slack.files import ChartPlace, SlackCharts, share_chart, stage_chart
from adapters.slack.markup import (
    SlackMessage,
    apology,
    escape,
    plain,
    progress_message,
    render,
    streamed_text,
    task_chunks,
)
from bot.intake import Turn
from bot.progress import Progress, Step
from bot.report import Report, Source
from bot.views import ReplyView, continuation, reply_view, whole_lines

log = logging.getLogger(__name__)

# Errors with which Slack refuses a message's form rather than the request.
FORM_ERRORS = frozenset({"invalid_blocks", "msg_too_long", "msg_blocks_too_long"})
APPEND_INTERVAL = 1.0  # seconds between appends to one stream
UPDATE_INTERVAL = 1.5  # between `chat.update`s of one message (Tier 3)
STEP_INTERVAL = 3.0  # a change of plan alone waits longer: the workspace's budget is for text
FIRST_TEXT_PAUSE = 0.3  # between the plan and the first text
RESPONSE_URL_DRAWS = 2  # of a response_url's 5 uses: plan, text; then answer, clean-up/apology
RESPONSE_URL_INTERVAL = 3.0
BROKE_OFF = "\n\n_The model's answer broke off here._"


class ReplyRejected(Exception):
    """Slack refused a reply sent through a `response_url`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error.strip()


class SlackLimits:
    """The workspace-wide budgets that every live reply of one process shares: half of a tier
    at once and half per minute, so no minute ever goes over it (Tier 4: 100 a minute,
    Tier 3: 50)."""

    def __init__(self, clock: Clock = LOOP_CLOCK) -> None:
        self.append = RateBudgets(capacity=50, per_minute=50, clock=clock)  # appendStream, Tier 4
        self.update = RateBudgets(capacity=25, per_minute=25, clock=clock)  # chat.update, Tier 3


def slack_place(channel: str, thread: str | None) -> str:
    """A conversation's place: a DM as a whole (every message in it goes on), else a thread."""
    return f"dm:{channel}" if channel.startswith("D") else f"{channel}:{thread}"


def rejection(error: Exception) -> str | None:
    if isinstance(error, ReplyRejected):
        reason: Any = error.error
    elif isinstance(error, SlackApiError):
        reason = error.response.get("error")
    else:
        return None
    return reason if reason in FORM_ERRORS else None


class SlackReply:
    """A reply in Block Kit; `_post` says where it goes."""

    def __init__(self, turn: Turn, chart_place: ChartPlace | None = None) -> None:
        self._turn = turn
        self._refresh = turn.refresh_text  # what the Refresh button sends
        self._live: LiveReply | None = None
        self._chart_place = chart_place  # None: no charts (e.g. a recovered reply)
        self.feedback = False  # offer 👍/👎 under a model's answer (votes can be kept)
        self.on_sent: Callable[[Report], None] | None = None  # told of the delivered report

    def _view(self, report: Report) -> ReplyView:
        view = reply_view(report, self._refresh)
        return view if self.feedback else replace(view, feedback_id=None)

    def live(self) -> LiveReply | None:
        return None

    def place(self) -> str | None:
        return None  # a response_url's message cannot be followed up: its thread is unknown

    async def _post(self, message: SlackMessage, private: bool) -> None:
        raise NotImplementedError

    async def send(self, report: Report) -> None:
        view, staged = await stage_chart(self._chart_place, self._view(report))
        try:
            await self._final(report, view, table=True)
        except Exception as exc:
            # Workspaces without table blocks refuse them: the comparison goes as fields.
            if not report.comparison or rejection(exc) != "invalid_blocks":
                raise
            log.info("Slack refused the comparison table; sending it as fields")
            await self._final(report, view, table=False)
        await share_chart(self._chart_place, staged)  # under the reply, now that it is out
        if self.on_sent is not None:
            self.on_sent(report)

    async def _final(self, report: Report, view: ReplyView, table: bool) -> None:
        await self._post(render(view, table=table), report.is_reply_private)

    def rejection(self, error: Exception) -> str | None:
        return rejection(error)

    async def send_plain(self, report: Report) -> None:
        await self._post(plain(reply_view(report)), report.is_reply_private)
        if self.on_sent is not None:
            self.on_sent(report)

    async def apologise(self, report: Report | None) -> None:
        await self._post(apology(report), True)

    async def tidy(self) -> None:
        return None  # nothing but the reply was shown


class ResponseUrlReply(SlackReply):
    """Replies through the command's `response_url`: in the channel, or only to its author."""

    def __init__(
        self,
        respond: Any,
        turn: Turn,
        progress: bool = True,
        note: bool = False,
        *,
        clock: Clock = LOOP_CLOCK,
        chart_place: ChartPlace | None = None,
    ) -> None:
        super().__init__(turn, chart_place)
        self._respond = respond
        self._clock = clock  # the live note's pace
        self._progress = progress  # a button's response_url would replace the answer it is on
        # A slash command's "Scouting…" note that another worker left: deleted after the answer.
        self._stale_note = note

    def live(self) -> LiveReply | None:
        if not (self._progress and self._turn.needs_work):
            return None
        self._live = LiveReply(
            self._draw, RESPONSE_URL_INTERVAL, max_draws=RESPONSE_URL_DRAWS, clock=self._clock
        )
        return self._live

    async def _draw(self, progress: Progress) -> None:
        message = progress_message(self._turn.subject, progress)
        await self._call(replace_original=True, **_ephemeral(message))

    async def _post(self, message: SlackMessage, private: bool) -> None:
        visibility = "ephemeral" if private else "in_channel"
        await self._call(response_type=visibility, replace_original=False, **message.payload())

    async def tidy(self) -> None:
        shown = self._live is not None and self._live.shown
        if shown or self._stale_note:  # the note showed progress: now done
            try:
                await self._call(delete_original=True)
            except Exception as exc:  # the answer is out; a stale note is only untidy
                log.info("could not delete the progress note (%s)", exc)

    async def _call(self, **arguments: Any) -> None:
        response = await self._respond(**arguments)
        if response.status_code != 200:  # webhooks report errors in the body, not by raising
            raise ReplyRejected(response.body or f"HTTP {response.status_code}")


def _ephemeral(message: SlackMessage) -> dict[str, Any]:
    return {"response_type": "ephemeral", **message.payload()}


class ThreadReply(SlackReply):
    """Replies in the thread of a mention, streamed: a mention is a conversation, so even
    private replies go there."""

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread: str,
        turn: Turn,
        limits: SlackLimits,
        opened: Callable[[str], Awaitable[None]] | None = None,
        *,
        clock: Clock = LOOP_CLOCK,
        charts: SlackCharts | None = None,
    ) -> None:
        place = ChartPlace(charts, channel, thread) if charts is not None else None
        super().__init__(turn, place)
        self._client, self._channel, self._thread = client, channel, thread
        self._limits = limits
        self._clock = clock  # the live message's pace
        self._opened = opened  # told the live message's ts (the journal keeps it)
        self._stale_stream = False  # the live message is another worker's, maybe still streaming
        self._team = turn.caller.workspace or ""
        self._ts: str | None = None  # the live message, once there is one
        self._streaming = False  # a native stream is open on it
        self._shown = ""  # the model text appended to the stream (whole lines)
        self._shown_safe = ""  # …as the stream shows it (each append made safe)
        self._tasks: dict[str, dict[str, Any]] = {}  # the plan as the stream shows it

    def place(self) -> str:
        return slack_place(self._channel, self._thread)

    def take_over(self, ts: str) -> None:
        """Make another worker's live message (it died) this reply's message."""
        self._ts, self._stale_stream = ts, True

    async def _end_stale_stream(self) -> None:
        """Stop the stream a dead worker left open, so the message can be updated."""
        if not self._stale_stream:
            return
        self._stale_stream = False
        try:
            await self._client.chat_stopStream(channel=self._channel, ts=self._ts)
        except SlackApiError as exc:  # not streaming any more, or never was: fine
            log.info("the earlier live message was not streaming (%s)", exc.response.get("error"))

    def live(self) -> LiveReply | None:
        if not self._turn.needs_work:
            return None
        budget = self._limits.append[self._team]
        self._live = LiveReply(
            self._draw,
            APPEND_INTERVAL,
            budget,
            step_interval=STEP_INTERVAL,
            first_text_pause=FIRST_TEXT_PAUSE,
            clock=self._clock,
        )
        return self._live

    async def _draw(self, progress: Progress) -> None:
        await self._end_stale_stream()
        if self._ts is None:
            await self._open(progress)
        elif self._streaming:
            await self._append(progress)
        else:
            message = progress_message(self._turn.subject, progress)
            await self._client.chat_update(channel=self._channel, ts=self._ts, **message.payload())

    async def _open(self, progress: Progress) -> None:
        chunks, lines = self._changes(progress)
        try:
            response = await self._client.chat_startStream(
                channel=self._channel,
                thread_ts=self._thread,
                recipient_team_id=self._team,
                recipient_user_id=self._turn.caller.user_id,
                task_display_mode="plan",
                chunks=[
                    {"type": "plan_update", "title": f"Scouting {escape(self._turn.subject)}"},
                    *chunks,
                ],
            )
        except SlackApiError as exc:
            log.info(
                "Slack refused a native stream (%s); editing one message instead",
                exc.response.get("error"),
            )
            await self._open_message(progress)
            return
        self._ts, self._streaming = str(response["ts"]), True
        self._sent(chunks, lines)
        await self._tell_opened()

    async def _open_message(self, progress: Progress) -> None:
        message = progress_message(self._turn.subject, progress)
        response = await self._client.chat_postMessage(
            channel=self._channel, thread_ts=self._thread, unfurl_links=False, **message.payload()
        )
        self._ts = str(response["ts"])
        assert self._live is not None
        self._live.interval = self._live.step_interval = UPDATE_INTERVAL
        self._live.budget = self._limits.update[self._team]
        await self._tell_opened()

    async def _tell_opened(self) -> None:
        if self._opened is not None and self._ts is not None:
            await self._opened(self._ts)

    def _changes(self, progress: Progress) -> tuple[list[dict[str, Any]], str]:
        """The chunks that bring the stream up to `progress` (changed tasks, new whole lines),
        and the text it then shows. Kept by `_sent` only once Slack took them, so a call that
        fails (a refused table, a lost connection) is sent again whole."""
        chunks = self._task_changes(progress.steps)
        lines = whole_lines(progress.text)
        if lines.startswith(self._shown) and len(lines) > len(self._shown):
            new = streamed_text(lines[len(self._shown) :], self._shown_safe)
            chunks.append({"type": "markdown_text", "text": new})
            return chunks, lines
        return chunks, self._shown

    def _task_changes(self, steps: tuple[Step, ...]) -> list[dict[str, Any]]:
        return [chunk for chunk in task_chunks(steps) if self._tasks.get(chunk["id"]) != chunk]

    def _sent(self, chunks: list[dict[str, Any]], lines: str) -> None:
        self._tasks.update((c["id"], c) for c in chunks if c["type"] == "task_update")
        self._shown_safe += "".join(c["text"] for c in chunks if c["type"] == "markdown_text")
        self._shown = lines

    async def _append(self, progress: Progress) -> None:
        chunks, lines = self._changes(progress)
        if chunks:
            await self._client.chat_appendStream(channel=self._channel, ts=self._ts, chunks=chunks)
            self._sent(chunks, lines)

    async def _final(self, report: Report, view: ReplyView, table: bool) -> None:
        if not self._streaming:
            await super()._final(report, view, table)
            return
        # The stream ends with the rest of the text and the reply's blocks below it — unless
        # the answer is not the text that was streamed (the stream broke and advice replaced
        # it): then the shown text is marked as broken off and the whole reply follows.
        assert self._live is not None
        latest = self._live.latest()
        tasks = self._task_changes(latest.steps) if latest is not None else []
        shown = self._shown.lstrip()
        rest = continuation(shown, report.text) if report.source is Source.AI else None
        try:
            if rest is not None:
                text = streamed_text(rest, self._shown_safe)
                tail = [{"type": "markdown_text", "text": text}] if rest else []
                await self._stop(render(view, body=False, table=table), [*tasks, *tail])
            else:
                broke = [{"type": "markdown_text", "text": BROKE_OFF}] if shown else []
                await self._stop(render(view, table=table), [*tasks, *broke])
        except SlackApiError as exc:
            if rejection(exc) is not None:
                raise
            error = exc.response.get("error")
            log.warning("could not end the stream (%s); posting the reply", error)
            self._streaming = False  # the whole reply, text included, replaces or follows it
            await self._post(render(view, table=table), report.is_reply_private)

    async def _stop(self, message: SlackMessage, chunks: list[dict[str, Any]]) -> None:
        await self._client.chat_stopStream(
            channel=self._channel, ts=self._ts, chunks=chunks, blocks=message.blocks
        )
        self._streaming = False
        self._sent(chunks, self._shown)

    async def _post(self, message: SlackMessage, private: bool) -> None:
        await self._end_stale_stream()
        try:
            if self._streaming:
                await self._stop(message, [])
                return
            if self._ts is not None:
                await self._client.chat_update(
                    channel=self._channel, ts=self._ts, **message.payload()
                )
                return
        except SlackApiError as exc:
            if rejection(exc) is not None:  # the message's form: the caller decides
                raise
            # Changing the live message keeps failing (rate-limited past the client's retries,
            # or it is gone): the reply is posted fresh in the thread, so it still arrives.
            log.warning(
                "could not turn the live message into the reply (%s); posting it",
                exc.response.get("error"),
            )
            self._streaming = False
        await self._client.chat_postMessage(
            channel=self._channel,
            thread_ts=self._thread,
            unfurl_links=False,
            **message.payload(),
        )
