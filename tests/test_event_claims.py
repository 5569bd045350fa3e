"""The one claim on each incoming event, on a real SQLite file and a real PostgreSQL server, and
through a real Redis: several workers (each its own `Database`, its own Redis connection) asking
at once get exactly one "first time"; the claim outlives a restart; expired claims are purged
and can be claimed again; with Redis down, the database is the shared claim."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.platforms import build_adapters
from bot.app import build_event_claims
from bot.cache import DeliveryLedger, PromptLedger, RedisBackend, RedisDeliveryLedger
from bot.config import load_settings
from bot.database import Database, DatabaseEventClaims, event_claims
from tests.conftest import ServiceFactory, conversation_for
from tests.helpers import ManualClock, wait_for
from tests.redis_server import free_port

WORKERS = 3
CALLS = 8


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as opened:
        yield opened


async def open_workers(
    stack: AsyncExitStack, database_url: str, tmp_path: Path, count: int = WORKERS
) -> list[Database]:
    """`count` workers' databases on one URL, each its own engine, migrated as at start-up."""
    workers = []
    for _ in range(count):
        database = Database.open(database_url, tmp_path)
        stack.push_async_callback(database.aclose)
        workers.append(database)
    await asyncio.gather(*(database.migrate() for database in workers))
    return workers


async def redis_workers(stack: AsyncExitStack, url: str, **options: float) -> list[RedisBackend]:
    backends = []
    for _ in range(WORKERS):
        backend = RedisBackend(url, **options)
        stack.push_async_callback(backend.aclose)
        backends.append(backend)
    return backends


async def claim_at_once(ledgers: list[DeliveryLedger], key: str = "slack:Ev1") -> list[bool]:
    """`CALLS` claims on one key at the same moment, spread over the workers' ledgers."""
    return await asyncio.gather(*(ledgers[i % len(ledgers)].first_time(key) for i in range(CALLS)))


async def claim_rows(database: Database) -> list[str]:
    async with database.transaction() as connection:
        rows = await connection.execute(select(event_claims.c.key).order_by(event_claims.c.key))
        return list(rows.scalars())


async def test_one_worker_of_three_claims_an_event_delivered_to_all(
    stack: AsyncExitStack, database_url: str, tmp_path: Path
) -> None:
    workers = await open_workers(stack, database_url, tmp_path)
    ledgers: list[DeliveryLedger] = [DatabaseEventClaims(database) for database in workers]
    assert (await claim_at_once(ledgers)).count(True) == 1
    assert (await claim_at_once(ledgers, "slack:Ev2")).count(True) == 1  # each event its own
    assert await ledgers[2].first_time("slack:Ev1") is False
    assert await claim_rows(workers[0]) == ["slack:Ev1", "slack:Ev2"]


async def test_a_claim_outlives_a_restart(database_url: str, tmp_path: Path) -> None:
    before = Database.open(database_url, tmp_path)
    await before.migrate()
    try:
        assert await DatabaseEventClaims(before).first_time("slack:Ev1") is True
    finally:
        await before.aclose()
    after = Database.open(database_url, tmp_path)  # the worker, restarted
    await after.migrate()
    try:
        claims = DatabaseEventClaims(after)
        assert await claims.first_time("slack:Ev1") is False
        assert await claims.first_time("slack:Ev2") is True
    finally:
        await after.aclose()


async def test_expired_claims_are_purged_at_most_once_a_minute_and_claimable_again(
    database: Database,
) -> None:
    clock = ManualClock(1000.0)
    claims = DatabaseEventClaims(database, seconds=10, purge_seconds=60, clock=clock)
    assert await claims.first_time("slack:Ev1") is True  # the first claim purges: next at 1060
    clock.now = 1009.9
    assert await claims.first_time("slack:Ev1") is False  # still held
    clock.now = 1020.0
    assert await claims.first_time("slack:Ev2") is True
    assert await claim_rows(database) == ["slack:Ev1", "slack:Ev2"]  # Ev1 expired, not purged
    clock.now = 1061.0
    assert await claims.first_time("slack:Ev3") is True  # a minute on: purged after the claim
    assert await claim_rows(database) == ["slack:Ev3"]
    assert await claims.first_time("slack:Ev1") is True  # claimable again, and held again
    assert await claims.first_time("slack:Ev1") is False
    clock.now = 2000.0
    assert await claims.purge() == 2
    assert await claim_rows(database) == []


