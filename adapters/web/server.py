"""The public port ($PORT): aiohttp's server behind limits that keep it answering on the open
internet — `/healthz` and Slack get in however many clients idle, trickle or burst.

- Connections (`adapters.web.connections`): at most `max_connections` open, sized from the
  open-file limit (whose soft value is first raised toward the hard one). Only working
  connections (and ones opened less than `slow_seconds` ago) hold their place: at the cap, idle
  keep-alives are closed (longest idle first), then clients slow to send their headers; when
  every connection is working, accepting stops and newcomers wait in the listen queue
  (`backlog`, clamped by the kernel to somaxconn) — none is reset. Headers must arrive within
  `header_seconds`.
- Requests (`RequestGate`): a body over `max_body` bytes is a 413 and one not in within
  `body_seconds` a 408, before the application sees it. A request that would reach the
  application more than `queue_seconds` after its headers arrived (the loop that far behind, or
  no work slot free in time) is a 503 with Retry-After and a one-line body: Slack has given up by
  then, and the refusal costs next to nothing. By default every working connection's request
  runs at once — in one event loop, acknowledgements then go out ahead of the work they start
  (bot.intake yields to them); a lower `max_working` queues the rest, first come, first served.
  `GET /healthz` skips the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from adapters.web.connections import ConnectionGuard, ConnectionStats, Listener

log = logging.getLogger(__name__)

HEADER_SECONDS = 10.0  # a request's headers, from connect or from its first byte
SLOW_SECONDS = 0.25  # this long without its headers, a connection may make room
KEEPALIVE_SECONDS = 15.0  # aiohttp closes an idle keep-alive connection after this
LINGER_SECONDS = 2.0  # reading (and dropping) an unread body before closing after a refusal
BODY_SECONDS = 10.0
MAX_BODY = 1024 * 1024  # Slack's payloads are a few KiB
MAX_CONNECTIONS = 4096  # memory, not descriptors, bounds it beyond this
BACKLOG = 4096  # the kernel clamps it to net.core.somaxconn
QUEUE_SECONDS = 2.5  # a request this late for the application is refused: Slack gives up at 3 s
MAX_QUEUED = 4096
OPEN_FILES_CEILING = 65536
PRIORITY_PATHS = frozenset({"/healthz"})

_raised_logged = False

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


def raise_open_file_limit() -> int:
    """Lift this process's soft limit on open files toward the hard one (at most
    `OPEN_FILES_CEILING`), logging the first raise; return the soft limit."""
    global _raised_logged
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = OPEN_FILES_CEILING if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_CEILING)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            if not _raised_logged:
                log.info("open-file limit raised from %d to %d", soft, target)
                _raised_logged = True
            soft = target
    return soft


def connection_cap(open_files: int) -> int:
    """Connections to serve under `open_files` descriptors, leaving a quarter (at least 96) to
    the rest: the database (SQLite takes three per connection), outgoing calls (a burst of
    commands opens hundreds) and connections being closed."""
    return max(16, min(MAX_CONNECTIONS, open_files - max(96, open_files // 4)))


def somaxconn() -> int | None:
    """The kernel's ceiling on a listen backlog, when it can be read."""
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return None


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class WorkSlots:
    """`slots` requests at a time; the rest wait first come, first served, with at most
    `max_waiting` waiting."""

    def __init__(self, slots: int, max_waiting: int) -> None:
        self.free = slots
        self._max_waiting = max_waiting
        self._waiters: deque[asyncio.Future[bool]] = deque()

    async def acquire(self, within: float) -> bool:
        """True with a slot held (give it back with `release`); False if none came `within`
        seconds."""
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return True
        if len(self._waiters) >= self._max_waiting or within <= 0:
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(within, self._expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release()  # handed a slot just as it was cancelled
            else:
                self._drop(waiter)
            raise
        finally:
            timer.cancel()

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)  # the slot passes straight on
                return
        self.free += 1

    def _expire(self, waiter: asyncio.Future[bool]) -> None:
        if not waiter.done():
            self._drop(waiter)
            waiter.set_result(False)

    def _drop(self, waiter: asyncio.Future[bool]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)


def _refusal(status: int, text: str, retry_after: int | None = None) -> web.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    response = web.Response(status=status, text=text + "\n", headers=headers)
    if status != 503:
        response.force_close()  # the rest of a refused body is not worth reading
    return response


