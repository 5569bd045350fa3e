"""Plumbing shared by the loopback fakes: a real aiohttp server on 127.0.0.1 in its own thread and
event loop (so in-process clients, subprocesses and benchmarks can all use it), a record of every
request, and scripted faults that each serve one request before normal behaviour resumes."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    """One scripted upstream behaviour."""

    status: int = 200
    body: bytes | None = None  # None: the fake's normal answer (with `headers` added)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    content_type: str = "application/json"

    @classmethod
    def error(
        cls, status: int, error: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> Reply:
        return cls(status, json.dumps({"error": error}).encode(), headers or {}, delay)

    @classmethod
    def raw(cls, status: int, body: bytes, content_type: str = "application/json") -> Reply:
        return cls(status, body, content_type=content_type)

    @classmethod
    def html(cls, status: int) -> Reply:
        page = f"<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1>"
        return cls(status, page.encode(), content_type="text/html")


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    at: float


class LoopbackServer:
    """Subclasses add routes in `routes()` and answer through `respond()`."""

    name = "loopback"

    def __init__(self, port: int = 0) -> None:
        self.requests: list[RecordedRequest] = []
        self._script: deque[tuple[str | None, Reply]] = deque()
        self._lock = threading.Lock()
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    # -- scripting -----------------------------------------------------------------------
    def enqueue(self, *replies: Reply, path: str | None = None) -> None:
        """Script the next requests (to `path` only, when given), one reply each."""
        with self._lock:
            self._script.extend((path, reply) for reply in replies)

    def always(self, reply: Reply, count: int = 1000, path: str | None = None) -> None:
        """Every one of the next `count` requests (to `path`) gets `reply`."""
        self.enqueue(*[reply] * count, path=path)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            future.result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _shutdown(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
        # Handlers still hanging on purpose (scripted hangs) end here, not at loop close.
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application(client_max_size=4 * 1024 * 1024)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self._port, backlog=1024)
        self._loop.run_until_complete(site.start())
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    # -- request handling ----------------------------------------------------------------
    async def record(self, request: web.Request) -> tuple[Any, Reply | None]:
        """Record the request; return its parsed body and the scripted reply, if any."""
        raw = await request.read()
        body: Any
        if request.content_type == "multipart/form-data":  # Discord's uploads
            body = multipart_body(raw, request.headers["Content-Type"])
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
        self.requests.append(
            RecordedRequest(
                request.path, dict(request.query), dict(request.headers), body, time.monotonic()
            )
        )
        with self._lock:
            scripted = None
            for index, (path, reply) in enumerate(self._script):
                if path is None or path == request.path:
                    scripted = reply
                    del self._script[index]
                    break
        return body, scripted

    async def play(self, request: web.Request, reply: Reply) -> web.StreamResponse | None:
        """Act out a scripted reply; None means "answer normally, adding reply.headers"."""
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.hang:
            await asyncio.sleep(3600)
        if reply.reset:
            reset_connection(request)
            return web.Response(status=500)  # never reaches the client
        if reply.body is None:
            return None
        response = web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        response.content_type = reply.content_type
        return response


def json_response(
    status: int,
    payload: Any,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> web.Response:
    response = web.Response(status=status, body=json.dumps(payload).encode(), headers=headers)
    response.content_type = content_type
    return response


def reset_connection(request: web.Request) -> None:
    """Close the socket with an RST, as a crashed proxy would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def multipart_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """A multipart form as Discord reads one: the JSON of its `payload_json` part, with the
    uploaded files under "files" (name, type, size and their text, for tests to read)."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    body: dict[str, Any] = {}
    files = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True) or b""
        if part.get_param("name", header="content-disposition") == "payload_json":
            body.update(json.loads(data))
        else:
            files.append(
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(data),
                    "text": data.decode("utf-8", "replace"),
                }
            )
    body["files"] = files
    return body