async def test_an_expired_claim_not_yet_purged_is_taken_over_by_one_worker(
    stack: AsyncExitStack, database_url: str, tmp_path: Path
) -> None:
    clock = ManualClock(1000.0)
    workers = await open_workers(stack, database_url, tmp_path)
    ledgers: list[DeliveryLedger] = [
        DatabaseEventClaims(database, seconds=10, purge_seconds=float("inf"), clock=clock)
        for database in workers
    ]
    assert (await claim_at_once(ledgers)).count(True) == 1
    clock.now = 1010.0  # the claim ran out; no purge ran since
    assert (await claim_at_once(ledgers)).count(True) == 1
    assert await claim_rows(workers[0]) == ["slack:Ev1"]


async def test_with_redis_one_worker_of_three_claims_and_the_database_is_not_asked(
    stack: AsyncExitStack, database: Database, redis_url: str
) -> None:
    backends = await redis_workers(stack, redis_url)
    await backends[0].client.flushdb()
    ledgers: list[DeliveryLedger] = [
        RedisDeliveryLedger(backend, DatabaseEventClaims(database)) for backend in backends
    ]
    assert (await claim_at_once(ledgers)).count(True) == 1
    assert await ledgers[1].first_time("slack:Ev1") is False
    assert await claim_rows(database) == []  # Redis held the claim


async def test_with_redis_down_the_database_is_the_shared_claim(
    stack: AsyncExitStack, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workers = await open_workers(stack, database_url, tmp_path)
    down = await redis_workers(stack, f"redis://127.0.0.1:{free_port()}/0", retry_seconds=60)
    ledgers: list[DeliveryLedger] = [
        RedisDeliveryLedger(backend, DatabaseEventClaims(database))
        for backend, database in zip(down, workers, strict=True)
    ]
    assert (await claim_at_once(ledgers)).count(True) == 1
    assert (await claim_at_once(ledgers, "slack:Ev2")).count(True) == 1
    assert await claim_rows(workers[0]) == ["slack:Ev1", "slack:Ev2"]
    restarted = RedisDeliveryLedger(down[0], DatabaseEventClaims(workers[0]))
    assert await restarted.first_time("slack:Ev1") is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "Redis" in r.message]
    assert len(warnings) == WORKERS  # one per worker, not one per event
    assert all("unreachable" in r.message for r in warnings)


async def test_the_process_builds_one_ledger_and_gives_it_to_slack(
    database: Database, redis_url: str, make_service: ServiceFactory
) -> None:
    alone = build_event_claims(database, None)
    assert isinstance(alone, PromptLedger) and isinstance(alone.shared, DatabaseEventClaims)
    redis = RedisBackend(redis_url)
    try:
        claims = build_event_claims(database, redis)
        assert isinstance(claims, PromptLedger) and isinstance(claims.shared, RedisDeliveryLedger)
        settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"})
        conversation = conversation_for(make_service())
        (slack,) = build_adapters(["slack-http"], settings, conversation, claims)
        assert getattr(slack, "deliveries", None) is claims
    finally:
        await redis.aclose()


class HeldLedger:
    """A shared store on a slow disk: every claim waits until the test lets it land."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.claimed: list[str] = []

    async def first_time(self, delivery_id: str) -> bool:
        await self.release.wait()
        self.claimed.append(delivery_id)
        return True


async def test_a_slow_store_never_holds_an_acknowledgement(
    caplog: pytest.LogCaptureFixture,
) -> None:
    held = HeldLedger()
    ledger = PromptLedger(held, deadline=0.01)
    with caplog.at_level(logging.WARNING, logger="bot.cache.delivery_ledger"):
        assert await ledger.first_time("slack-request:a") is True  # memory decides at once
        assert await ledger.first_time("slack-request:a") is False  # a replay, still caught
        assert await ledger.first_time("slack-request:b") is True
    assert held.claimed == []  # nothing has landed yet
    said = [r for r in caplog.records if "memory decides meanwhile" in r.getMessage()]
    assert len(said) == 1  # once, not per event
    held.release.set()
    await wait_for(lambda: len(held.claimed) == 2, what="the late claims")
    assert held.claimed == ["slack-request:a", "slack-request:b"]
