"""`python -m bot mcp`: Trend Scout's tools for an assistant on this machine (Claude Desktop,
Cursor…), over stdio — JSON-RPC on stdin and stdout, logs on stderr (one `command answered` line
per tool call). The bot's own settings (environment and .env) and one service of its own: its
caches, Apple's rate limit, the model chain, and USER_COMMANDS_PER_MINUTE for the tool calls. It
serves until its client closes stdin."""

from __future__ import annotations

import argparse
import logging

from mcp.server.stdio import stdio_server

from adapters.mcp.server import build_server
from adapters.mcp.tools import ScoutTools
from bot import TrendScout
from bot.cache import MemoryUserLimiter
from bot.config import Settings
from bot.runtime import Caller

log = logging.getLogger(__name__)

STDIO_CALLER = Caller("mcp", "stdio")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot mcp",
        description="Serve Trend Scout's tools (find_app, app_reviews, top_apps, compare_apps, "
        "find_opportunities, analyse_app) to an MCP client over stdio. Configure it like the bot "
        "(environment or .env). For remote clients, set MCP_TOKEN and use /mcp on the web "
        "process instead.",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="log warnings only (default: a line per tool call on stderr)",
    )
    return parser.parse_args(argv)


def log_level(args: argparse.Namespace) -> str:
    """Logs go to stderr, which MCP clients keep in their server log: a line per call helps."""
    return "WARNING" if args.quiet else "INFO"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    async with TrendScout.from_settings(settings) as scout:
        limiter = MemoryUserLimiter(settings.user_commands_per_minute)
        server = build_server(ScoutTools(scout.service, STDIO_CALLER, limiter))
        if not settings.router.api_key:
            log.warning("HUGGING_FACE_API_KEY is not set: analyse_app gives rule-based advice")
        log.info(
            "Trend Scout MCP server on stdio; App Store %s, models %s",
            settings.appstore.country,
            " → ".join(settings.router.models),
        )
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    log.info("MCP client gone: stopped")
    return 0
