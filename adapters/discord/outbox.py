"""Where a Discord reply goes, live while it is being made and complete at the end.

A mention is answered at once with the plan (a grey "working" embed), which is edited at most
every 1.5 s as the answer grows — within a per-channel budget that keeps edits under Discord's
5 per 5 s, so discord.py never has to wait out a 429 — and finally becomes the reply itself, in
its own colour, with its buttons. `/scout` interactions edit their deferred response the same
way. A reply too long for one message continues in further messages below.

A reply's chart (`ReplyView.chart`) is drawn off the loop and attached to the reply's first
message, shown as its embed's image (`attachment://chart.png`). When Discord refuses the
picture (too large, no Attach Files permission) that message goes without it, its footer saying
why: it was never posted, so the reply is still posted once.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from adapters.discord.markup import (
    CHART_FILE,
    DiscordMessage,
    add_vote_buttons,
    plain,
    progress_embed,
    render,
    sanitise,
)
from adapters.port import LOOP_CLOCK, Clock, LiveReply, RateBudgets
from bot.charts import render_chart
from bot.intake import Turn
from bot.progress import Progress
from bot.report import Report
from bot.views import ActionKind, ReplyView, reply_view

log = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong sending that reply."
NO_PINGS = discord.AllowedMentions.none()
CUSTOM_ID_MAX = 100
LABEL_MAX = 80
ORIGINAL = "@original"  # the interaction's own response, in webhook message routes
EDIT_INTERVAL = 1.5  # seconds between edits of one message
FIRST_TEXT_PAUSE = 0.3  # between the plan and the first edit with text
MAX_CHART_BYTES = 10 * 1024 * 1024  # Discord's upload limit for bots (10 MiB)
MISSING_PERMISSIONS = 50013
TOO_LARGE = "the picture was larger than Discord accepts"
NO_ATTACH = "Trend Scout lacks the Attach Files permission in this channel"


@dataclass(frozen=True)
class ChartFile:
    """A reply's chart, drawn: attached to the message whose embed shows it."""

    png: bytes
    alt_text: str

    def file(self) -> discord.File:
        return discord.File(io.BytesIO(self.png), filename=CHART_FILE, description=self.alt_text)


def chart_refusal(error: Exception) -> str | None:
    """Why Discord refused a message because of its picture, or None when it was not that."""
    if not isinstance(error, discord.HTTPException):
        return None
    if error.status == 413 or error.code == 40005:
        return TOO_LARGE
    if error.status == 403 and error.code == MISSING_PERMISSIONS:
        return NO_ATTACH
    return None


class ButtonHandler(Protocol):
    async def on_button(self, interaction: discord.Interaction[Any], text: str) -> None: ...


def channel_edits(clock: Clock = LOOP_CLOCK) -> RateBudgets:
    """Edits per channel: 2 at once and 36 a minute, never more than 5 in any 5 s."""
    return RateBudgets(capacity=2, per_minute=36, clock=clock)


class ScoutButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"scout:(?P<verb>gaps|build|refresh|run):(?P<argument>.+)",
):
    """A follow-up button whose custom id carries its whole command, so it keeps working after
    a restart (discord.py re-creates it from the id)."""

    def __init__(self, verb: str, argument: str, label: str | None = None) -> None:
        style = discord.ButtonStyle.secondary if verb == "refresh" else discord.ButtonStyle.primary
        shown = (label or verb.title())[:LABEL_MAX]  # re-created from an id: never shown
        super().__init__(
            discord.ui.Button(label=shown, style=style, custom_id=f"scout:{verb}:{argument}")
        )
        self.verb = verb
        self.argument = argument

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ScoutButton:
        return cls(match["verb"], match["argument"])

    @property
    def command_text(self) -> str:
        if self.verb in ("refresh", "run"):
            return self.argument
        return f"{self.verb} {self.argument}"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ButtonHandler = interaction.client.adapter  # type: ignore[attr-defined]
        await handler.on_button(interaction, self.command_text)


def buttons_for(view: ReplyView, votes: bool = False) -> discord.ui.View | None:
    """The view's actions as buttons whose custom ids carry their commands; with `votes`, 👍/👎
    under a model's answer."""
    buttons = discord.ui.View(timeout=None)
    if votes and view.feedback_id:
        add_vote_buttons(buttons, view.feedback_id)
    for action in view.actions:
        verb = action.kind.value
        argument = action.command
        if action.kind in (ActionKind.GAPS, ActionKind.BUILD):
            argument = argument.removeprefix(f"{verb} ")
        if len(f"scout:{verb}:{argument}") <= CUSTOM_ID_MAX:  # else the button is left out
            buttons.add_item(ScoutButton(verb, argument, sanitise(action.label)))
    return buttons if buttons.children else None


