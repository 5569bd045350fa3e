"""The public port under slow, idle and too many clients: header deadline, connection cap that
makes room by closing idle connections, /healthz still answering, and no log flood."""

from __future__ import annotations

import asyncio
import resource
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from aiohttp import web

from adapters.web.server import WebServer
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.helpers import bot_process, free_port, health, stop_cleanly, wait_for, wait_until


@asynccontextmanager
async def idle_clients(port: int, count: int) -> AsyncIterator[list[socket.socket]]:
    """`count` connections that send nothing (half-open, as a slowloris leaves them), opened
    from a thread so that the server in this event loop can accept them meanwhile."""

    def connect() -> socket.socket:
        return socket.create_connection(("127.0.0.1", port), timeout=5)

    sockets = [await asyncio.to_thread(connect) for _ in range(count)]
    try:
        yield sockets
    finally:
        for client in sockets:
            client.close()


def closed_by_server(client: socket.socket) -> bool:
    client.setblocking(False)  # a socket with a timeout would wait for it before answering
    try:
        return client.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:  # open, nothing to read
        return False
    except OSError:  # reset: closed too
        return True


async def ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def test_idle_connections_are_closed_and_newcomers_get_in() -> None:
    app = web.Application()
    app.router.add_get("/healthz", ok)
    server = await WebServer.start(app, 0, host="127.0.0.1", header_seconds=0.5, max_connections=8)
    try:
        async with idle_clients(server.port, 30) as idle:
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{server.port}/healthz")
            assert response.status_code == 200  # room was made for it
            assert len(server.guard.open) <= 8
            await wait_for(
                lambda: all(closed_by_server(c) for c in idle), within=5, what="idle closed"
            )
    finally:
        await server.aclose()


async def test_trickled_headers_are_cut_off_but_a_prompt_request_is_served() -> None:
    app = web.Application()
    app.router.add_get("/healthz", ok)
    server = await WebServer.start(app, 0, host="127.0.0.1", header_seconds=0.5, max_connections=8)
    try:
        async with idle_clients(server.port, 1) as (slow,):
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            async with httpx.AsyncClient() as client:
                assert (await client.get(f"http://127.0.0.1:{server.port}/healthz")).text == "ok"
            await wait_for(lambda: closed_by_server(slow), within=5, what="the slow client closed")
    finally:
        await server.aclose()


def flood_size(wanted: int) -> int:
    """As many clients as this test process may open, up to `wanted` (a user's soft limit is
    often 1,024: lift it to the hard one first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        soft = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + 256)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return min(wanted, soft - 128)


def test_the_bot_survives_more_idle_clients_than_it_has_descriptors(tmp_path: Path) -> None:
    """1,100 half-open connections (or as many as this process may open, well past 256)
    against a worker allowed 256 open files: /healthz keeps answering, the connections are
    closed, and the log stays a few lines long."""
    port = free_port()
    with (
        FakeSlack() as slack,
        bot_process(
            tmp_path,
            "web",
            open_files=256,
            PORT=str(port),
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
        ) as web_process,
    ):
        wait_until(lambda: health(port) is not None, what="/healthz on $PORT")
        fds = Path(f"/proc/{web_process.popen.pid}/fd")
        baseline = len(list(fds.iterdir()))
        clients: list[socket.socket] = []
        try:
            for _ in range(flood_size(1100)):  # non-blocking, as a flood is
                client = socket.socket()
                client.setblocking(False)
                client.connect_ex(("127.0.0.1", port))
                clients.append(client)
            answered = [health(port) for _ in range(5)]
            assert all(r is not None and r.status_code == 200 for r in answered)
            # The bot's own view: every idle connection it took is closed again.
            wait_until(
                lambda: len(list(fds.iterdir())) <= baseline + 2,
                within=20,
                what="the idle connections to be closed",
            )
        finally:
            for client in clients:
                client.close()
        out = stop_cleanly(web_process, signal.SIGTERM)
    assert sum("accept" in line for line in out.splitlines()) <= 5
    assert len(out) < 20_000 and "Traceback" not in out, out
