"""Connection bookkeeping for the public port: which connections are working, which are idle and
which are slow to send their headers — and, when the cap needs room, which to close.

A connection is *working* from the end of a request's headers until that request's response is
written; it is never closed to make room. An *idle* keep-alive connection (its last response
written, no byte of a next request yet) is closed first when the cap is reached, oldest idle
first; then a connection still waiting for its headers for longer than `slow_seconds` (a
slowloris, or a client that connected and said nothing), oldest first. One with bytes already
waiting in the kernel is skipped: it is about to work. When nothing can be closed, the listener
stops accepting, and newcomers wait in the kernel's listen queue until a connection ends or goes
idle — none is reset. Independently of the cap, headers must arrive within `header_seconds`.
"""

from __future__ import annotations

import asyncio
import enum
import errno
import itertools
import logging
import select
import socket
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp.web_protocol import RequestHandler

from bot.runtime import LogThrottle

log = logging.getLogger(__name__)

_END_OF_HEADERS = b"\r\n\r\n"
_CANDIDATES = 16  # connections looked at per eviction: skipping busy ones stays O(1)
ACCEPT_BATCH = 256  # connections accepted per wake-up before other work gets a turn
_OUT_OF_DESCRIPTORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class State(enum.Enum):
    HEADERS = "awaiting headers"
    WORKING = "working"
    IDLE = "idle"


@dataclass
class ConnectionStats:
    """Counts since start: what was accepted, what was closed and why, how often the cap held."""

    accepted: int = 0
    closed_idle: int = 0  # idle keep-alives closed to make room
    closed_slow: int = 0  # slow-header connections closed to make room
    header_timeouts: int = 0  # closed for missing the header deadline
    accept_pauses: int = 0  # times the cap held and newcomers waited in the listen queue
    peak_open: int = 0
    refused_busy: int = 0  # requests answered 503: too late for the application


