from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.ai.router import RouterClient, RouterSettings
from bot.appstore.itunes import ITunesCatalog, ITunesSettings
from bot.runtime.circuit_breaker import CircuitBreaker
from bot.runtime.transport import AiohttpTransport
from bot.service import RecommendationService
from bot.state.answer_cache import ReportCache
from tests.fake_appstore import FakeAppStore
from tests.fake_router import DEFAULT_KEY, FakeRouter

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@pytest.fixture
def router() -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        yield fake


async def wait_for(condition: Callable[[], Any], within: float = 10, what: str = "it") -> None:
    """Poll until `condition()` is true; fail naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class ManualClock:
    """A clock that moves only when a test says so (start at 1000 s; set `now`)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


FAST_APPSTORE = ITunesSettings(timeout=0.5, retry_delay=0.01, max_queue_wait=0.05)


@pytest.fixture
def make_service(make_client: ClientFactory) -> ServiceFactory:
    def build(cache: ReportCache | None = None, **overrides: Any) -> RecommendationService:
        return RecommendationService(
            make_client(**overrides),
            cache if cache is not None else ReportCache(ttl_seconds=600, max_entries=100),
        )

    return build


@pytest.fixture
def make_grounded_service(
    make_service: ServiceFactory, appstore: FakeAppStore, transport: AiohttpTransport
) -> ServiceFactory:
    """A service whose App Store facts come from the fake iTunes API."""

    def build(**overrides: Any) -> RecommendationService:
        service = make_service(**overrides)
        service.catalog = ITunesCatalog(
            replace(FAST_APPSTORE, base_url=appstore.base_url), transport
        )
        return service

    return build
