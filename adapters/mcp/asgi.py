"""An ASGI application served from an aiohttp handler: the MCP SDK's streamable HTTP transport
is ASGI, the public port is aiohttp (behind its connection and request limits).

One request is one ASGI `http` scope (ASGI 3, spec 2.3): the method, path, query, headers, client
and server as aiohttp has them. `receive` gives the whole body (the port's request gate has read
and capped it already), then waits for the client to go away (`http.disconnect`), which is also
what it says once the response is complete. `send` streams the response as it comes: headers on
`http.response.start`, each body part written at once (a server-sent event stream stays open for
as long as the application writes to it), the end on the last part. Writing to a client that has
gone is dropped quietly, as ASGI 2.3 asks. Any method passes (POST, GET, DELETE…): what each means
is the application's business. An application that fails before its response is a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DISCONNECT_POLL_SECONDS = 0.5  # how often a waiting `receive` checks that the client is there
_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"upgrade"})


class AsgiBridge:
    """Serves `app` for the aiohttp requests handed to `handle`."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        exchange = _Exchange(request, await request.read())
        try:
            await self.app(_scope(request), exchange.receive, exchange.send)
        except Exception:
            log.exception("ASGI application failed on %s %s", request.method, request.path)
            if exchange.response is None:
                return web.json_response({"error": "internal error"}, status=500)
        return await exchange.finish()


class _Exchange:
    """One request's `receive` and `send`, and the aiohttp response they build."""

    def __init__(self, request: web.Request, body: bytes) -> None:
        self.request = request
        self.body: bytes | None = body
        self.response: web.StreamResponse | None = None
        self.complete = False
        self.gone = False
        self.ended = asyncio.Event()  # the response is complete, or the client gone

    async def receive(self) -> Message:
        if self.body is not None:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        while not (self.ended.is_set() or self._client_gone()):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DISCONNECT_POLL_SECONDS):
                    await self.ended.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.response is not None:
                raise RuntimeError("the ASGI application started its response twice")
            self.response = _response(message)
            return
        if kind != "http.response.body":
            return  # trailers, push promises and the like: nothing aiohttp sends
        if self.response is None:
            raise RuntimeError("the ASGI application sent a body before its headers")
        if self.complete or self.gone:
            return
        try:
            if not self.response.prepared:
                await self.response.prepare(self.request)
            if chunk := bytes(message.get("body", b"")):
                await self.response.write(chunk)
            if not message.get("more_body", False):
                await self.response.write_eof()
                self.complete = True
                self.ended.set()
        except ConnectionError as exc:  # the client went away meanwhile
            log.debug("client gone while writing %s: %s", self.request.path, exc)
            self.gone = True
            self.ended.set()

    async def finish(self) -> web.StreamResponse:
        """The response the handler returns: ended if the application left it open."""
        response = self.response
        if response is None:
            return web.json_response({"error": "no response"}, status=500)
        if not (self.complete or self.gone):
            with contextlib.suppress(ConnectionError, RuntimeError):
                if not response.prepared:
                    await response.prepare(self.request)
                await response.write_eof()
        self.complete = True
        self.ended.set()
        return response

    def _client_gone(self) -> bool:
        transport = self.request.transport
        self.gone = self.gone or transport is None or transport.is_closing()
        return self.gone


def _scope(request: web.Request) -> Scope:
    path, _, _query = request.raw_path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": f"{request.version.major}.{request.version.minor}",
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": request.query_string.encode("latin-1", "replace"),
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in request.raw_headers],
        "client": _address(request.transport, "peername"),
        "server": _address(request.transport, "sockname"),
        "state": {},
    }


def _address(transport: asyncio.BaseTransport | None, which: str) -> tuple[str, int] | None:
    found = transport.get_extra_info(which) if transport is not None else None
    if isinstance(found, tuple) and len(found) >= 2:
        return str(found[0]), int(found[1])
    return None


def _response(start: Message) -> web.StreamResponse:
    response = web.StreamResponse(status=int(start["status"]))
    for name, value in start.get("headers", []):
        key = bytes(name).lower()
        if key in _HOP_BY_HOP:
            continue  # aiohttp frames the body and keeps the connection itself
        text = bytes(value).decode("latin-1")
        if key == b"content-length":
            response.content_length = int(text)
        else:
            response.headers.add(bytes(name).decode("latin-1"), text)
    return response