def has_input(transport: asyncio.BaseTransport | None) -> bool:
    """Whether bytes (or an end) from the peer wait in the kernel, not read yet."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    return sock is not None and _readable(sock.fileno())


def _readable(fd: int) -> bool:
    """Input waiting on `fd` (for a listening socket: a connection to accept)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Connection(asyncio.Protocol):
    """One accepted connection: passes everything to aiohttp's protocol (`inner`) and tells the
    guard when it starts waiting for headers, starts working, and goes idle."""

    def __init__(self, guard: ConnectionGuard, inner: RequestHandler) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.state = State.HEADERS
        self.since = 0.0  # loop time the current state began
        self.made = False
        self.requests = 0  # requests being handled (more than one only when pipelined)
        self.timer: asyncio.TimerHandle | None = None  # the header deadline
        self._tail = b""  # the last bytes seen while awaiting headers

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.made = True
        self.guard.opened(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.state is State.IDLE:
            self.guard.await_headers(self)
        if self.state is State.HEADERS:
            if _END_OF_HEADERS in data or _END_OF_HEADERS in self._tail + data[:3]:
                self._tail = b""
                self.guard.work(self)
            else:
                self._tail = (self._tail + data)[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        self.inner.connection_lost(exc)

    def request_started(self) -> None:
        """The application took a request from this connection (its headers are in)."""
        self.requests += 1
        if self.state is not State.WORKING:
            self.guard.work(self)

    def request_finished(self, _task: object = None) -> None:
        """A request's response is written: with none left, the connection is idle."""
        self.requests -= 1
        if self.requests <= 0 and self.state is State.WORKING:
            self.requests = 0
            self._tail = b""
            self.guard.go_idle(self)

    def close(self) -> None:
        """Close it now, as aiohttp closes an idle keep-alive connection."""
        self.guard.closing(self)
        self.inner.force_close()


class ConnectionGuard:
    """The protocol factory for the listener, and the books: every open connection by state.

    `make_room()` says whether one more connection may be accepted, closing an idle or a slow
    one if that is what it takes."""

    def __init__(
        self,
        factory: Callable[[], RequestHandler],
        max_connections: int,
        header_seconds: float,
        slow_seconds: float,
        max_closing: int = 32,
    ) -> None:
        self._factory = factory
        self.max_connections = max_connections
        # closed to make room but not yet lost: descriptors held beyond the cap, at most this
        self.max_closing = max_closing
        self.header_seconds = header_seconds
        self.slow_seconds = slow_seconds
        self.open: set[Connection] = set()
        self.awaiting: dict[Connection, None] = {}  # awaiting headers, oldest first
        self.idle: dict[Connection, None] = {}  # idle keep-alives, longest idle first
        self.by_protocol: dict[RequestHandler, Connection] = {}
        self.closing_now: set[Connection] = set()  # closed by us, not yet lost
        self.pending = 0  # accepted, not yet connected to a protocol
        self.stats = ConnectionStats()
        self.on_room: Callable[[], None] = lambda: None  # the listener's resume
        self._loop = asyncio.get_running_loop()

    def __call__(self) -> Connection:
        return Connection(self, self._factory())

    @property
    def working(self) -> int:
        return len(self.open) - len(self.awaiting) - len(self.idle)

    def opened(self, connection: Connection) -> None:
        self.pending = max(0, self.pending - 1)
        self.open.add(connection)
        self.by_protocol[connection.inner] = connection
        self.stats.peak_open = max(self.stats.peak_open, len(self.open))
        self._await(connection)

    def await_headers(self, connection: Connection) -> None:
        """An idle connection's next request has begun."""
        self.idle.pop(connection, None)
        if connection in self.open:
            self._await(connection)

    def _await(self, connection: Connection) -> None:
        connection.state = State.HEADERS
        connection.since = now = self._loop.time()
        self.awaiting[connection] = None
        connection.timer = self._loop.call_at(now + self.header_seconds, self._late, connection)

    def work(self, connection: Connection) -> None:
        connection.state = State.WORKING
        connection.since = self._loop.time()
        self.awaiting.pop(connection, None)
        self.idle.pop(connection, None)
        if connection.timer is not None:
            connection.timer.cancel()
            connection.timer = None

    def go_idle(self, connection: Connection) -> None:
        if connection not in self.open:
            return
        connection.state = State.IDLE
        connection.since = self._loop.time()
        self.idle[connection] = None
        self.on_room()

    def closing(self, connection: Connection) -> None:
        """Being closed by us: no longer open, but its descriptor counts until it is lost."""
        if connection in self.open:
            self._forget(connection)
            self.closing_now.add(connection)

    def closed(self, connection: Connection) -> None:
        """The connection is lost: its place (and descriptor) is free."""
        if connection in self.open:
            self._forget(connection)
        self.closing_now.discard(connection)
        self.on_room()

    def _forget(self, connection: Connection) -> None:
        self.open.discard(connection)
        self.awaiting.pop(connection, None)
        self.idle.pop(connection, None)
        self.by_protocol.pop(connection.inner, None)
        if connection.timer is not None:
            connection.timer.cancel()
            connection.timer = None

    def _late(self, connection: Connection) -> None:
        connection.timer = None
        if connection in self.awaiting:
            self.stats.header_timeouts += 1
            connection.close()

    def full(self) -> bool:
        return len(self.open) + len(self.closing_now) + self.pending >= self.max_connections

    def make_room(self) -> bool:
        """True when one more connection fits under the cap, if need be by closing the longest
        idle connection, else the oldest slow one. False when every one is working or new, or
        when `max_closing` closed ones still hold their descriptors (`on_room` says when one
        is lost)."""
        if not self.full():
            return True
        if len(self.closing_now) >= self.max_closing:
            return False
        for connection in itertools.islice(self.idle, _CANDIDATES):
            if not has_input(connection.transport):
                self.stats.closed_idle += 1
                connection.close()
                return True
        slow_since = self._loop.time() - self.slow_seconds
        for connection in itertools.islice(self.awaiting, _CANDIDATES):
            if connection.since > slow_since:
                break
            if not has_input(connection.transport):
                self.stats.closed_slow += 1
                connection.close()
                return True
        self.stats.accept_pauses += 1
        return False

    def next_room_at(self) -> float:
        """When a connection may next be closable without an event saying so: the oldest
        header-waiter's turn to count as slow (soon, at least; later, at most `slow_seconds`)."""
        now = self._loop.time()
        first = next(iter(self.awaiting), None)
        at = first.since + self.slow_seconds if first is not None else now + self.slow_seconds
        return max(at, now + 0.05)


class Listener:
    """Accepts connections on a listening socket while the guard has room. Without room it
    stops accepting, so newcomers wait in the kernel's listen queue (not reset), and starts
    again when a connection ends or goes idle, or one becomes slow enough to close."""

    def __init__(self, sock: socket.socket, guard: ConnectionGuard) -> None:
        self._sock = sock
        self._guard = guard
        self._loop = asyncio.get_running_loop()
        self._paused = True
        self._closed = False
        self._timer: asyncio.TimerHandle | None = None
        self._connecting: set[asyncio.Task[None]] = set()
        self._errors = LogThrottle(per_minute=1)
        guard.on_room = self.resume

    def resume(self) -> None:
        if self._paused and not self._closed:
            self._paused = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._loop.add_reader(self._sock.fileno(), self._accept)

    def _pause(self, until: float) -> None:
        if not self._paused:
            self._paused = True
            self._loop.remove_reader(self._sock.fileno())
        if self._timer is None:
            self._timer = self._loop.call_at(until, self._wake)

    def _wake(self) -> None:
        self._timer = None
        self.resume()

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if self._guard.full() and not _readable(self._sock.fileno()):
                return  # no one is waiting: close nothing to make room
            if not self._guard.make_room():
                self._pause(self._guard.next_room_at())
                return
            try:
                sock, _address = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _OUT_OF_DESCRIPTORS:  # wait for descriptors to be freed
                    self._log(f"cannot accept connections ({exc.strerror}); retrying")
                    self._pause(self._loop.time() + 0.5)
                    return
                continue  # e.g. ECONNABORTED: that client is gone already
            self._guard.stats.accepted += 1
            self._guard.pending += 1
            connection = self._guard()
            task = self._loop.create_task(self._connect(connection, sock))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _connect(self, connection: Connection, sock: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(lambda: connection, sock)
        except OSError:  # the client left before its transport was made
            self._forget(connection, sock)
        except asyncio.CancelledError:
            self._forget(connection, sock)
            raise

    def _forget(self, connection: Connection, sock: socket.socket) -> None:
        if not connection.made:
            self._guard.pending = max(0, self._guard.pending - 1)
            sock.close()

    def _log(self, message: str) -> None:
        dropped = self._errors.admit(message)
        if dropped is not None:
            log.warning("%s%s", message, f" ({dropped} more)" if dropped else "")

    def close(self) -> None:
        """Stop accepting and close the listening socket (open connections stay)."""
        if not self._closed:
            self._closed = True
            if not self._paused:
                self._loop.remove_reader(self._sock.fileno())
            if self._timer is not None:
                self._timer.cancel()
            for task in self._connecting:
                task.cancel()
            self._sock.close()
