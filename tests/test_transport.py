"""bot.runtime.transport: httpx over aiohttp, with aiohttp's failures as httpx's exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from bot.runtime.transport import AiohttpTransport, http_client
from tests.loopback import reset_connection


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'{"parts": ', b"[1, 2, ", b"3]}"):
            await response.write(part)
        await response.write_eof()
        return response

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"got": body.decode(), "ua": request.headers["User-Agent"]})

    async def reset(request: web.Request) -> web.Response:
        reset_connection(request)
        return web.Response()

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.Event().wait()  # an upstream that never answers (until the test ends)
        return web.Response()

    app = web.Application()
    app.router.add_get("/chunked", chunked)
    app.router.add_post("/echo", echo)
    app.router.add_get("/reset", reset)
    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = AiohttpTransport()
    yield http_client(transport, timeout=5)
    await transport.aclose()


async def test_a_chunked_response_streams_through(server: str, client: httpx.AsyncClient) -> None:
    response = await client.get(f"{server}/chunked")
    assert response.json() == {"parts": [1, 2, 3]}


async def test_bodies_and_default_headers_reach_the_server(
    server: str, client: httpx.AsyncClient
) -> None:
    response = await client.post(f"{server}/echo", json={"a": 1})
    assert response.json() == {"got": '{"a":1}', "ua": "TrendScout/0.1"}


async def test_refused_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ConnectError):
        await client.get("http://127.0.0.1:9/")


async def test_reset_connection_is_a_network_error_not_a_timeout(
    server: str, client: httpx.AsyncClient
) -> None:
    with pytest.raises(httpx.TransportError) as caught:
        await client.get(f"{server}/reset")
    assert not isinstance(caught.value, httpx.TimeoutException)


async def test_slow_answer_is_a_read_timeout(server: str, client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await client.get(f"{server}/slow", timeout=0.2)