class DiscordReply:
    """A reply as embeds: one message, continued below when it is long; buttons on the last.
    Once a live message shows progress, the reply's first message replaces it."""

    def __init__(self, turn: Turn) -> None:
        self._turn = turn
        self._refresh = turn.refresh_text
        self._live: LiveReply | None = None
        self._first = True  # the next message is the reply's first
        self._replace_first = False  # a message that a dead worker left becomes the reply
        self.feedback = False  # 👍/👎 under a model's answer (votes can be kept)

    def live(self) -> LiveReply | None:
        return None

    def place(self) -> str | None:
        """Where a follow-up goes on from: the reply's first message (replying to it, or a
        thread started from it), once sent."""
        return None

    async def _post(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        """A new message of the reply."""
        raise NotImplementedError

    async def _edit(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        """Replace the live message with the reply's first message."""
        raise NotImplementedError

    async def _draw(self, progress: Progress) -> None:
        raise NotImplementedError

    async def _send(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        first, self._first = self._first, False
        if not (first and (self._replace_first or (self._live is not None and self._live.shown))):
            await self._post(reply, view, chart)
            return
        try:
            await self._edit(reply, view, chart)
        except discord.HTTPException as exc:
            if exc.status in (400, 413) or chart_refusal(exc) is not None:
                raise  # the reply's form (or its picture) was refused: the caller decides
            # Editing keeps failing (rate-limited past discord.py's retries, or the message
            # is gone): the reply is posted fresh, so it still arrives.
            log.warning("could not edit the live message (HTTP %s); posting the reply", exc.status)
            await self._post(reply, view, chart)

    async def send(self, report: Report) -> None:
        reply, chart = await self._draw_chart(reply_view(report, self._refresh))
        messages = render(reply)
        view = buttons_for(reply, votes=self.feedback)
        for index, message in enumerate(messages):
            buttons = view if index == len(messages) - 1 else None
            if not (chart is not None and message.shows_chart):
                await self._send(message, buttons)
                continue
            first = self._first
            try:
                await self._send(message, buttons, chart)
            except discord.HTTPException as exc:
                reason = chart_refusal(exc)
                if reason is None:
                    raise
                # Refused whole, so not posted: it goes now without the picture.
                log.warning("chart not shown on Discord: HTTP %s, code %s", exc.status, exc.code)
                self._first = first
                await self._send(render(reply.without_chart(reason))[index], buttons)

    async def _draw_chart(self, reply: ReplyView) -> tuple[ReplyView, ChartFile | None]:
        if reply.chart is None:
            return reply, None
        try:
            png = await render_chart(reply.chart)
        except Exception as exc:
            log.warning("chart not shown on Discord: could not draw it (%s)", type(exc).__name__)
            return reply.without_chart("it could not be drawn"), None
        if len(png) > MAX_CHART_BYTES:
            log.warning("chart not shown on Discord: %d bytes", len(png))
            return reply.without_chart(TOO_LARGE), None
        return reply, ChartFile(png, reply.chart.alt_text)

    def rejection(self, error: Exception) -> str | None:
        if isinstance(error, discord.HTTPException) and error.status == 400:
            return f"HTTP 400, code {error.code}"
        return None

    async def send_plain(self, report: Report) -> None:
        self._first = True  # the refused reply never replaced the live message
        await self._send(plain(reply_view(report)), None)

    async def apologise(self, report: Report | None) -> None:
        self._first = True
        await self._send(DiscordMessage(content=APOLOGY), None)

    async def tidy(self) -> None:
        return None  # the live message became the reply


class MentionReply(DiscordReply):
    """The first message replies to the mention (without pinging); the rest follow below."""

    def __init__(
        self,
        message: discord.Message | discord.PartialMessage,
        turn: Turn,
        edits: RateBudgets,
        where: str | None = None,
        opened: Callable[[int], Awaitable[None]] | None = None,
        *,
        clock: Clock = LOOP_CLOCK,
    ) -> None:
        super().__init__(turn)
        self._message = message
        self._edits = edits
        self._clock = clock  # the live message's pace
        self._where = where  # a DM or thread goes on as a whole, not from the reply
        self._sent: discord.Message | discord.PartialMessage | None = None  # the live message
        self._opened = opened  # told the live message's id (the journal keeps it)

    def take_over(self, live: discord.PartialMessage) -> None:
        """Make another worker's live message (it died) this reply's first message."""
        self._sent, self._replace_first = live, True

    def place(self) -> str | None:
        if self._where is not None:
            return self._where
        return f"msg:{self._sent.id}" if self._sent is not None else None

    def live(self) -> LiveReply | None:
        if not self._turn.needs_work:
            return None
        budget = self._edits[self._message.channel.id]
        self._live = LiveReply(
            self._draw,
            EDIT_INTERVAL,
            budget,
            first_text_pause=FIRST_TEXT_PAUSE,
            clock=self._clock,
        )
        return self._live

    async def _draw(self, progress: Progress) -> None:
        embed = progress_embed(self._turn.subject, progress)
        if self._sent is None:
            self._sent = await self._message.reply(
                embed=embed, mention_author=False, allowed_mentions=NO_PINGS
            )
            if self._opened is not None:
                await self._opened(self._sent.id)
        else:
            await self._sent.edit(embed=embed)

    async def _edit(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        assert self._sent is not None
        await self._sent.edit(
            content=reply.content,
            embeds=reply.embeds,
            view=view,
            allowed_mentions=NO_PINGS,
            attachments=_files(reply, chart),  # the live message had none: these replace none
        )

    async def _post(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        options: dict[str, Any] = {
            "content": reply.content,
            "embeds": reply.embeds,
            "view": view or discord.utils.MISSING,
            "allowed_mentions": NO_PINGS,
            "files": _files(reply, chart),
        }
        if self._sent is None:
            self._sent = await self._message.reply(mention_author=False, **options)
        else:
            await self._message.channel.send(**options)


class InteractionReply(DiscordReply):
    """A deferred interaction, through its webhook (`interaction.followup`, or one rebuilt from
    the journalled token): its original response shows the progress and becomes the reply's
    first message; the rest are follow-ups."""

    def __init__(
        self,
        webhook: discord.Webhook,
        turn: Turn,
        private: bool,
        taken_over: bool = False,
        *,
        clock: Clock = LOOP_CLOCK,
    ) -> None:
        super().__init__(turn)
        self._webhook = webhook
        self._clock = clock  # the live response's pace
        self._private = private
        self._message_id: int | None = None  # the response's message, once sent
        self._replace_first = taken_over  # another worker deferred it (and died)

    def place(self) -> str | None:
        return f"msg:{self._message_id}" if self._message_id else None

    def live(self) -> LiveReply | None:
        if self._private or not self._turn.needs_work:
            return None
        self._live = LiveReply(
            self._draw, EDIT_INTERVAL, first_text_pause=FIRST_TEXT_PAUSE, clock=self._clock
        )
        return self._live

    async def _draw(self, progress: Progress) -> None:
        embed = progress_embed(self._turn.subject, progress)
        await self._webhook.edit_message(ORIGINAL, embed=embed)  # type: ignore[arg-type]

    async def _edit(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        sent = await self._webhook.edit_message(
            ORIGINAL,  # type: ignore[arg-type]
            content=reply.content,
            embeds=reply.embeds,
            view=view,
            allowed_mentions=NO_PINGS,
            attachments=_files(reply, chart),
        )
        self._message_id = self._message_id or sent.id

    async def _post(
        self, reply: DiscordMessage, view: discord.ui.View | None, chart: ChartFile | None = None
    ) -> None:
        sent = await self._webhook.send(
            content=reply.content or discord.utils.MISSING,
            embeds=reply.embeds,
            view=view or discord.utils.MISSING,
            ephemeral=self._private,
            allowed_mentions=NO_PINGS,
            files=_files(reply, chart),
            wait=True,
        )
        self._message_id = self._message_id or sent.id


def _files(reply: DiscordMessage, chart: ChartFile | None = None) -> list[discord.File]:
    """The message's files: its chart, and the rest of a very long answer as text."""
    files = [chart.file()] if chart is not None and reply.shows_chart else []
    if reply.attachment is not None:
        name, text = reply.attachment
        files.append(discord.File(io.BytesIO(text.encode()), filename=name))
    return files
