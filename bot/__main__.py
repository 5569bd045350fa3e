"""Composition root: `python -m bot [console|slack|discord] [--json]`.

Reads the configuration, builds the one RecommendationService of the process and starts the
adapters: every chat platform whose token is set (Slack: Socket Mode with SLACK_APP_TOKEN, HTTP on
$PORT with SLACK_SIGNING_SECRET; Discord with DISCORD_BOT_TOKEN) in one loop, otherwise the
console chat. The only module of `bot/` that may import `adapters/` or a platform SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from adapters.console import ConsoleAdapter
from adapters.runtime import serve
from bot.cache import ReportCache
from bot.config import ConfigError, Settings, load_settings, read_environment
from bot.itunes import ITunesCatalog, ITunesSettings
from bot.router_client import RouterClient, RouterSettings
from bot.service import RecommendationService
from bot.transport import AiohttpTransport

log = logging.getLogger("bot")

ADAPTERS = ("console", "slack", "discord")


def build_service(settings: Settings, transport: AiohttpTransport) -> RecommendationService:
    router = RouterClient(RouterSettings.from_settings(settings), transport)
    catalog = ITunesCatalog(ITunesSettings(base_url=settings.appstore_base_url), transport)
    cache = ReportCache(settings.cache_ttl_seconds, settings.cache_max_entries)
    return RecommendationService(router, cache, catalog, default_country=settings.appstore_country)


async def run(settings: Settings, platforms: list[str], json_output: bool) -> int:
    transport = AiohttpTransport()  # the process's one connection pool
    try:
        service = build_service(settings, transport)
        if platforms == ["console"]:
            return await ConsoleAdapter(service, json_output=json_output).run()
        return await serve(service, settings, platforms)
    finally:
        await transport.aclose()


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


def _choose_platforms(args: argparse.Namespace, settings: Settings) -> list[str]:
    chosen = args.adapter or args.adapter_option
    if chosen:
        return [str(chosen)]
    platforms = [
        name
        for name, token in (
            ("slack", settings.slack_bot_token),
            ("discord", settings.discord_bot_token),
        )
        if token
    ]
    return platforms or ["console"]


def _platform_problem(settings: Settings, platforms: list[str]) -> str | None:
    if "slack" in platforms:
        if not settings.slack_bot_token:
            return "SLACK_BOT_TOKEN is not set"
        if not (settings.slack_app_token or settings.slack_signing_secret):
            return (
                "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                "nor SLACK_SIGNING_SECRET (HTTP mode) is"
            )
    if "discord" in platforms and not settings.discord_bot_token:
        return "DISCORD_BOT_TOKEN is not set"
    return None


def _configure_logging(settings: Settings, platforms: list[str], explicit_level: bool) -> None:
    # In the console, logs share the terminal with the chat: only warnings unless asked.
    level = settings.log_level if explicit_level or platforms != ["console"] else "WARNING"
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
    platforms = _choose_platforms(args, settings)
    if (problem := _platform_problem(settings, platforms)) is not None:
        print(f"trend-scout: configuration error: {problem}", file=sys.stderr)
        return 2
    _configure_logging(settings, platforms, explicit_level=bool(environment.get("LOG_LEVEL")))
    if not settings.hf_api_key:
        log.warning(
            "HUGGING_FACE_API_KEY is not set: running in fallback-only mode (rule-based advice)"
        )
    try:
        return asyncio.run(run(settings, platforms, json_output=args.json))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
