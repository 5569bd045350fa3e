from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.ai import RouterClient, RouterSettings
from bot.appstore import AppStoreSettings, ITunesCatalog
from bot.cache import AnswerCache, MemoryAnswerCache, MemoryUserLimiter
from bot.database import Database
from bot.intake.turns import Conversation
from bot.runtime import AiohttpTransport, CircuitBreaker
from bot.service.recommendations import RecommendationService
from tests.fake_appstore import FakeAppStore
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.postgres_server import PostgresServer
from tests.redis_server import RedisServer

pytest_plugins = ["tests.slack_harness", "tests.discord_harness", "tests.watch_harness"]


@pytest.fixture
def router() -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        yield fake


def fast_settings(fake: FakeRouter, **overrides: Any) -> RouterSettings:
    """Router settings for tests: real policy, short waits."""
    settings = RouterSettings(
        base_url=fake.url,
        api_key=DEFAULT_KEY,
        models=("openai/gpt-oss-120b",),
        timeout=3.0,
        max_retries=2,
        backoff_base=0.01,
        backoff_cap=0.05,
        retry_after_cap=1.0,
    )
    return replace(settings, **overrides)


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    shared = AiohttpTransport()
    yield shared
    await shared.aclose()


ClientFactory = Callable[..., RouterClient]
ServiceFactory = Callable[..., RecommendationService]


@pytest.fixture
def make_client(router: FakeRouter, transport: AiohttpTransport) -> ClientFactory:
    def build(breaker: CircuitBreaker | None = None, **overrides: Any) -> RouterClient:
        return RouterClient(fast_settings(router, **overrides), transport, breaker)

    return build


@pytest.fixture
def appstore() -> Iterator[FakeAppStore]:
    with FakeAppStore() as fake:
        yield fake


FAST_APPSTORE = AppStoreSettings(timeout=0.5, retry_delay=0.01, max_queue_wait=0.05)


@pytest.fixture
def make_service(make_client: ClientFactory) -> ServiceFactory:
    def build(cache: AnswerCache | None = None, **overrides: Any) -> RecommendationService:
        return RecommendationService(
            make_client(**overrides),
            cache if cache is not None else MemoryAnswerCache(ttl_seconds=600, max_entries=100),
        )

    return build


@pytest.fixture
def make_grounded_service(
    make_service: ServiceFactory, appstore: FakeAppStore, transport: AiohttpTransport
) -> ServiceFactory:
    """A service whose App Store facts come from the fake iTunes API."""

    def build(**overrides: Any) -> RecommendationService:
        service = make_service(**overrides)
        service.facts.catalog = ITunesCatalog(
            replace(FAST_APPSTORE, base_url=appstore.base_url), transport
        )
        return service

    return build


def conversation_for(
    service: RecommendationService,
    per_minute: int = 10,
    allowed_workspaces: dict[str, frozenset[str]] | None = None,
    admin_ids: frozenset[str] = frozenset(),
) -> Conversation:
    """The conversation path the bot builds, around a test's service."""
    return Conversation(service, MemoryUserLimiter(per_minute), allowed_workspaces, admin_ids)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real Redis-compatible server on loopback, for the whole session."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on loopback, for the whole session."""
    server = PostgresServer().start()
    yield server
    server.stop()


_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scout.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"scout_{next(_databases)}")


@pytest.fixture
async def database(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of each kind."""
    opened = Database.open(database_url, tmp_path)
    await opened.migrate()
    yield opened
    await opened.aclose()
