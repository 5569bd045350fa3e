"""Slack's HTTP endpoint (`POST /slack/events`) as the open internet sees it.

Nothing unauthenticated reaches Bolt's parser or the logs: the signature is checked first, on
the raw bytes (a non-numeric or absurd timestamp, a stale one, a bad or missing signature → 401),
with at most a few short log lines a minute and never the body. A signed request seen before is
a replay — Slack does not retry slash commands or button clicks, and retries events with a new
signature — so it gets an empty 200 and no second answer. Only then does Bolt parse the body;
a signed body it cannot read is a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.cache import DeliveryLedger
from bot.runtime import LogThrottle

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60  # Slack's own rule for request timestamps


class SlackHttpEndpoint:
    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        deliveries: DeliveryLedger,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._secret = signing_secret.encode()
        self._deliveries = deliveries
        self._clock = clock
        self._rejections = LogThrottle(per_minute=3)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp caps the size (413 beyond client_max_size)
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        problem = self.problem(timestamp, signature, body)
        if problem is not None:
            self._reject(problem, request)
            return web.Response(status=401, text="invalid request signature")
        if not await self._deliveries.first_time(f"slack-request:{signature}"):
            self._reject("replayed request", request)
            return web.Response(status=200)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),
            )
            response = await self._app.async_dispatch(bolt_request)
        except Exception:  # not UTF-8, or a shape Bolt cannot read: no real Slack sends it
            self._reject("unreadable signed body", request)
            return web.Response(status=400, text="unreadable request")
        return await to_aiohttp_response(response)

    def problem(self, timestamp: str, signature: str, body: bytes) -> str | None:
        """Why the request is not from Slack, or None."""
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            return "bad timestamp"
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return "stale timestamp"
        basestring = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, basestring, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return "bad signature"
        return None

    def _reject(self, problem: str, request: web.Request) -> None:
        dropped = self._rejections.admit(problem)
        if dropped is None:
            return
        more = f" ({dropped} more dropped)" if dropped else ""
        log.info("refused a Slack request: %s from %s%s", problem, request.remote, more)
