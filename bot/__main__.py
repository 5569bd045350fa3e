"""Composition root: `python -m bot [console|slack] [--json]`.

Reads the configuration, builds the one RecommendationService of the process and starts the
adapter: Slack when its tokens are set (Socket Mode with SLACK_APP_TOKEN, HTTP on $PORT with
SLACK_SIGNING_SECRET), otherwise the console chat. The only module of `bot/` that may import
`adapters/` or a platform SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from adapters.console import ConsoleAdapter
from bot.cache import ReportCache
from bot.config import ConfigError, Settings, load_settings, read_environment
from bot.itunes import ITunesCatalog, ITunesSettings
from bot.router_client import RouterClient, RouterSettings
from bot.service import RecommendationService
from bot.transport import AiohttpTransport
from bot.user_limits import UserRateLimiter

log = logging.getLogger("bot")

ADAPTERS = ("console", "slack")
SHUTDOWN_GRACE_SECONDS = 25  # Heroku kills 30 s after SIGTERM


def build_service(settings: Settings, transport: AiohttpTransport) -> RecommendationService:
    router = RouterClient(RouterSettings.from_settings(settings), transport)
    catalog = ITunesCatalog(ITunesSettings(base_url=settings.appstore_base_url), transport)
    cache = ReportCache(settings.cache_ttl_seconds, settings.cache_max_entries)
    return RecommendationService(router, cache, catalog, default_country=settings.appstore_country)


async def run(settings: Settings, adapter: str, json_output: bool) -> int:
    transport = AiohttpTransport()  # the process's one connection pool
    try:
        service = build_service(settings, transport)
        if adapter == "slack":
            return await run_slack(service, settings)
        return await ConsoleAdapter(service, json_output=json_output).run()
    finally:
        await transport.aclose()


async def run_slack(service: RecommendationService, settings: Settings) -> int:
    from aiohttp import web
    from slack_sdk.errors import SlackApiError

    from adapters.slack import SlackAdapter

    slack = SlackAdapter(service, settings, UserRateLimiter(settings.user_commands_per_minute))
    try:
        identity = await slack.client.auth_test()
    except SlackApiError as exc:
        log.error("SLACK_BOT_TOKEN was rejected by Slack (%s)", exc.response.get("error"))
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)

    runner: web.AppRunner | None = None
    modes = []
    try:
        if settings.slack_app_token:
            try:
                await slack.start_socket_mode()
            except SlackApiError as exc:
                log.error("SLACK_APP_TOKEN was rejected by Slack (%s)", exc.response.get("error"))
                return 1
            modes.append("Socket Mode")
        if settings.slack_signing_secret:
            runner = web.AppRunner(slack.web_app(), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "0.0.0.0", settings.port).start()
            modes.append(f"HTTP on port {settings.port}")
        log.info(
            "Trend Scout on Slack as %s (%s); models %s; App Store %s",
            identity.get("user"),
            " and ".join(modes),
            ", ".join(settings.model_chain),
            settings.appstore_country,
        )
        await stop.wait()
        log.info("stopping: no new commands; finishing %d in flight", len(slack.in_flight))
    finally:
        await slack.close()
        if slack.in_flight:
            await asyncio.wait(slack.in_flight, timeout=SHUTDOWN_GRACE_SECONDS)
        if runner is not None:
            await runner.cleanup()
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trend Scout bot")
    parser.add_argument(
        "adapter",
        nargs="?",
        choices=ADAPTERS,
        help="force an adapter (default: slack when its tokens are set, else the console)",
    )
    parser.add_argument("--adapter", dest="adapter_option", choices=ADAPTERS)
    parser.add_argument("--json", action="store_true", help="print each reply as one JSON line")
    return parser.parse_args(argv)


def _choose_adapter(args: argparse.Namespace, settings: Settings) -> str:
    chosen = args.adapter or args.adapter_option
    if chosen:
        return str(chosen)
    return "slack" if settings.slack_bot_token else "console"


def _slack_problem(settings: Settings) -> str | None:
    if not settings.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set"
    if not (settings.slack_app_token or settings.slack_signing_secret):
        return (
            "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
            "nor SLACK_SIGNING_SECRET (HTTP mode) is"
        )
    return None


def _configure_logging(settings: Settings, adapter: str, explicit_level: bool) -> None:
    # In the console, logs share the terminal with the chat: only warnings unless asked.
    level = settings.log_level if explicit_level or adapter != "console" else "WARNING"
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    environment = read_environment()
    try:
        settings = load_settings(environment)
    except ConfigError as exc:
        print(f"trend-scout: configuration error: {exc}", file=sys.stderr)
        return 2
    adapter = _choose_adapter(args, settings)
    if adapter == "slack" and (problem := _slack_problem(settings)) is not None:
        print(f"trend-scout: configuration error: {problem}", file=sys.stderr)
        return 2
    _configure_logging(settings, adapter, explicit_level=bool(environment.get("LOG_LEVEL")))
    if not settings.hf_api_key:
        log.warning(
            "HUGGING_FACE_API_KEY is not set: running in fallback-only mode (rule-based advice)"
        )
    if settings.discord_bot_token:
        log.warning("DISCORD_BOT_TOKEN is set, but the Discord adapter is not part of this build")
    try:
        return asyncio.run(run(settings, adapter, json_output=args.json))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
