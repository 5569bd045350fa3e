"""Slack adapter on Bolt's `AsyncApp`: the `/scout` slash command, its buttons and @mentions,
over Socket Mode (`SLACK_APP_TOKEN`) or HTTP (`SLACK_SIGNING_SECRET`, `POST /slack/events`).

The rules it keeps: `ack()` first (Slack's 3-second deadline), the work after; re-delivered
events answered once; only blocks that Slack accepts (rendering in `adapters/slack/markup.py`).
Everything else — refusals, parsing, the one final reply — is the shared conversation path.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.port import LOOP_CLOCK, Adapter, Clock, StartupError
from adapters.slack.channels import SlackChannelPoster
from adapters.slack.files import ChartPlace, SlackCharts
from adapters.slack.http import SlackHttpEndpoint
from adapters.slack.markup import (
    ACTION_BUILD,
    ACTION_GAPS,
    ACTION_REFRESH,
    ACTION_RUN,
    escape,
    render,
)
from adapters.slack.outbox import ResponseUrlReply, SlackLimits, ThreadReply, slack_place
from bot.cache import DeliveryLedger, MemoryDeliveryLedger
from bot.config import SlackSettings
from bot.database import JournalEntry
from bot.intake import Conversation, Incoming, Outbox, Turn
from bot.report import Report
from bot.runtime import SingleFlight
from bot.views import reply_view

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class SlackAdapter(Adapter):
    name = "Slack"
    platform = "slack"
    reply_window = 30 * 60  # a response_url takes replies for 30 minutes

    def __init__(
        self,
        conversation: Conversation,
        settings: SlackSettings,
        deliveries: DeliveryLedger | None = None,
        *,
        socket_mode: bool = False,
        http_port: int | None = None,  # serve Slack's HTTP endpoint (on the runtime's $PORT)
        clock: Clock = LOOP_CLOCK,  # where live replies and their budgets read the time
    ) -> None:
        super().__init__(conversation)
        self.settings = settings
        self.deliveries = deliveries or MemoryDeliveryLedger()
        self.clock = clock
        self.limits = SlackLimits(clock)  # shared by every live reply of this workspace's app
        self.socket_mode = socket_mode
        self.http_port = http_port
        self.client = AsyncWebClient(
            token=settings.bot_token,
            base_url=settings.api_url,
            # Slack's 429s carry Retry-After: wait it out instead of losing the reply.
            retry_handlers=[
                *async_default_handlers(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            ],
        )
        self.charts = SlackCharts(self.client)  # charts go up with the bot's own token
        # Bolt's own client carries no token: requests are authorized by `_authorize_once`,
        # which asks auth.test once. (Bolt's built-in single-team authorization calls auth.test
        # from every request until the first answer lands: 200 calls for a burst of 200.)
        bolt_client = AsyncWebClient(
            base_url=settings.api_url, retry_handlers=self.client.retry_handlers
        )
        self._identity: SingleFlight[AuthorizeResult] = SingleFlight()
        self._authorized: AuthorizeResult | None = None

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            # Bolt passes arguments by name, so this is a plain function, not a method.
            return await self._authorize_once()

        # process_before_response: Bolt returns the ack as soon as a listener returns, instead
        # of polling for it every 10 ms; listeners ack, spawn their work, and return.
        self.app = AsyncApp(
            client=bolt_client,
            authorize=authorize,
            signing_secret=settings.signing_secret or "",
            process_before_response=True,
        )
        self._socket: AsyncSocketModeHandler | None = None
        self.app.command("/scout")(self._on_slash_command)
        actions = f"^({ACTION_GAPS}|{ACTION_BUILD}|{ACTION_REFRESH}|{ACTION_RUN}_\\d+)$"
        self.app.action(re.compile(actions))(self._on_button)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)

    async def _authorize_once(self) -> AuthorizeResult:
        if self._authorized is None:
            self._authorized = await self._identity.run("auth.test", self._auth_test)
        return self._authorized

    async def _auth_test(self) -> AuthorizeResult:
        response = await self.client.auth_test()
        return AuthorizeResult.from_auth_test_response(
            bot_token=self.settings.bot_token, auth_test_response=response
        )

    # -- the Adapter interface -----------------------------------------------------------
    async def start(self) -> str:
        # Slack out of reach (refused, DNS, TLS, a timeout, a cut connection) stops start-up
        # with one line, like a rejected token: the exception's type, never its text.
        from aiohttp import ClientError
        from slack_sdk.errors import SlackClientError

        unreachable = (ClientError, OSError, SlackClientError)
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise StartupError(f"SLACK_BOT_TOKEN was rejected by Slack ({error})") from None
        except unreachable as exc:
            raise StartupError(f"Slack could not be reached ({type(exc).__name__})") from None
        modes = []
        if self.socket_mode:
            self._socket = AsyncSocketModeHandler(
                self.app, self.settings.app_token, web_client=self.client
            )
            try:
                await self._socket.connect_async()
            except SlackApiError as exc:
                error = exc.response.get("error")
                raise StartupError(f"SLACK_APP_TOKEN was rejected by Slack ({error})") from None
            except unreachable as exc:
                reason = type(exc).__name__
                raise StartupError(f"Slack's Socket Mode could not be reached ({reason})") from None
            modes.append("Socket Mode")
        if self.http_port is not None:
            modes.append(f"HTTP on port {self.http_port}")
        return f"Slack as {identity.get('user')} ({' and '.join(modes)})"

    async def health(self) -> dict[str, bool]:
        states = {}
        if self.socket_mode:
            states["slack_socket_mode"] = (
                self._socket is not None and await self._socket.client.is_connected()
            )
        if self.http_port is not None:
            states["slack_http"] = True  # this answer came through it
        return states

    async def stop_accepting(self) -> None:
        # Replies go out through response_url and the Web API, so the socket can close now.
        await super().stop_accepting()
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    def web_app(self) -> web.Application | None:
        """HTTP mode: Slack's Events/Commands/Interactivity endpoint."""
        if self.http_port is None:
            return None
        endpoint = SlackHttpEndpoint(self.app, self.settings.signing_secret or "", self.deliveries)
        application = web.Application()
        application.router.add_post("/slack/events", endpoint.handle)
        return application

    # -- events → Incoming ----------------------------------------------------------------
    async def _on_slash_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        address = {"response_url": str(command.get("response_url") or ""), "note": "yes"}
        incoming = _incoming(
            command.get("team_id"),
            command.get("user_id"),
            command.get("text") or "",
            channel=command.get("channel_id"),
            address=address,
        )
        charts = self._chart_place(command.get("channel_id"))
        await self.intake.accept(incoming, SlashArrival(ack, respond, self.clock, charts))

    async def _on_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        incoming = _incoming(
            _id(body.get("team")),
            _id(body.get("user")),
            str(action.get("value") or ""),
            channel=_id(body.get("channel")),
            address={"response_url": str(body.get("response_url") or "")},
        )
        charts = self._chart_place(_id(body.get("channel")))
        await self.intake.accept(incoming, ButtonArrival(ack, respond, charts=charts))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A direct message is a command without the mention; edits, joins and the bot's own
        messages (subtypes, `bot_id`) are not."""
        if event.get("channel_type") == "im" and not event.get("subtype"):
            await self._on_mention(body, event, direct=True)

    async def _on_mention(
        self, body: dict[str, Any], event: dict[str, Any], direct: bool = False
    ) -> None:
        """A mention, or (`direct`) a DM: in a thread of an answer or in a DM, a follow-up."""
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        if not await self.deliveries.first_time(f"slack:{event_id}"):
            log.info("duplicate delivery of %s ignored", event_id)
            return
        if event.get("bot_id"):
            return
        thread = str(event.get("thread_ts") or event.get("ts"))
        channel = str(event.get("channel") or "")
        incoming = _incoming(
            body.get("team_id"),
            event.get("user"),
            _MENTION.sub(" ", event.get("text") or ""),
            channel=channel,
            place=(
                slack_place(channel, event.get("thread_ts"))
                if direct or event.get("thread_ts")
                else None
            ),
            plain_language=direct,
            address={"thread": thread},
        )
        await self.intake.accept(incoming, ThreadArrival(self, channel, thread))

    def _chart_place(self, channel: Any) -> ChartPlace | None:
        """Where a response_url reply's chart goes: its channel, once the bot is known to be
        in it (a slash command works where the bot is not)."""
        return ChartPlace(self.charts, str(channel), check=True) if channel else None

    # -- trend watch and recovery --------------------------------------------------------
    def channel_poster(self) -> SlackChannelPoster:
        return SlackChannelPoster(self.client)

    def recovered_outbox(self, turn: Turn, entry: JournalEntry) -> Outbox | None:
        address = entry.address
        if address.get("response_url"):
            respond = AsyncRespond(response_url=address["response_url"])
            return ResponseUrlReply(respond, turn, progress=False, note=bool(address.get("note")))
        if address.get("thread") and address.get("channel"):
            reply = ThreadReply(
                self.client,
                address["channel"],
                address["thread"],
                turn,
                self.limits,
                clock=self.clock,
            )
            if address.get("live_ts"):
                reply.take_over(address["live_ts"])
            return reply
        return None


def _id(value: Any) -> Any:
    """The `id` of an interaction payload's `team` or `user` object (None when it is absent or
    not an object)."""
    return value.get("id") if isinstance(value, dict) else None


def _incoming(
    team: Any,
    user: Any,
    text: str,
    *,
    channel: Any = None,
    place: str | None = None,
    plain_language: bool = False,
    address: dict[str, str],
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
    )


class SlashArrival:
    """A slash command: acknowledged within 3 s with a private note (the whole reply, when it
    is ready at once); the answer goes through its `response_url`."""

    def __init__(
        self,
        ack: Any,
        respond: Any,
        clock: Clock = LOOP_CLOCK,
        charts: ChartPlace | None = None,
    ) -> None:
        self._ack, self._respond, self._clock = ack, respond, clock
        self._charts = charts  # where the reply's chart goes

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        if at_once is not None:
            await self._ack(response_type="ephemeral", **render(reply_view(at_once)).payload())
            return True
        assert turn is not None
        await self._ack(response_type="ephemeral", text=f"Scouting {escape(turn.subject)}…")
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        return ResponseUrlReply(self._respond, turn, clock=self._clock, chart_place=self._charts)


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
        return ResponseUrlReply(self._respond, turn, progress=False, chart_place=self._charts)


class ThreadArrival:
    """A mention or a DM: Bolt acknowledges the event; the reply streams into the thread."""

    def __init__(self, adapter: SlackAdapter, channel: str, thread: str) -> None:
        self._adapter, self._channel, self._thread = adapter, channel, thread

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        intake = self._adapter.intake

        async def opened(ts: str) -> None:
            await intake.note_live(entry, live_ts=ts)

        adapter = self._adapter
        return ThreadReply(
            adapter.client,
            self._channel,
            self._thread,
            turn,
            adapter.limits,
            opened,
            clock=adapter.clock,
            charts=adapter.charts,
        )
