"""Composition root: `python -m bot [ADAPTER] [--adapter ADAPTER[,ADAPTER]] [--json]`.

Reads the configuration, builds the one RecommendationService of the process and starts the
adapters. With no choice: every chat platform whose credentials are set (Slack Socket Mode with
SLACK_APP_TOKEN, Slack HTTP on $PORT with SLACK_SIGNING_SECRET, Discord with DISCORD_BOT_TOKEN),
otherwise the console chat. `web` and `worker` are the Procfile's two process types. The only
module of `bot/` that may import `adapters/` or a platform SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.port import Adapter
from adapters.supervisor import serve
from bot.ai import RouterClient
from bot.appstore import ITunesCatalog
from bot.cache import (
    AnswerCache,
    ConversationStore,
    DeliveryLedger,
    MemoryAnswerCache,
    MemoryConversationStore,
    MemoryDeliveryLedger,
    MemoryReviewCache,
    MemoryUserLimiter,
    RedisAnswerCache,
    RedisBackend,
    RedisConversationStore,
    RedisDeliveryLedger,
    RedisReviewCache,
    RedisUserLimiter,
    ReviewCache,
    UserLimiter,
)
from bot.config.settings import ConfigError, Settings, load_settings, read_environment
from bot.database import CommandJournal, Database, JobLeases
from bot.intake.turns import Conversation
from bot.runtime import AiohttpTransport, configure_logging, tune_garbage_collection
from bot.service.recommendations import RecommendationService
from bot.watch import DigestWriter, Watchlist, WatchScheduler, WatchStore

log = logging.getLogger("bot")

ADAPTERS = ("console", "slack", "slack-socket", "slack-http", "discord", "web", "worker")
REDIS_WAIT_MARGIN_SECONDS = 15  # App Store lookups and queueing on top of AI_TIMEOUT


class PlatformProblem(Exception):
    """The chosen adapters lack credentials; the message is the one line shown."""


class DatabaseProblem(Exception):
    """The database cannot be opened or migrated; the message is the one line shown."""


def build_service(
    settings: Settings, transport: AiohttpTransport, redis: RedisBackend | None = None
) -> RecommendationService:
    memory = MemoryAnswerCache(settings.cache.ttl_seconds, settings.cache.max_entries)
    cache: AnswerCache = memory
    if redis is not None:
        cache = RedisAnswerCache(
            redis,
            memory,
            settings.cache.ttl_seconds,
            wait_limit_seconds=settings.router.timeout + REDIS_WAIT_MARGIN_SECONDS,
        )
    review_memory = MemoryReviewCache(settings.cache.reviews_ttl_seconds)
    reviews: ReviewCache = review_memory
    if redis is not None:
        reviews = RedisReviewCache(redis, review_memory, settings.cache.reviews_ttl_seconds)
    return RecommendationService(
        RouterClient(settings.router, transport),
        cache,
        ITunesCatalog(settings.appstore, transport),
        default_country=settings.appstore.country,
        reviews=reviews,
        review_pages=settings.appstore.reviews_pages,
    )


@dataclass
class TrendWatch:
    """The database-backed parts of a process: watches, their scheduler, the journal."""

    database: Database
    watchlist: Watchlist
    scheduler: WatchScheduler
    journal: CommandJournal


def build_trend_watch(
    settings: Settings, service: RecommendationService, database: Database
) -> TrendWatch:
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    catalog = service.facts.catalog
    if not isinstance(catalog, ITunesCatalog):
        raise TypeError("trend watch reads the App Store through ITunesCatalog")
    store = WatchStore(database)
    scheduler = WatchScheduler(
        store,
        JobLeases(database, worker),
        catalog,
        DigestWriter(catalog, service.router),
        settings.watch,
        settings.appstore.calls_per_minute,
    )
    watchlist = Watchlist(
        store, catalog, catalog, settings.watch, scheduler.posters, settings.appstore.country
    )
    journal = CommandJournal(database, worker, settings.storage.journal_lease_seconds)
    return TrendWatch(database, watchlist, scheduler, journal)


def build_conversation(
    settings: Settings,
    service: RecommendationService,
    redis: RedisBackend | None,
    watchlist: Watchlist | None = None,
) -> Conversation:
    limiter: UserLimiter = MemoryUserLimiter(settings.user_commands_per_minute)
    ttl = settings.cache.conversation_ttl_seconds
    store: ConversationStore = MemoryConversationStore(ttl)
    if redis is not None:
        limiter = RedisUserLimiter(redis, MemoryUserLimiter(settings.user_commands_per_minute))
        store = RedisConversationStore(redis, MemoryConversationStore(ttl), ttl)
    return Conversation(
        service,
        limiter,
        allowed_workspaces={
            "slack": settings.slack.allowed_team_ids,
            "discord": settings.discord.allowed_guild_ids,
        },
        admin_ids=settings.admin_ids,
        store=store,
        watchlist=watchlist,
    )


def build_adapters(
    platforms: list[str],
    settings: Settings,
    conversation: Conversation,
    redis: RedisBackend | None,
    json_output: bool = False,
) -> list[Adapter]:
    """The adapters for `platforms` (SDKs are imported only for the platforms chosen)."""
    adapters: list[Adapter] = []
    if platforms == ["console"]:
        from adapters.console.adapter import ConsoleAdapter

        return [ConsoleAdapter(conversation, json_output=json_output)]
    socket_mode, http = "slack-socket" in platforms, "slack-http" in platforms
    if socket_mode or http:
        from adapters.slack.adapter import SlackAdapter

        deliveries: DeliveryLedger = MemoryDeliveryLedger()
        if redis is not None:
            deliveries = RedisDeliveryLedger(redis, MemoryDeliveryLedger())
        adapters.append(
            SlackAdapter(
                conversation,
                settings.slack,
                deliveries,
                socket_mode=socket_mode,
                http_port=settings.port if http else None,
            )
        )
    if "discord" in platforms:
        from adapters.discord.adapter import DiscordAdapter

        adapters.append(DiscordAdapter(conversation, settings.discord))
    return adapters


def describe(settings: Settings, service: RecommendationService) -> str:
    """The start-up line's tail: models, cache and store (never a secret)."""
    cache = service.cache.backend
    ttl = settings.cache.ttl_seconds
    if cache == "memory":
        cache = f"memory (TTL {ttl} s, {settings.cache.max_entries} entries)"
    else:
        cache = f"{cache} (TTL {ttl} s)"
    models = " → ".join(settings.router.models)
    return f"models {models}; cache {cache}; App Store {settings.appstore.country}"


