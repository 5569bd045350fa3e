"""Running the chat adapters: every configured platform in one asyncio loop, sharing one service
and one per-user limiter, until SIGTERM or SIGINT; then no new work is taken and in-flight replies
get up to 25 seconds to finish (Heroku kills 30 s after SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.service import RecommendationService
from bot.user_limits import UserRateLimiter

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25
DISCORD_READY_SECONDS = 60


class StartupError(Exception):
    """A platform could not start; the message is the one line the operator reads."""


@dataclass
class Running:
    description: str
    in_flight: set[asyncio.Task[None]]
    stop_accepting: Callable[[], Awaitable[None]]  # no new commands from here on
    close: Callable[[], Awaitable[None]]  # after in-flight replies are out


async def start_slack(
    service: RecommendationService, settings: Settings, limiter: UserRateLimiter
) -> Running:
    from aiohttp import web
    from slack_sdk.errors import SlackApiError

    from adapters.slack import SlackAdapter

    slack = SlackAdapter(service, settings, limiter)
    try:
        identity = await slack.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise StartupError(f"SLACK_BOT_TOKEN was rejected by Slack ({error})") from None
    modes = []
    runner: web.AppRunner | None = None
    if settings.slack_app_token:
        try:
            await slack.start_socket_mode()
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise StartupError(f"SLACK_APP_TOKEN was rejected by Slack ({error})") from None
        modes.append("Socket Mode")
    if settings.slack_signing_secret:
        runner = web.AppRunner(slack.web_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", settings.port).start()
        modes.append(f"HTTP on port {settings.port}")

    async def stop_accepting() -> None:
        await slack.close()
        if runner is not None:
            await runner.cleanup()

    async def close() -> None:
        return None  # replies go through response_url or the Web API: nothing left to close

    return Running(
        f"Slack as {identity.get('user')} ({' and '.join(modes)})",
        slack.in_flight,
        stop_accepting,
        close,
    )


async def start_discord(
    service: RecommendationService, settings: Settings, limiter: UserRateLimiter
) -> Running:
    import discord

    from adapters.discord_bot import DiscordAdapter

    bot = DiscordAdapter(service, settings, limiter)
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

    async def stop_accepting() -> None:
        bot.accepting = False  # replies in flight still need the client, so it stays open

    async def close() -> None:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection, 10)

    return Running(f"Discord as {bot.client.user}", bot.in_flight, stop_accepting, close)


STARTERS = {"slack": start_slack, "discord": start_discord}


async def serve(service: RecommendationService, settings: Settings, platforms: list[str]) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 1 when a platform could not start."""
    limiter = UserRateLimiter(settings.user_commands_per_minute)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    running: list[Running] = []
    try:
        for platform in platforms:
            running.append(await STARTERS[platform](service, settings, limiter))
        log.info(
            "Trend Scout on %s; models %s; App Store %s",
            ", ".join(r.description for r in running),
            ", ".join(settings.model_chain),
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
        for platform in running:
            await platform.stop_accepting()
        in_flight = set().union(*(r.in_flight for r in running))
        if in_flight:
            await asyncio.wait(in_flight, timeout=SHUTDOWN_GRACE_SECONDS)
        for platform in running:
            await platform.close()
