"""Running the chat adapters: the configured platforms in one asyncio loop, sharing one service
and one per-user limiter, until SIGTERM or SIGINT; then no new work is taken and in-flight replies
get up to 25 seconds to finish (Heroku kills 30 s after SIGTERM).

Platforms: `slack-socket` (Socket Mode), `slack-http` (Slack's HTTP endpoint on $PORT, with
`GET /healthz`) and `discord` (the gateway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.config import Settings
from bot.service import RecommendationService
from bot.state.delivery_ledger import DeliveryLedger
from bot.state.user_limits import UserLimiter

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25
DISCORD_READY_SECONDS = 60
PLATFORMS = ("slack-socket", "slack-http", "discord")

Health = Callable[[], Awaitable[dict[str, bool]]]  # adapter name → connected


@dataclass(frozen=True)
class SharedState:
    """What every adapter of the process (and, with Redis, every worker) keeps together:
    per-user command counts and the deliveries already handled."""

    users: UserLimiter
    deliveries: DeliveryLedger


class StartupError(Exception):
    """A platform could not start; the message is the one line the operator reads."""


async def _nothing() -> None:
    return None


@dataclass
class Running:
    description: str
    in_flight: set[asyncio.Task[None]]
    health: Health
    stop_accepting: Callable[[], Awaitable[None]] = _nothing  # no new commands from here on
    close: Callable[[], Awaitable[None]] = _nothing  # after in-flight replies are out
    web_app: web.Application | None = None  # served on $PORT


async def start_slack(
    service: RecommendationService,
    settings: Settings,
    shared: SharedState,
    socket_mode: bool,
    http: bool,
) -> Running:
    from slack_sdk.errors import SlackApiError

    from adapters.slack import SlackAdapter

    slack = SlackAdapter(service, settings, shared.users, shared.deliveries)
    try:
        identity = await slack.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise StartupError(f"SLACK_BOT_TOKEN was rejected by Slack ({error})") from None
    modes = []
    if socket_mode:
        try:
            await slack.start_socket_mode()
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise StartupError(f"SLACK_APP_TOKEN was rejected by Slack ({error})") from None
        modes.append("Socket Mode")
    if http:
        modes.append(f"HTTP on port {settings.port}")

    async def health() -> dict[str, bool]:
        states = {}
        if socket_mode:
            states["slack_socket_mode"] = await slack.socket_connected()
        if http:
            states["slack_http"] = True  # this answer came through it
        return states

    return Running(
        f"Slack as {identity.get('user')} ({' and '.join(modes)})",
        slack.in_flight,
        health,
        stop_accepting=slack.close,  # replies go out through response_url and the Web API
        web_app=slack.web_app() if http else None,
    )


async def start_discord(
    service: RecommendationService, settings: Settings, shared: SharedState
) -> Running:
    import discord

    from adapters.discord_bot import DiscordAdapter

    bot = DiscordAdapter(service, settings, shared.users)
    connection = asyncio.create_task(bot.start())
    ready = asyncio.create_task(bot.client.wait_until_ready())
    done, _pending = await asyncio.wait(
        {connection, ready}, timeout=DISCORD_READY_SECONDS, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        problem = connection.exception() if connection in done else None
        await bot.close()
        if isinstance(problem, discord.LoginFailure):
            raise StartupError("DISCORD_BOT_TOKEN was rejected by Discord")
        reason = type(problem).__name__ if problem else f"no READY in {DISCORD_READY_SECONDS} s"
        raise StartupError(f"Discord could not be reached ({reason})")

    async def health() -> dict[str, bool]:
        return {"discord": bot.connected}

    async def stop_accepting() -> None:
        bot.accepting = False  # replies in flight still need the client, so it stays open

    async def close() -> None:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection, 10)

    return Running(f"Discord as {bot.client.user}", bot.in_flight, health, stop_accepting, close)


async def _start(
    platforms: list[str],
    service: RecommendationService,
    settings: Settings,
    shared: SharedState,
) -> list[Running]:
    running: list[Running] = []
    socket_mode, http = "slack-socket" in platforms, "slack-http" in platforms
    if socket_mode or http:
        running.append(await start_slack(service, settings, shared, socket_mode, http))
    if "discord" in platforms:
        running.append(await start_discord(service, settings, shared))
    return running


class HealthCheck:
    """`GET /healthz`: 200 when every adapter is connected, else 503; the JSON says which."""

    def __init__(self, service: RecommendationService, running: list[Running]) -> None:
        self._service = service
        self._running = running
        self._started = time.monotonic()
        self.stopping = False

    async def handle(self, _request: web.Request) -> web.Response:
        adapters: dict[str, bool] = {}
        for platform in self._running:
            adapters.update(await platform.health())
        healthy = all(adapters.values()) and not self.stopping
        body = {
            "status": "stopping" if self.stopping else "ok" if healthy else "degraded",
            "adapters": {
                name: "connected" if up else "disconnected" for name, up in adapters.items()
            },
            "model_circuit": self._service.router.breaker.state.value,
            "cache": self._service.cache.backend,
            "in_flight": sum(len(r.in_flight) for r in self._running),
            "uptime_seconds": round(time.monotonic() - self._started),
        }
        return web.json_response(body, status=200 if healthy else 503)


async def _serve_http(app: web.Application, health: HealthCheck, port: int) -> web.AppRunner:
    app.router.add_get("/healthz", health.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
    return runner


async def serve(
    service: RecommendationService,
    settings: Settings,
    platforms: list[str],
    shared: SharedState,
) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 1 when a platform could not start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    running: list[Running] = []
    health = HealthCheck(service, running)
    http: web.AppRunner | None = None
    try:
        running.extend(await _start(platforms, service, settings, shared))
        for platform in running:
            if platform.web_app is not None:
                http = await _serve_http(platform.web_app, health, settings.port)
        log.info(
            "Trend Scout on %s; models %s; cache %s; App Store %s",
            ", ".join(r.description for r in running),
            " → ".join(settings.model_chain),
            _cache_summary(service, settings),
            settings.appstore_country,
        )
        await stop.wait()
        in_flight = set().union(*(r.in_flight for r in running))
        log.info("stopping: no new commands; finishing %d in flight", len(in_flight))
        return 0
    except StartupError as exc:
        log.error("%s", exc)
        return 1
    finally:
        health.stopping = True
        if http is not None:
            await http.cleanup()
        for platform in running:
            await platform.stop_accepting()
        in_flight = set().union(*(r.in_flight for r in running))
        if in_flight:
            await asyncio.wait(in_flight, timeout=SHUTDOWN_GRACE_SECONDS)
        for platform in running:
            await platform.close()
        log.info("stopped")


def _cache_summary(service: RecommendationService, settings: Settings) -> str:
    backend = service.cache.backend
    if backend == "memory":
        return f"memory (TTL {settings.cache_ttl_seconds} s, {settings.cache_max_entries} entries)"
    return f"{backend} (TTL {settings.cache_ttl_seconds} s)"
