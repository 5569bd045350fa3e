"""The fake Slack's Socket Mode at `/socket`: a client that connected with the URL
`apps.connections.open` gave (`new_socket_url`) gets `hello`, then the envelopes the test
injects with `deliver` (Events API, slash commands, interactivity); every ack it sends back is
kept in `acks`. `socket_connected` is set once a client is connected."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import Any

from aiohttp import WSMsgType, web

from tests.loopback import LoopbackServer


class FakeSocketMode(LoopbackServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.acks: list[dict[str, Any]] = []
        self.socket_connected = threading.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ids = itertools.count(1)  # connection tickets and envelope ids

    def socket_routes(self, app: web.Application) -> None:
        app.router.add_get("/socket", self._socket)

    def new_socket_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/socket?ticket={next(self._socket_ids)}"

    def deliver(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope to every connected client; returns its envelope_id."""
        envelope_id = f"env-{next(self._socket_ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        assert self._loop is not None

        async def send() -> None:
            for socket in self._sockets:
                await socket.send_str(json.dumps(envelope))

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(5)
        return envelope_id

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0001"},
                }
            )
        )
        self.socket_connected.set()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(socket)
        return socket
