"""Composition root: `python -m bot [console] [--json]`.

Reads the configuration, builds the one RecommendationService of the process and starts the
adapter. The only module of `bot/` that may import `adapters/`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from adapters.console import ConsoleAdapter
from bot.cache import ReportCache
from bot.config import ConfigError, Settings, load_settings, read_environment
from bot.itunes import ITunesCatalog, ITunesSettings
from bot.router_client import RouterClient, RouterSettings
from bot.service import RecommendationService
from bot.transport import AiohttpTransport

log = logging.getLogger("bot")


def build_service(settings: Settings, transport: AiohttpTransport) -> RecommendationService:
    router = RouterClient(RouterSettings.from_settings(settings), transport)
    catalog = ITunesCatalog(ITunesSettings(base_url=settings.appstore_base_url), transport)
    cache = ReportCache(settings.cache_ttl_seconds, settings.cache_max_entries)
    return RecommendationService(router, cache, catalog, default_country=settings.appstore_country)


async def run_console(settings: Settings, json_output: bool) -> int:
    transport = AiohttpTransport()  # the process's one connection pool
    try:
        service = build_service(settings, transport)
        return await ConsoleAdapter(service, json_output=json_output).run()
    finally:
        await transport.aclose()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trend Scout bot")
    parser.add_argument(
        "adapter",
        nargs="?",
        choices=("console",),
        help="force an adapter (default: console when no chat tokens are set)",
    )
    parser.add_argument("--adapter", dest="adapter_option", choices=("console",))
    parser.add_argument("--json", action="store_true", help="print each reply as one JSON line")
    return parser.parse_args(argv)


def _configure_logging(settings: Settings, explicit_level: bool) -> None:
    # In the console, logs share the terminal with the chat: only warnings unless asked.
    level = settings.log_level if explicit_level else "WARNING"
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
    _configure_logging(settings, explicit_level=bool(environment.get("LOG_LEVEL")))
    if not settings.hf_api_key:
        log.warning(
            "HUGGING_FACE_API_KEY is not set: running in fallback-only mode (rule-based advice)"
        )
    if settings.has_chat_tokens:
        log.warning("Slack and Discord adapters are not part of this build; starting the console")
    try:
        return asyncio.run(run_console(settings, json_output=args.json))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
