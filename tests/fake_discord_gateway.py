"""The fake Discord's gateway, sharded as Discord shards it (`FakeGateway`, the base of
`FakeDiscord`).

- `GET /api/v10/gateway/bot`: the gateway's URL, the recommended shard count
  (`recommended_shards`) and the session start limit.
- The websocket at `/gateway`: HELLO, IDENTIFY (token checked; `shard: [id, count]` honoured),
  READY (`user`, `guilds`, `session_id`, `resume_gateway_url`, `application`, and `shard` when
  identified with one) listing only the guilds of the session's shard — those with
  `(guild_id >> 22) % count == id`; every guild for a session without `shard` — then one
  GUILD_CREATE for each; heartbeats answered with HEARTBEAT_ACK. Uncompressed JSON text frames,
  which discord.py accepts.
- `dispatch(event, data)` sends an event to the sessions Discord would send it to: a guild's to
  the sessions whose shard owns the guild, a DM's to shard 0, and every event to each session that
  identified without a shard.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_discord_payloads import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    GUILD_IDS,
    guild_create,
    shard_of,
    user,
)
from tests.loopback import LoopbackServer

API = "/api/v10"


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly application/json: discord.py's json_or_text checks the header verbatim.
    return web.Response(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class GatewaySession:
    socket: web.WebSocketResponse
    shard: tuple[int, int] | None  # (shard_id, shard_count) from IDENTIFY; None: unsharded

    def owns(self, guild_id: str | None) -> bool:
        """Whether Discord sends this session the events of `guild_id` (None: a DM)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


class FakeGateway(LoopbackServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.identified = threading.Event()
        self.heartbeats = 0
        self.connections = 0  # gateway sessions opened; more than one means a reconnect
        self.heartbeat_interval_ms = 41_250  # Discord's; tests shorten it to see heartbeats
        self.recommended_shards = 1  # what `GET /gateway/bot` recommends
        self.guild_locale = "en-US"  # every guild's preferred locale (its community language)
        self.sessions: list[GatewaySession] = []  # identified and still open
        self.identifies: list[tuple[int, int] | None] = []  # each IDENTIFY's shard, in order
        self._seq = itertools.count(1)

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    def gateway_routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(f"{API}/gateway/bot", self._gateway_bot)

    def dispatch(self, event: str, data: dict[str, Any]) -> list[tuple[int, int] | None]:
        """Send a gateway event where Discord would (see the module's doc); the shards of the
        sessions it went to (None for an unsharded one)."""
        assert self._loop is not None
        guild_id = data.get("guild_id")
        sessions = [session for session in self.sessions if session.owns(guild_id)]

        async def send() -> None:
            for session in sessions:
                await self._send(session.socket, event, data)

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(5)
        return [session.shard for session in sessions]

    async def _send(self, socket: web.WebSocketResponse, event: str, data: Any) -> None:
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        await socket.send_str(json.dumps(frame))

    async def _gateway_bot(self, request: web.Request) -> web.StreamResponse:
        _, scripted = await self.record(request)
        if request.headers.get("Authorization") != f"Bot {BOT_TOKEN}":
            return json_reply(401, {"message": "401: Unauthorized", "code": 0})
        if scripted is not None:
            played = await self.play(request, scripted)
            if played is not None:
                return played
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_reply(
            200,
            {
                "url": self.gateway_url,
                "shards": self.recommended_shards,
                "session_start_limit": limit,
            },
        )

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await socket.prepare(request)
        self.connections += 1
        hello = {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        await socket.send_str(json.dumps(hello))
        session: GatewaySession | None = None
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op = message.get("op")
            if op == 1:
                self.heartbeats += 1
                await socket.send_str(json.dumps({"op": 11}))
            elif op == 2:
                identify = message["d"]
                if identify.get("token") != BOT_TOKEN:
                    await socket.close(code=4004, message=b"Authentication failed.")
                    break
                shard = identify.get("shard")
                session = GatewaySession(socket, (shard[0], shard[1]) if shard else None)
                self.identifies.append(session.shard)
                self.sessions.append(session)
                await self._send_ready(session)
                self.identified.set()
        if session in self.sessions:
            self.sessions.remove(session)
        return socket

    async def _send_ready(self, session: GatewaySession) -> None:
        guilds = [guild for guild in GUILD_IDS if session.owns(guild)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": user(BOT_ID, "Trend Scout", bot=True),
            "guilds": [{"id": guild, "unavailable": True} for guild in guilds],
            "session_id": f"fake-session-{self.connections}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        await self._send(session.socket, "READY", ready)
        for guild in guilds:
            created = guild_create(guild) | {"preferred_locale": self.guild_locale}
            await self._send(session.socket, "GUILD_CREATE", created)
