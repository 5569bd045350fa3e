"""Slack adapter on Bolt's `AsyncApp`: the `/scout` slash command, its buttons and @mentions,
over Socket Mode (`SLACK_APP_TOKEN`) or HTTP (`SLACK_SIGNING_SECRET`, `POST /slack/events`).

The rules it keeps: `ack()` first (Slack's 3-second deadline), the work after; exactly one final
reply per accepted command, also when something fails; re-delivered events answered once; only
blocks that Slack accepts (rendering in `adapters/slack_blocks.py`); no pings.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import (
    ACTION_BUILD,
    ACTION_GAPS,
    ACTION_REFRESH,
    SlackMessage,
    apology,
    render,
)
from bot.commands import Command, CommandKind, UsageError, clean_text, parse
from bot.config import Settings
from bot.report import Report
from bot.runtime.request_scope import Caller
from bot.runtime.single_flight import SingleFlight
from bot.service import RecommendationService
from bot.state.delivery_ledger import DeliveryLedger, MemoryDeliveryLedger
from bot.state.user_limits import UserLimiter, limit_message

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

Post = Callable[[SlackMessage, bool], Awaitable[None]]  # (message, private)


class ReplyRejected(Exception):
    """Slack refused a reply sent through a `response_url`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error.strip()


class SlackAdapter:
    def __init__(
        self,
        service: RecommendationService,
        settings: Settings,
        limiter: UserLimiter,
        deliveries: DeliveryLedger | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.limiter = limiter
        self.deliveries = deliveries or MemoryDeliveryLedger()
        self.client = AsyncWebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            # Slack's 429s carry Retry-After: wait it out instead of losing the reply.
            retry_handlers=[
                *async_default_handlers(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            ],
        )
        # Bolt's own client carries no token: requests are authorized by `_authorize`, which
        # asks auth.test once. (Bolt's built-in single-team authorization calls auth.test from
        # every request until the first answer lands: 200 calls for a burst of 200 commands.)
        bolt_client = AsyncWebClient(
            base_url=settings.slack_api_url, retry_handlers=self.client.retry_handlers
        )
        self._identity: SingleFlight[AuthorizeResult] = SingleFlight()
        self._authorized: AuthorizeResult | None = None

        # process_before_response: Bolt returns the ack as soon as a listener returns, instead
        # of polling for it every 10 ms; listeners ack, start their work as a task, and return.
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            # Bolt passes arguments by name, so this is a plain function, not a method.
            return await self._authorize_once()

        self.app = AsyncApp(
            client=bolt_client,
            authorize=authorize,
            signing_secret=settings.slack_signing_secret or "",
            process_before_response=True,
        )
        self._socket: AsyncSocketModeHandler | None = None
        self.in_flight: set[asyncio.Task[None]] = set()
        self.app.command("/scout")(self._on_slash_command)
        self.app.action(re.compile(f"^({ACTION_GAPS}|{ACTION_BUILD}|{ACTION_REFRESH})$"))(
            self._on_button
        )
        self.app.event("app_mention")(self._on_mention)

    async def _authorize_once(self) -> AuthorizeResult:
        if self._authorized is None:
            self._authorized = await self._identity.run("auth.test", self._auth_test)
        return self._authorized

    async def _auth_test(self) -> AuthorizeResult:
        response = await self.client.auth_test()
        return AuthorizeResult.from_auth_test_response(
            bot_token=self.settings.slack_bot_token, auth_test_response=response
        )

    # -- transports ----------------------------------------------------------------------
    def web_app(self) -> web.Application:
        """HTTP mode: Slack's Events/Commands/Interactivity endpoint."""
        application = web.Application()
        application.router.add_post("/slack/events", self._http_events)
        return application

    async def _http_events(self, request: web.Request) -> web.Response:
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def start_socket_mode(self) -> None:
        self._socket = AsyncSocketModeHandler(
            self.app, self.settings.slack_app_token, web_client=self.client
        )
        await self._socket.connect_async()

    async def socket_connected(self) -> bool:
        return self._socket is not None and await self._socket.client.is_connected()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()

    # -- listeners -----------------------------------------------------------------------
    async def _on_slash_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        text = command.get("text") or ""
        parsed = parse(text)
        refusal = await self._refusal(command.get("team_id"), command.get("user_id"), parsed)
        if refusal is not None:
            await ack(response_type="ephemeral", text=refusal)
            return
        caller = Caller("slack", str(command.get("user_id") or ""))
        if not _needs_work(parsed):  # help, stats and usage: answered in the ack, privately
            report = await self.service.handle(parsed, caller)
            await ack(response_type="ephemeral", **render(report).payload())
            return
        await ack(response_type="ephemeral", text=f"Scouting {_subject(parsed)}…")
        self._start(self._answer(parsed, text, caller, _responder(respond), respond))

    async def _on_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        text = str(action.get("value") or "")
        parsed = parse(text)
        team, user = body.get("team", {}).get("id"), body.get("user", {}).get("id")
        refusal = await self._refusal(team, user, parsed)
        if refusal is not None:
            await respond(response_type="ephemeral", replace_original=False, text=refusal)
            return
        caller = Caller("slack", str(user or ""))
        self._start(self._answer(parsed, text, caller, _responder(respond), respond))

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        if not await self.deliveries.first_time(f"slack:{event_id}"):
            log.info("duplicate delivery of %s ignored", event_id)
            return
        if event.get("bot_id"):
            return
        channel, thread = event.get("channel"), event.get("thread_ts") or event.get("ts")

        async def post(message: SlackMessage, _private: bool) -> None:
            # A mention is a conversation: even private replies go to its thread.
            await self.client.chat_postMessage(
                channel=channel, thread_ts=thread, unfurl_links=False, **message.payload()
            )

        text = clean_text(_MENTION.sub(" ", event.get("text") or ""))
        parsed = parse(text)
        refusal = await self._refusal(body.get("team_id"), event.get("user"), parsed)
        if refusal is not None:
            self._start(post(SlackMessage(refusal, [_plain_section(refusal)]), True))
            return
        caller = Caller("slack", str(event.get("user") or ""))
        self._start(self._answer(parsed, text, caller, post, None))

    # -- the one path every command takes ------------------------------------------------
    def _start(self, work: Awaitable[None]) -> None:
        """Run a command's work after its ack; kept referenced until done, for shutdown."""

        async def after_waiting_acks() -> None:
            # Yield once: acks already queued go out first (Slack's 3 s deadline is hard,
            # the answer can wait a moment). A burst of commands is acked, then answered.
            await asyncio.sleep(0)
            try:
                await work
            except Exception:
                log.exception("Slack background work failed")

        task = asyncio.ensure_future(after_waiting_acks())
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def _answer(
        self,
        parsed: Command | UsageError,
        text: str,
        caller: Caller,
        post: Post,
        respond: Any | None,
    ) -> None:
        """Produce the Report and deliver exactly one final reply."""
        report: Report | None = None
        try:
            report = await self.service.handle(parsed, caller)
            message = render(report, text if _needs_work(parsed) else "")
            await self._deliver(message, report.is_reply_private, post)
        except Exception:
            log.exception("Slack reply failed")
            await self._apologise(report, post, respond)

    async def _deliver(self, message: SlackMessage, private: bool, post: Post) -> None:
        try:
            await post(message, private)
        except (SlackApiError, ReplyRejected) as exc:
            error = exc.error if isinstance(exc, ReplyRejected) else exc.response.get("error")
            if error not in ("invalid_blocks", "msg_too_long", "msg_blocks_too_long"):
                raise
            log.warning("Slack rejected the reply (%s); sending it as plain text", error)
            plain = message.text if len(message.text) < 3000 else message.text[:2999] + "…"
            await post(SlackMessage(plain, [_plain_section(plain)]), private)

    async def _apologise(self, report: Report | None, post: Post, respond: Any | None) -> None:
        message = apology(report)
        try:
            if respond is not None:
                await respond(
                    response_type="ephemeral", replace_original=False, **message.payload()
                )
            else:
                await post(message, True)
        except Exception:
            log.exception("could not tell the user that the reply failed")

    async def _refusal(
        self, team: str | None, user: str | None, parsed: Command | UsageError
    ) -> str | None:
        """Why this command is not taken, or None. Help and usage do not count as commands."""
        allowed = self.settings.slack_allowed_team_ids
        if allowed and team not in allowed:
            return "Trend Scout is not enabled for this workspace."
        if _needs_work(parsed) and (wait := await self.limiter.admit(f"slack:{team}:{user}")):
            return limit_message(self.limiter.per_minute, wait)
        return None


def _responder(respond: Any) -> Post:
    """Replies through the command's `response_url`: in the channel, or only to its author."""

    async def post(message: SlackMessage, private: bool) -> None:
        response = await respond(
            response_type="ephemeral" if private else "in_channel",
            replace_original=False,
            **message.payload(),
        )
        if response.status_code != 200:  # webhooks report errors in the body, not by raising
            raise ReplyRejected(response.body or f"HTTP {response.status_code}")

    return post


def _needs_work(parsed: Command | UsageError) -> bool:
    """Lookups are answered after the ack; help, stats and usage errors in it."""
    return isinstance(parsed, Command) and parsed.is_lookup


def _subject(parsed: Command | UsageError) -> str:
    subject = parsed.subject if isinstance(parsed, Command) else ""
    if isinstance(parsed, Command) and parsed.kind is CommandKind.GAPS:
        subject = f"gaps in {subject}"
    return (subject or "it").replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")


def _plain_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "plain_text", "text": text[:3000] or " "}}
