"""The public port ($PORT): aiohttp's server behind a guard that keeps it alive on the open
internet.

aiohttp has no deadline for a request's headers and no cap on connections, so a few thousand
idle or trickling clients can hold every file descriptor. The guard closes a connection that has
not sent its request headers within `header_seconds`, and at `max_connections` makes room for a
newcomer by closing the oldest such header-less connection (or turns the newcomer away when every
connection is busy with a real request) — so `/healthz` and Slack still get in. Idle keep-alive
connections are closed by aiohttp after `KEEPALIVE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
from collections.abc import Callable

from aiohttp import web

log = logging.getLogger(__name__)

HEADER_SECONDS = 5.0
KEEPALIVE_SECONDS = 15.0
MAX_CONNECTIONS = 512
_END_OF_HEADERS = b"\r\n\r\n"


def raise_open_file_limit() -> int:
    """Lift this process's soft limit on open files to the hard one; return the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return soft


class ConnectionGuard:
    """A protocol factory wrapping aiohttp's: counts, times and evicts connections."""

    def __init__(
        self,
        factory: Callable[[], asyncio.Protocol],
        header_seconds: float = HEADER_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._factory = factory
        self.header_seconds = header_seconds
        self.max_connections = max_connections
        self.open: set[_GuardedConnection] = set()
        self.awaiting_headers: dict[_GuardedConnection, None] = {}  # oldest first
        self.turned_away = 0

    def __call__(self) -> asyncio.Protocol:
        return _GuardedConnection(self, self._factory())

    def admit(self, connection: _GuardedConnection) -> bool:
        if len(self.open) >= self.max_connections:
            if not self.awaiting_headers:
                self.turned_away += 1
                return False
            oldest = next(iter(self.awaiting_headers))
            oldest.drop()
        self.open.add(connection)
        self.awaiting_headers[connection] = None
        return True

    def headers_arrived(self, connection: _GuardedConnection) -> None:
        self.awaiting_headers.pop(connection, None)

    def forget(self, connection: _GuardedConnection) -> None:
        self.open.discard(connection)
        self.awaiting_headers.pop(connection, None)


class _GuardedConnection(asyncio.Protocol):
    """Passes everything to aiohttp's protocol, watching for the end of the first request's
    headers."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self._guard = guard
        self._inner = inner
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tail = b""
        self._admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if not self._guard.admit(self):
            transport.abort()
            return
        self._admitted = True
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._guard.header_seconds, self.drop)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            seen = self._tail + data
            if _END_OF_HEADERS in seen:
                self._timer.cancel()
                self._timer = None
                self._guard.headers_arrived(self)
            else:
                self._tail = seen[-(len(_END_OF_HEADERS) - 1) :]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._guard.forget(self)
        if self._admitted:
            self._inner.connection_lost(exc)

    def drop(self) -> None:
        """Close a connection that never sent its headers (too slow, or making room)."""
        self._guard.forget(self)
        if self._transport is not None:
            self._transport.abort()


class WebServer:
    """An aiohttp application served on a port behind a `ConnectionGuard`."""

    def __init__(self, runner: web.AppRunner, server: asyncio.Server, guard: ConnectionGuard):
        self._runner = runner
        self._server = server
        self.guard = guard

    @classmethod
    async def start(
        cls,
        app: web.Application,
        port: int,
        host: str = "0.0.0.0",
        header_seconds: float = HEADER_SECONDS,
        max_connections: int | None = None,
    ) -> WebServer:
        if max_connections is None:  # leave most descriptors to outgoing calls and the rest
            max_connections = max(16, min(MAX_CONNECTIONS, raise_open_file_limit() // 4))
        runner = web.AppRunner(app, access_log=None, keepalive_timeout=KEEPALIVE_SECONDS)
        await runner.setup()
        assert runner.server is not None
        guard = ConnectionGuard(runner.server, header_seconds, max_connections)
        # asyncio accepts up to `backlog` connections per wake-up before closing any it drops;
        # a small batch keeps descriptors free under a flood.
        backlog = max(8, min(128, max_connections // 4))
        server = await asyncio.get_running_loop().create_server(guard, host, port, backlog=backlog)
        return cls(runner, server, guard)

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    async def aclose(self) -> None:
        self._server.close()
        await self._runner.cleanup()