class RequestGate:
    """The server's request handler around the application's: tells the connection's books a
    request started and when its response is written, enforces the body's size and deadline,
    and refuses (503) a request that reaches the application more than `queue_seconds` after
    its headers arrived — the loop that far behind, or no work slot free in time."""

    def __init__(
        self,
        handler: Handler,
        guard: ConnectionGuard,
        slots: WorkSlots,
        queue_seconds: float,
        max_body: int,
        body_seconds: float,
    ) -> None:
        self._handler = handler
        self._guard = guard
        self._slots = slots
        self._queue_seconds = queue_seconds
        self._max_body = max_body
        self._body_seconds = body_seconds
        self._loop = asyncio.get_running_loop()

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        connection = self._guard.by_protocol.get(request.protocol)
        task = asyncio.current_task()
        arrived = now = self._loop.time()
        if connection is not None and task is not None:
            connection.request_started()
            task.add_done_callback(connection.request_finished)  # after the response is written
            arrived = min(connection.since, now)
        refusal = await self._read_body(request)
        if refusal is not None:
            return refusal
        if request.method in ("GET", "HEAD") and request.path in PRIORITY_PATHS:
            return await self._handler(request)
        body_time = self._loop.time() - now  # the client's time, not ours
        late = arrived + body_time + self._queue_seconds - self._loop.time()
        if not await self._slots.acquire(late):
            self._guard.stats.refused_busy += 1
            return _refusal(503, "busy: retry shortly", retry_after=1)
        try:
            if request.transport is None or request.transport.is_closing():
                return _refusal(503, "client gone")  # it gave up waiting: start no work
            return await self._handler(request)
        finally:
            self._slots.release()

    async def _read_body(self, request: web.BaseRequest) -> web.Response | None:
        """Read the whole body (kept by aiohttp for the handler's `read()`), or a refusal."""
        length = request.content_length
        if length is not None and length > self._max_body:
            return _refusal(413, f"request body over {self._max_body} bytes")
        if not request.body_exists:
            return None
        expect = request.headers.get("Expect", "").lower()
        if expect == "100-continue" and request.version >= (1, 1):  # it waits for this
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0  # as aiohttp's own expect handler does
        try:
            async with asyncio.timeout(self._body_seconds):
                body = await request.read()
        except TimeoutError:
            return _refusal(408, "request body too slow")
        except web.HTTPRequestEntityTooLarge:
            return _refusal(413, f"request body over {self._max_body} bytes")
        except (ConnectionError, RequestPayloadError):
            return _refusal(400, "incomplete request body")
        if len(body) > self._max_body:
            return _refusal(413, f"request body over {self._max_body} bytes")
        return None


class WebServer:
    """An aiohttp application served on a port behind a `ConnectionGuard` and a `RequestGate`."""

    def __init__(self, runner: web.AppRunner, listener: Listener, guard: ConnectionGuard) -> None:
        self._runner = runner
        self._listener = listener
        self.guard = guard
        self.port = 0

    @classmethod
    async def start(
        cls,
        app: web.Application,
        port: int,
        host: str = "0.0.0.0",
        header_seconds: float = HEADER_SECONDS,
        max_connections: int | None = None,
        *,
        slow_seconds: float = SLOW_SECONDS,
        backlog: int = BACKLOG,
        max_working: int | None = None,
        queue_seconds: float = QUEUE_SECONDS,
        max_queued: int = MAX_QUEUED,
        max_body: int = MAX_BODY,
        body_seconds: float = BODY_SECONDS,
    ) -> WebServer:
        """Serve `app` on `host:port` (port 0: any free one, see `.port`). By default every
        working connection's request runs at once (`max_working`: one per connection); a
        lower `max_working` queues the rest, first come, first served."""
        open_files = raise_open_file_limit()
        if max_connections is None:
            max_connections = connection_cap(open_files)
        if max_working is None:
            max_working = max_connections
        runner = web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=KEEPALIVE_SECONDS,
            lingering_time=LINGER_SECONDS,
        )
        await runner.setup()
        server = runner.server
        assert server is not None
        spare = open_files - max_connections  # half of it for connections being closed
        guard = ConnectionGuard(
            server, max_connections, header_seconds, slow_seconds, max(1, min(64, spare // 2))
        )
        slots = WorkSlots(max_working, max_queued)
        server.request_handler = RequestGate(
            server.request_handler, guard, slots, queue_seconds, max_body, body_seconds
        )
        try:
            sock = listening_socket(host, port, backlog)
        except OSError:
            await runner.cleanup()
            raise
        listener = Listener(sock, guard)
        listener.resume()
        web_server = cls(runner, listener, guard)
        web_server.port = int(sock.getsockname()[1])
        ceiling = somaxconn()
        log.info(
            "serving :%d: up to %d connections (%d open files), listen backlog %d%s, "
            "%d requests at a time",
            web_server.port,
            max_connections,
            open_files,
            backlog if ceiling is None else min(backlog, ceiling),
            "" if ceiling is None or ceiling >= backlog else f" (somaxconn; asked {backlog})",
            max_working,
        )
        return web_server

    @property
    def stats(self) -> ConnectionStats:
        return self.guard.stats

    async def aclose(self) -> None:
        """Stop accepting, then close every connection (aiohttp lets running requests end)."""
        self._listener.close()
        await self._runner.cleanup()
