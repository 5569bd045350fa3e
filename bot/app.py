"""The core of one process, wired: the service with its caches, trend watch, the journal and the
feedback store on the database, and the conversation path every way in shares. Platform-free:
the adapters are wired to it by `adapters.process`."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from bot.ai import RouterClient
from bot.appstore import ITunesCatalog
from bot.cache import (
    AnswerCache,
    ConversationStore,
    DeliveryLedger,
    MemoryAnswerCache,
    MemoryConversationStore,
    MemoryReviewCache,
    MemoryUserLimiter,
    PromptLedger,
    RedisAnswerCache,
    RedisBackend,
    RedisConversationStore,
    RedisDeliveryLedger,
    RedisReviewCache,
    RedisUserLimiter,
    ReviewCache,
    UserLimiter,
)
from bot.config import Settings
from bot.database import (
    CommandJournal,
    Database,
    DatabaseEventClaims,
    DatabaseProblem,
    JobLeases,
    open_migrated,
)
from bot.feedback import AnswerLog, FeedbackStore
from bot.intake import Conversation
from bot.runtime import AiohttpTransport
from bot.scout import MemoryScanCache, RedisScanCache, ScanCache
from bot.service import RecommendationService
from bot.watch import DigestWriter, Watchlist, WatchScheduler, WatchStore

REDIS_WAIT_MARGIN_SECONDS = 15  # App Store lookups and queueing on top of AI_TIMEOUT

__all__ = [  # DatabaseProblem: what `open_database` raises (defined with the database)
    "DatabaseProblem",
    "TrendWatch",
    "build_conversation",
    "build_event_claims",
    "build_service",
    "build_trend_watch",
    "describe",
    "open_database",
]


def build_service(
    settings: Settings,
    transport: AiohttpTransport,
    redis: RedisBackend | None = None,
    answer_log: AnswerLog | None = None,
) -> RecommendationService:
    """The one service of a process. `answer_log`: where the model's answers are recorded for
    feedback (a `FeedbackStore` once there is a database; `build_trend_watch` sets it then)."""
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
    scans: ScanCache = MemoryScanCache()  # a market scan is kept for everyone asking (6 h)
    if redis is not None:
        scans = RedisScanCache(redis, MemoryScanCache())
    return RecommendationService(
        RouterClient(settings.router, transport),
        cache,
        ITunesCatalog(settings.appstore, transport),
        default_country=settings.appstore.country,
        reviews=reviews,
        review_pages=settings.appstore.reviews_pages,
        scans=scans,
        answer_log=answer_log,
    )


@dataclass
class TrendWatch:
    """The database-backed parts of a process: watches, their scheduler, the journal, and the
    feedback store (the model's answers, the votes on them)."""

    database: Database
    watchlist: Watchlist
    scheduler: WatchScheduler
    journal: CommandJournal
    feedback: FeedbackStore


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
        DigestWriter(catalog, service.router, scanner=service.facts.scanner),
        settings.watch,
        settings.appstore.calls_per_minute,
    )
    watchlist = Watchlist(
        store, catalog, catalog, settings.watch, scheduler.posters, settings.appstore.country
    )
    journal = CommandJournal(database, worker, settings.storage.journal_lease_seconds)
    feedback = FeedbackStore(database)
    if service.answer_log is None:  # the model's answers are recorded from now on
        service.answer_log = feedback
    return TrendWatch(database, watchlist, scheduler, journal, feedback)


def build_event_claims(database: Database, redis: RedisBackend | None) -> DeliveryLedger:
    """The one claim on each incoming event that every worker shares (so an event delivered twice,
    or to two workers, is answered once): Redis when it is set, the database while Redis is down;
    the database alone without Redis (it outlives a restart)."""
    claims: DeliveryLedger = DatabaseEventClaims(database)
    if redis is not None:
        claims = RedisDeliveryLedger(redis, claims)
    return PromptLedger(claims)  # never holds an acknowledgement past its deadline


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
    """The migrated database; `DatabaseProblem` with one line when it cannot be used (its
    SQLite folder or file cannot be made, or it cannot be reached or migrated). The line
    names the exception's type (and an OS error's reason and path), never its message, which
    may carry the URL."""
    return await open_migrated(settings.storage.database_url, settings.storage.data_dir)
