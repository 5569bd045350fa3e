"""`python -m bot [ADAPTER] [--adapter ADAPTER[,ADAPTER]] [--json]`: arguments, settings and
logging, then one process: the core (`bot.app`) wired to the chosen platforms' adapters and
served until a signal — the composition root. With no choice: every chat platform whose
credentials are set (Slack Socket Mode with SLACK_APP_TOKEN, Slack HTTP on $PORT with
SLACK_SIGNING_SECRET, Discord with DISCORD_BOT_TOKEN), otherwise the console chat. `web` and
`worker` are the Procfile's two process types. The only module of `bot/` that may import
`adapters/`.

`python -m bot TOOL ...` runs one of the tools instead (`batch`, `mcp`, `export-feedback`): each
is a module with `arguments(argv)`, `log_level(args)` and `async run(settings, args) -> int`; its
logs go to stderr
(stdout is its output), warnings only unless LOG_LEVEL asks for more or the tool says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import sys
from collections.abc import Sequence

from adapters.platforms import (
    ADAPTERS,
    PlatformProblem,
    WorkspaceParts,
    build_adapters,
    choose_platforms,
)
from adapters.supervisor import serve
from bot.app import (
    DatabaseProblem,
    TrendWatch,
    build_conversation,
    build_event_claims,
    build_service,
    build_trend_watch,
    describe,
    open_database,
)
from bot.cache import RedisBackend
from bot.config import ConfigError, Settings, load_settings, read_environment
from bot.database import Database
from bot.runtime import AiohttpTransport, configure_logging, tune_garbage_collection
from bot.workspaces import ScoutHistory

log = logging.getLogger("bot")

FEEDBACK_FLUSH_SECONDS = 2.0  # at shutdown, after the replies: answers still to be written


async def run(settings: Settings, platforms: list[str], json_output: bool) -> int:
    transport = AiohttpTransport()  # the process's one connection pool
    redis = (
        RedisBackend(settings.cache.redis_url, verify_tls=settings.cache.redis_tls_verify)
        if settings.cache.redis_url
        else None
    )
    database: Database | None = None
    watch: TrendWatch | None = None
    history: ScoutHistory | None = None
    try:
        if redis is not None:
            await redis.check()  # unreachable: one warning, then memory until it is back
        try:
            database = await open_database(settings)
        except DatabaseProblem as exc:
            log.error("%s", exc)
            return 1
        service = build_service(settings, transport, redis)
        watch = build_trend_watch(settings, service, database)
        conversation = build_conversation(settings, service, redis, watch.watchlist)
        claims = build_event_claims(database, redis)  # Slack's and Discord's, across workers
        history = ScoutHistory(database)  # who asked what: the Slack Home tab
        parts = WorkspaceParts(database, watch.feedback, watch.watchlist.store, history)
        adapters = build_adapters(platforms, settings, conversation, claims, json_output, parts)
        for adapter in adapters:
            if adapter.platform != "console":  # a console's input ends with its process
                adapter.journal = watch.journal
        tune_garbage_collection()
        return await serve(
            service,
            adapters,
            settings.port,
            f"{describe(settings, service)}; database {database.description}",
            grace=settings.shutdown_grace_seconds,
            scheduler=watch.scheduler,
            journal=watch.journal,
        )
    finally:
        await transport.aclose()
        if redis is not None:
            await redis.aclose()
        if watch is not None:  # the model's answers still queued for the feedback table
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FEEDBACK_FLUSH_SECONDS):
                    await watch.feedback.flush()
                    if history is not None:
                        await history.flush()
        if database is not None:
            await database.aclose()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Trend Scout bot. Without an adapter: every platform whose credentials are "
        "set, else the console chat. web = Slack HTTP mode on $PORT; worker = Slack Socket Mode "
        "and Discord, as configured.",
    )
    parser.add_argument("adapter", nargs="?", choices=ADAPTERS, help="run only this adapter")
    parser.add_argument(
        "--adapter",
        dest="adapter_option",
        metavar="ADAPTER[,ADAPTER]",
        type=_adapter_list,
        help=f"run only these adapters, comma-separated: {', '.join(ADAPTERS)}",
    )
    parser.add_argument("--json", action="store_true", help="console: one JSON line per reply")
    return parser.parse_args(argv)


def _adapter_list(raw: str) -> list[str]:
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in ADAPTERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ADAPTERS)}")
    return names


TOOLS = {
    "batch": "adapters.batch",
    "mcp": "adapters.mcp",
    "export-feedback": "bot.feedback.export",
}


def run_tool(name: str, argv: Sequence[str]) -> int:
    """`python -m bot batch|mcp ...`: the tool's arguments, the bot's settings, logs on stderr."""
    tool = importlib.import_module(TOOLS[name])
    args = tool.arguments(list(argv))  # argparse: a usage error exits 2 with its message
    environment = read_environment()
    try:
        settings = load_settings(environment)
    except ConfigError as exc:
        print(f"trend-scout: configuration error: {exc}", file=sys.stderr)
        return 2
    level = environment.get("LOG_LEVEL") and settings.log_level
    configure_logging(
        level or tool.log_level(args), settings.log_format, settings.secrets, sys.stderr
    )
    try:
        return int(asyncio.run(tool.run(settings, args)))
    except KeyboardInterrupt:
        return 130
    except Exception:  # logged through the redacting handler instead of a raw traceback
        log.exception("Trend Scout %s stopped on an unexpected error", name)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in TOOLS:
        return run_tool(arguments[0], arguments[1:])
    args = _arguments(arguments)
    environment = read_environment()
    try:
        settings = load_settings(environment)
        chosen = args.adapter_option or ([args.adapter] if args.adapter else [])
        platforms = choose_platforms(chosen, settings)
    except (ConfigError, PlatformProblem) as exc:
        print(f"trend-scout: configuration error: {exc}", file=sys.stderr)
        return 2
    console = platforms == ["console"]
    # In the console, logs share the terminal with the chat: stderr, and only warnings unless
    # LOG_LEVEL asks for more. Workers log to stdout, where Procfile hosts collect it.
    level = "WARNING" if console and not environment.get("LOG_LEVEL") else settings.log_level
    configure_logging(
        level, settings.log_format, settings.secrets, sys.stderr if console else sys.stdout
    )
    if not settings.router.api_key:
        log.warning(
            "HUGGING_FACE_API_KEY is not set: running in fallback-only mode (rule-based advice)"
        )
    try:
        return asyncio.run(run(settings, platforms, json_output=args.json))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0
    except Exception:  # logged through the redacting handler instead of a raw traceback
        log.exception("Trend Scout stopped on an unexpected error")
        return 1


if __name__ == "__main__":
    sys.exit(main())