async def open_database(settings: Settings) -> Database:
    """The migrated database; `DatabaseProblem` with one line when it cannot be used."""
    storage = settings.storage
    database = Database.open(storage.database_url, storage.data_dir)
    try:
        await database.migrate()
    except Exception as exc:
        await database.aclose()
        problem = "DATA_DIR" if storage.database_url is None else "DATABASE_URL"
        raise DatabaseProblem(
            f"the database ({database.description}, from {problem}) cannot be used: "
            f"{type(exc).__name__}"
        ) from None
    return database


async def run(settings: Settings, platforms: list[str], json_output: bool) -> int:
    transport = AiohttpTransport()  # the process's one connection pool
    redis = (
        RedisBackend(settings.cache.redis_url, verify_tls=settings.cache.redis_tls_verify)
        if settings.cache.redis_url
        else None
    )
    database: Database | None = None
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
        adapters = build_adapters(platforms, settings, conversation, redis, json_output)
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


def choose_platforms(chosen: list[str], settings: Settings) -> list[str]:
    """The platforms to run: `console`, or some of `slack-socket`, `slack-http` and `discord`;
    `PlatformProblem` when the chosen ones lack credentials."""
    slack, discord = settings.slack, settings.discord
    socket_ready, http_ready = slack.socket_mode_ready, slack.http_ready
    if not chosen:
        if not (slack.bot_token or discord.bot_token):
            return ["console"]
        chosen = ["slack"] * bool(slack.bot_token) + ["discord"] * bool(discord.bot_token)
    platforms: list[str] = []
    for name in chosen:
        if name == "console":
            platforms.append("console")
        elif name == "slack":
            if not slack.bot_token:
                raise PlatformProblem("SLACK_BOT_TOKEN is not set")
            if not (socket_ready or http_ready):
                raise PlatformProblem(
                    "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                    "nor SLACK_SIGNING_SECRET (HTTP mode) is"
                )
            platforms += ["slack-socket"] * socket_ready + ["slack-http"] * http_ready
        elif name == "slack-socket":
            if not socket_ready:
                raise PlatformProblem("Slack Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
            platforms.append(name)
        elif name in ("slack-http", "web"):
            if not http_ready:
                raise PlatformProblem(
                    "Slack HTTP mode (web) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
                )
            platforms.append("slack-http")
        elif name == "discord":
            if not discord.bot_token:
                raise PlatformProblem("DISCORD_BOT_TOKEN is not set")
            platforms.append(name)
        elif name == "worker":
            found = ["slack-socket"] * socket_ready + ["discord"] * bool(discord.bot_token)
            if not found:
                raise PlatformProblem(
                    "the worker needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN, or DISCORD_BOT_TOKEN"
                )
            platforms += found
    platforms = list(dict.fromkeys(platforms))
    if "console" in platforms and len(platforms) > 1:
        raise PlatformProblem("the console runs alone; choose it or chat platforms, not both")
    return platforms


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
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
