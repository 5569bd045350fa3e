"""Slack adapter on Bolt's `AsyncApp`: the `/scout` slash command, its buttons and @mentions,
direct messages and the assistant pane, the App Home tab, 👍/👎 on answers, over Socket Mode
(`SLACK_APP_TOKEN`) or HTTP (`SLACK_SIGNING_SECRET`, `POST /slack/events`).

One workspace (`SLACK_BOT_TOKEN`) or many (`SLACK_CLIENT_ID` + `SLACK_CLIENT_SECRET`: installed
through `/slack/install`, `adapters/slack/oauth.py`): either way every call acts with the token of
the workspace its event came from (`adapters/slack/clients.py`), and a workspace that uninstalls
is forgotten (`adapters/slack/lifecycle.py`).

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
from adapters.slack.arrivals import (
    ButtonArrival,
    SlashArrival,
    ThreadArrival,
    payload_id,
    slack_incoming,
)
from adapters.slack.assistant import SlackAssistant
from adapters.slack.channels import SlackChannelPoster
from adapters.slack.clients import WorkspaceClients, WorkspaceTokens
from adapters.slack.dressing import dress_reply
from adapters.slack.feedback import SlackVotes
from adapters.slack.files import ChartPlace, SlackCharts
from adapters.slack.home import QUICK, SlackHome
from adapters.slack.http import SlackHttpEndpoint
from adapters.slack.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from adapters.slack.lifecycle import JournalPart, WorkspaceDepartures
from adapters.slack.locales import SlackLocales
from adapters.slack.markup import (
    ACTION_BUILD,
    ACTION_FEEDBACK,
    ACTION_GAPS,
    ACTION_REFRESH,
    ACTION_RUN,
)
from adapters.slack.oauth import install_routes
from adapters.slack.outbox import (
    ResponseUrlReply,
    SlackLimits,
    SlackReply,
    ThreadReply,
    slack_place,
)
from bot.cache import DeliveryLedger, MemoryDeliveryLedger
from bot.config import SlackSettings
from bot.database import Database, JournalEntry
from bot.feedback import FeedbackStore
from bot.intake import Conversation, Outbox, Turn
from bot.runtime import SingleFlight
from bot.watch import WatchStore
from bot.workspaces import ScoutHistory, WorkspaceEraser

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
        database: Database | None = None,  # installations and OAuth states (OAuth mode)
        feedback: FeedbackStore | None = None,  # 👍/👎 under answers, when set
        watches: WatchStore | None = None,  # the Home tab; erased on uninstall
        history: ScoutHistory | None = None,  # who asked what (the Home tab)
    ) -> None:
        super().__init__(conversation)
        self.settings = settings
        self.deliveries = deliveries or MemoryDeliveryLedger()
        self.clock = clock
        self.limits = SlackLimits(clock)  # shared by every live reply, budgets per workspace
        self.socket_mode = socket_mode
        self.http_port = http_port
        self.feedback, self.history = feedback, history
        # Slack's 429s carry Retry-After: wait it out instead of losing the reply.
        options: dict[str, Any] = {
            "base_url": settings.api_url,
            "retry_handlers": [
                *async_default_handlers(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            ],
        }
        # The one token's client; in OAuth mode a tokenless one (oauth.v2.access, auth.test
        # with a token given per call).
        self.client = AsyncWebClient(
            token=None if settings.oauth else settings.bot_token, **options
        )
        self.installations: DatabaseInstallationStore | None = None
        tokens: WorkspaceTokens | None = None
        if settings.oauth:
            if database is None:
                raise ValueError("Slack OAuth keeps its installations in the database")
            self.installations = DatabaseInstallationStore(database)
            self.states = DatabaseOAuthStateStore(database)
            assert settings.client_id and settings.client_secret
            tokens = WorkspaceTokens(
                self.installations, settings.client_id, settings.client_secret, self.client
            )
        self.clients = WorkspaceClients(None if settings.oauth else self.client, tokens, **options)
        # Bolt's own client carries no token: requests are authorized by `authorize`, which in
        # single-token mode asks auth.test once. (Bolt's built-in single-team authorization
        # calls auth.test from every request until the first answer lands.)
        bolt_client = AsyncWebClient(**options)
        self._identity: SingleFlight[AuthorizeResult] = SingleFlight()
        self._authorized: AuthorizeResult | None = None

        async def authorize(enterprise_id: str | None, team_id: str | None) -> Any:
            # Bolt passes arguments by name, so this is a plain function, not a method.
            if self.clients.oauth:
                return await self.clients.authorize(team_id)
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
        self.home = SlackHome(self.clients, watches, history, self._spawn, self._accept_in_thread)
        self.assistant = SlackAssistant(self.clients, self.deliveries)
        self.locales = SlackLocales(self.clients.for_team)  # answers in each user's language
        eraser = WorkspaceEraser(
            {
                "watches": watches,
                "conversations": conversation.store,
                "journal": JournalPart(self),
                "history": history,
                "feedback identities": feedback,
            }
        )
        departures = WorkspaceDepartures(self.clients, self.installations, eraser, self._spawn)
        app = self.app
        app.command("/scout")(self._on_slash_command)
        actions = f"^({ACTION_GAPS}|{ACTION_BUILD}|{ACTION_REFRESH}|{ACTION_RUN}_\\d+)$"
        app.action(re.compile(actions))(self._on_button)
        if feedback is not None:
            app.action(ACTION_FEEDBACK)(SlackVotes(feedback, self.clients, self._spawn).on_click)
        app.action(re.compile(f"^({'|'.join(QUICK)})$"))(self.home.on_quick_action)
        app.view(re.compile(f"^({'|'.join(QUICK)})$"))(self.home.on_quick_submit)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self.home.on_opened)
        app.event("app_uninstalled")(departures.on_uninstalled)
        app.event("tokens_revoked")(departures.on_tokens_revoked)
        app.event("assistant_thread_started")(self.assistant.on_thread_started)
        app.event("assistant_thread_context_changed")(self.assistant.on_context_changed)

    def _spawn(self, work: Any) -> object:
        return self.intake.spawn(work)

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
        if self.installations is not None:
            teams = await self.installations.teams()
            identity = f"an app installed in {len(teams)} workspace(s) (OAuth)"
        else:
            try:
                identity = str((await self.client.auth_test()).get("user"))
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
        return f"Slack as {identity} ({' and '.join(modes)})"

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
        """HTTP mode: Slack's Events/Commands/Interactivity endpoint; with OAuth, the install
        flow's two pages as well."""
        if self.http_port is None:
            return None
        endpoint = SlackHttpEndpoint(self.app, self.settings.signing_secret or "", self.deliveries)
        application = web.Application()
        application.router.add_post("/slack/events", endpoint.handle)
        if self.installations is not None:
            application.add_routes(
                install_routes(self.settings, self.client, self.installations, self.states)
            )
        return application

    # -- replies --------------------------------------------------------------------------
    def dress(self, reply: SlackReply, turn: Turn) -> SlackReply:
        """Every reply: 👍/👎 under a model's answer when votes can be kept; once delivered,
        kept in the scout history, and the Home tab refreshed after a watch changed."""
        votes = self.feedback is not None
        home, spawn = self.home, self._spawn
        return dress_reply(reply, turn, votes=votes, history=self.history, home=home, spawn=spawn)

    # -- events → Incoming ----------------------------------------------------------------
    async def _on_slash_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        address = {"response_url": str(command.get("response_url") or ""), "note": "yes"}
        incoming = slack_incoming(
            command.get("team_id"),
            command.get("user_id"),
            command.get("text") or "",
            channel=command.get("channel_id"),
            address=address,
            locale=await self.locales.of(command.get("team_id"), command.get("user_id")),
        )
        charts = self._chart_place(command.get("team_id"), command.get("channel_id"))
        arrival = SlashArrival(ack, respond, self.clock, charts, self.dress)
        await self.intake.accept(incoming, arrival)

    async def _on_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        team, user = payload_id(body.get("team")), payload_id(body.get("user"))
        incoming = slack_incoming(
            team,
            user,
            str(action.get("value") or ""),
            channel=payload_id(body.get("channel")),
            address={"response_url": str(body.get("response_url") or "")},
            locale=await self.locales.of(team, user),
        )
        charts = self._chart_place(team, payload_id(body.get("channel")))
        arrival = ButtonArrival(ack, respond, charts=charts, dress=self.dress)
        await self.intake.accept(incoming, arrival)

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
        team = body.get("team_id")
        text = _MENTION.sub(" ", event.get("text") or "")
        if direct and event.get("thread_ts"):  # the assistant pane's thread, or a DM thread
            self._spawn(self.assistant.working(team, channel, thread, text))
        await self._accept_in_thread(
            team,
            event.get("user"),
            text,
            channel,
            thread,
            in_thread=direct or bool(event.get("thread_ts")),
            direct=direct,
        )

    async def _accept_in_thread(
        self,
        team: Any,
        user: Any,
        text: str,
        channel: str,
        thread: str,
        *,
        in_thread: bool,
        direct: bool,
    ) -> None:
        incoming = slack_incoming(
            team,
            user,
            text,
            channel=channel,
            place=slack_place(channel, thread) if in_thread else None,
            plain_language=direct,
            address={"thread": thread},
            locale=await self.locales.of(team, user),
        )
        client = self.clients.for_team(str(team) if team else None)
        await self.intake.accept(incoming, ThreadArrival(self, client, channel, thread))

    def _chart_place(self, team: Any, channel: Any) -> ChartPlace | None:
        """Where a response_url reply's chart goes: its channel, once the bot is known to be
        in it (a slash command works where the bot is not)."""
        if not channel:
            return None
        charts = SlackCharts(self.clients.for_team(str(team) if team else None))
        return ChartPlace(charts, str(channel), check=True)

    # -- trend watch and recovery --------------------------------------------------------
    def channel_poster(self) -> SlackChannelPoster:
        return SlackChannelPoster(self.clients)

    def recovered_outbox(self, turn: Turn, entry: JournalEntry) -> Outbox | None:
        address = entry.address
        if address.get("response_url"):
            respond = AsyncRespond(response_url=address["response_url"])
            reply = ResponseUrlReply(respond, turn, progress=False, note=bool(address.get("note")))
            return self.dress(reply, turn)
        if address.get("thread") and address.get("channel"):
            thread_reply = ThreadReply(
                self.clients.for_team(entry.workspace),
                address["channel"],
                address["thread"],
                turn,
                self.limits,
                clock=self.clock,
            )
            if address.get("live_ts"):
                thread_reply.take_over(address["live_ts"])
            return self.dress(thread_reply, turn)
        return None
