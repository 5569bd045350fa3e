"""How each kind of Slack event is acknowledged and where its reply goes (the pipeline's
`Arrival`s): a slash command, a button, and a mention or DM (streamed into its thread). Every
reply is `dress`ed by the adapter: 👍/👎 when votes can be kept, the scout history after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from adapters.port import LOOP_CLOCK, Clock
from adapters.slack.files import ChartPlace, SlackCharts
from adapters.slack.markup import escape, render
from adapters.slack.outbox import ResponseUrlReply, SlackLimits, SlackReply, ThreadReply
from bot.database import JournalEntry
from bot.intake import AcceptPipeline, Incoming, Outbox, Turn
from bot.report import Report
from bot.views import reply_view

Dress = Callable[[SlackReply, Turn], SlackReply]


class SlashArrival:
    """A slash command: acknowledged within 3 s with a private note (the whole reply, when it
    is ready at once); the answer goes through its `response_url`."""

    def __init__(
        self,
        ack: Any,
        respond: Any,
        clock: Clock = LOOP_CLOCK,
        charts: ChartPlace | None = None,
        dress: Dress | None = None,
    ) -> None:
        self._ack, self._respond, self._clock = ack, respond, clock
        self._charts = charts  # where the reply's chart goes
        self._dress = dress or (lambda reply, _turn: reply)

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        if at_once is not None:
            await self._ack(response_type="ephemeral", **render(reply_view(at_once)).payload())
            return True
        assert turn is not None
        await self._ack(response_type="ephemeral", text=f"Scouting {escape(turn.subject)}…")
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        reply = ResponseUrlReply(self._respond, turn, clock=self._clock, chart_place=self._charts)
        return self._dress(reply, turn)


class ButtonArrival(SlashArrival):
    """A button: acknowledged at once; the reply goes through its `response_url`, without
    progress (its original is the answer the button is on)."""

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        await self._ack()
        if turn is None and at_once is not None:  # nothing to answer from: say it privately
            await self._respond(**render(reply_view(at_once)).payload(), replace_original=False)
            return True
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        reply = ResponseUrlReply(self._respond, turn, progress=False, chart_place=self._charts)
        return self._dress(reply, turn)


class ThreadHost(Protocol):
    """What a thread reply needs of the adapter."""

    intake: AcceptPipeline
    limits: SlackLimits
    clock: Clock

    def dress(self, reply: SlackReply, turn: Turn) -> SlackReply: ...


class ThreadArrival:
    """A mention or a DM: Bolt acknowledges the event; the reply streams into the thread, with
    the token of the workspace it came from (`client`)."""

    def __init__(self, host: ThreadHost, client: AsyncWebClient, channel: str, thread: str) -> None:
        self._host, self._client = host, client
        self._channel, self._thread = channel, thread

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        intake = self._host.intake

        async def opened(ts: str) -> None:
            await intake.note_live(entry, live_ts=ts)  # type: ignore[arg-type]

        reply = ThreadReply(
            self._client,
            self._channel,
            self._thread,
            turn,
            self._host.limits,
            opened,
            clock=self._host.clock,
            charts=SlackCharts(self._client),
        )
        return self._host.dress(reply, turn)


def payload_id(value: Any) -> Any:
    """The `id` of an interaction payload's `team` or `user` object (None when it is absent or
    not an object)."""
    return value.get("id") if isinstance(value, dict) else None


def slack_incoming(
    team: Any,
    user: Any,
    text: str,
    *,
    channel: Any = None,
    place: str | None = None,
    plain_language: bool = False,
    address: dict[str, str],
    locale: str | None = None,
) -> Incoming:
    """Slack names the team and the user in every payload; one missing either is not trusted
    (the conversation refuses a sender without an id)."""
    trusted = bool(team and user)
    return Incoming(
        "slack",
        str(user) if trusted else "",
        text,
        workspace=str(team) if trusted else None,
        channel=str(channel) if channel else None,
        place=place,
        plain_language=plain_language,
        address=address,
        locale=locale if trusted else None,
    )
