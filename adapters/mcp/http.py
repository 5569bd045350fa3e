"""`/mcp` on the web process's port: the MCP server over streamable HTTP, for assistants
elsewhere (Claude, Cursor, Slack), when MCP_TOKEN is set.

Every request must carry `Authorization: Bearer <MCP_TOKEN>` (compared in constant time);
without it, or with another token, it is a 401 with `WWW-Authenticate: Bearer` and a JSON error,
and it never reaches the MCP application (a few short log lines a minute about refusals, never
a token). The SDK's `StreamableHTTPSessionManager` answers the rest through the ASGI bridge —
stateless, so that any web process can answer any request (several web dynos need no shared
session): each POST is answered on its own, as a server-sent event stream (its first byte goes
out at once, so a long market scan is not cut by a router's first-byte timeout). There is no
stream to GET (405); a DELETE is the SDK's to answer. The port's limits apply as to any request
(connection cap, body size, queueing). Calls are `Caller("mcp", "http")`: one per-user limit for
the token's holder, one `command answered` line per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging

from aiohttp import web
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from adapters.mcp.asgi import AsgiBridge
from adapters.mcp.server import build_server
from adapters.mcp.tools import ScoutTools
from adapters.port import Adapter
from bot.intake import Conversation
from bot.runtime import Caller, LogThrottle

log = logging.getLogger(__name__)

PATH = "/mcp"
HTTP_CALLER = Caller("mcp", "http")
MAX_BODY = 1024 * 1024  # the port's own cap; MCP requests are a few KiB
DELIVERY_SECONDS = 5.0  # of the shutdown grace, what answering takes after model calls end
SDK_REQUEST_LOGGER = "mcp.server.streamable_http"


class McpHttpEndpoint:
    """The bearer check in front of the SDK's streamable HTTP application."""

    def __init__(self, token: str, tools: ScoutTools) -> None:
        if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            logging.getLogger(SDK_REQUEST_LOGGER).setLevel(logging.WARNING)  # a line per request
        self._token = token.encode()
        self.manager = StreamableHTTPSessionManager(
            app=build_server(tools),
            stateless=True,
            max_request_body_size=MAX_BODY,
        )
        self._bridge = AsgiBridge(self.manager.handle_request)
        self._refusals = LogThrottle(per_minute=3)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.running = False
        self.accepting = True
        self.in_flight = 0

    async def start(self) -> None:
        """Run the SDK's session manager (its task group) in a task of its own until `aclose`."""
        ready = asyncio.Event()

        async def keep_running() -> None:
            async with self.manager.run():
                self.running = True
                ready.set()
                await self._stop.wait()
            self.running = False

        self._task = asyncio.ensure_future(keep_running())
        waiter = asyncio.ensure_future(ready.wait())
        await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._task.done():
            self._task.result()  # it failed to start: raise why

    async def aclose(self) -> None:
        self.accepting = False
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.authorized(request.headers.get("Authorization", "")):
            self._refuse(request)
            return web.json_response(
                {"error": "unauthorized", "error_description": _UNAUTHORIZED},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="trend-scout"'},
            )
        if not (self.accepting and self.running):
            return web.json_response(
                {"error": "unavailable", "error_description": _UNAVAILABLE},
                status=503,
                headers={"Retry-After": "5"},
            )
        if request.method == "GET":  # stateless: no stream of the server's own to open
            return web.json_response(
                {"error": "method not allowed", "error_description": "POST MCP messages here"},
                status=405,
                headers={"Allow": "POST, DELETE"},
            )
        self.in_flight += 1
        try:
            return await self._bridge.handle(request)
        finally:
            self.in_flight -= 1

    def authorized(self, header: str) -> bool:
        scheme, _, presented = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(presented.strip().encode(), self._token)

    def _refuse(self, request: web.Request) -> None:
        dropped = self._refusals.admit("mcp")
        if dropped is None:
            return
        what = "a wrong" if request.headers.get("Authorization") else "no"
        more = f" ({dropped} more dropped)" if dropped else ""
        log.info(
            "refused an MCP request with %s bearer token from %s%s", what, request.remote, more
        )


_UNAUTHORIZED = "send Authorization: Bearer <MCP_TOKEN>"
_UNAVAILABLE = "Trend Scout is starting or restarting; try again in a few seconds"


class McpAdapter(Adapter):
    """/mcp as a part of the process the supervisor runs: started and stopped with the others,
    mounted on the web app of the process (see `mount`), in /healthz as `mcp`."""

    name = "mcp"
    platform = "mcp"

    def __init__(self, conversation: Conversation, token: str, port: int, grace: float) -> None:
        super().__init__(conversation)
        tools = ScoutTools(conversation.service, HTTP_CALLER, conversation.limiter)
        self.endpoint = McpHttpEndpoint(token, tools)
        self.port = port
        self._grace = grace

    async def start(self) -> str:
        await self.endpoint.start()
        return f"MCP at {PATH} on port {self.port} (bearer token)"

    def mount(self, app: web.Application) -> None:
        """Serve /mcp on `app` (the process's public port), before it starts."""
        app.router.add_route("*", PATH, self.endpoint.handle)
        app.on_shutdown.append(self._port_closing)

    async def _port_closing(self, _app: web.Application) -> None:
        """The port is closing: no new calls; the port waits for the ones running, whose model
        calls are cut off in time for them to answer within the shutdown grace."""
        self.endpoint.accepting = False
        if self.endpoint.in_flight:
            cutoff = max(0.0, self._grace - min(DELIVERY_SECONDS, self._grace * 0.4))
            self.conversation.service.wind_down(cutoff)

    async def health(self) -> dict[str, bool]:
        return {"mcp": self.endpoint.running}

    async def stop_accepting(self) -> None:
        await super().stop_accepting()
        self.endpoint.accepting = False

    async def close(self) -> None:
        await self.endpoint.aclose()
