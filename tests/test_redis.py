"""The shared cache, cross-process single-flight and per-user limits, against a real redis-server
on loopback; and what happens when Redis is down, goes away, and comes back."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from bot.cache import (
    ConversationContext,
    ConversationKey,
    Exchange,
    MemoryConversationStore,
    MemoryReviewCache,
    RedisConversationStore,
    RedisReviewCache,
)
from bot.cache.answer_cache import CacheKey, MemoryAnswerCache
from bot.cache.redis_answer_cache import RedisAnswerCache, redis_key
from bot.cache.redis_backend import RedisBackend
from bot.cache.report_codec import decode_report, encode_report
from bot.cache.user_limits import MemoryUserLimiter, RedisUserLimiter
from bot.commands.grammar import Command, parse
from bot.prompts.builder import PROMPT_VERSION
from bot.report.report import FallbackReason, Report, ReportKind, Source
from bot.service.recommendations import RecommendationService
from tests.conftest import ServiceFactory
from tests.fake_appstore import FakeAppStore
from tests.fake_router import FakeRouter, Reply
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign
from tests.helpers import bot_process, free_port, health, stop_cleanly, wait_for, wait_until
from tests.redis_server import RedisServer


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[RedisBackend]:
    shared = RedisBackend(redis_server.url)
    await shared.client.flushdb()
    yield shared
    await shared.aclose()


def shared_cache(backend: RedisBackend, **options: float) -> RedisAnswerCache:
    """One worker's view of the shared cache: its own memory, the common Redis."""
    return RedisAnswerCache(
        backend,
        MemoryAnswerCache(ttl_seconds=600, max_entries=100),
        ttl_seconds=600,
        wait_limit_seconds=options.pop("wait_limit_seconds", 10.0),
        **options,
    )


def analysis_key(service: RecommendationService, subject: str = "Facebook") -> CacheKey:
    command = parse(subject)
    assert isinstance(command, Command)
    effort = service.router.reasoning_effort()
    return CacheKey.for_command(
        command, "us", service.router.primary_model, effort, PROMPT_VERSION
    )


async def answer_keys(backend: RedisBackend) -> list[bytes]:
    return list(await backend.client.keys("trendscout:answer:*"))


async def test_an_answer_made_by_one_worker_is_served_by_another(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    first = make_grounded_service(cache=shared_cache(backend))
    second = make_grounded_service(cache=shared_cache(backend))
    made = await first.handle(parse("Facebook"))
    served = await second.handle(parse("Facebook"))
    assert made.source is Source.AI and served.source is Source.CACHE
    assert len(router.completion_calls()) == 1
    assert (served.text, served.app, served.clone_score) == (made.text, made.app, made.clone_score)
    assert served.notes[-1] == "Cached answer"


async def test_answers_expire_after_the_cache_ttl(
    make_grounded_service: ServiceFactory, backend: RedisBackend
) -> None:
    service = make_grounded_service(cache=shared_cache(backend))
    await service.handle(parse("Facebook"))
    [key] = await answer_keys(backend)
    assert 590_000 < await backend.client.pttl(key) <= 600_000


async def test_a_stored_report_decodes_to_the_same_report(
    make_grounded_service: ServiceFactory,
) -> None:
    report = await make_grounded_service().handle(parse("Facebook"))
    assert report.app is not None and report.clone_score is not None and report.usage is not None
    assert decode_report(encode_report(report, 1234.5)) == (report, 1234.5)


async def test_fallback_advice_is_never_stored(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    service = make_grounded_service(cache=shared_cache(backend))
    router.always(Reply.error(503, "overloaded"))
    report = await service.handle(parse("Facebook"))
    assert report.source is Source.FALLBACK
    assert await answer_keys(backend) == []
    assert await backend.client.keys("trendscout:lock:*") == []  # released


async def test_two_workers_asking_at_once_make_one_upstream_call(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    router.latency = 0.5
    workers = [make_grounded_service(cache=shared_cache(backend)) for _ in range(2)]
    reports = await asyncio.gather(*(w.handle(parse("Facebook")) for w in workers))
    assert len(router.completion_calls()) == 1
    assert {r.source for r in reports} == {Source.AI}
    assert reports[0].text == reports[1].text


async def test_waiting_workers_get_the_leaders_fallback_too(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    router.enqueue(Reply.error(402, "You have exceeded your monthly included credits", delay=0.3))
    workers = [make_grounded_service(cache=shared_cache(backend)) for _ in range(3)]
    reports = await asyncio.gather(*(w.handle(parse("Facebook")) for w in workers))
    assert len(router.completion_calls()) == 1
    assert {r.fallback_reason for r in reports} == {FallbackReason.CREDITS_EXHAUSTED}


async def test_a_restarting_leader_hands_the_question_to_a_waiting_worker(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    """Worker one is stopping while it asks the model: its own command gets the "restarting"
    advice, but worker two, waiting for the same answer, asks for itself and gets the model's."""
    router.enqueue(Reply(hang=True))  # the leader's call never returns
    # A lock that would take 30 s to lapse: only a hand-over lets the follower in at once.
    stopping, other = (
        make_grounded_service(cache=shared_cache(backend, lock_seconds=30.0)) for _ in range(2)
    )
    leading = asyncio.create_task(stopping.handle(parse("Facebook")))
    await wait_for(router.completion_calls, what="the leader's model call")
    waiting = asyncio.create_task(other.handle(parse("Facebook")))
    await wait_for(lambda: other.cache.in_flight == 1, what="the follower waiting on the leader")
    stopping.wind_down(0)
    restarted, answered = await asyncio.wait_for(asyncio.gather(leading, waiting), 5)
    assert restarted.fallback_reason is FallbackReason.RESTARTING
    assert answered.source is Source.AI  # asked again by the worker that is not stopping
    assert len(router.completion_calls()) == 2


async def test_a_crashed_leaders_lock_expires_and_another_worker_answers(
    make_grounded_service: ServiceFactory,
    backend: RedisBackend,
    router: FakeRouter,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = make_grounded_service(cache=shared_cache(backend))
    lock = redis_key("lock", analysis_key(service))
    # A worker took the lock and died: nobody renews it, nobody leaves a result.
    await backend.client.set(lock, "dead-worker", px=60_000)
    redis_calls = 0
    call = backend.call

    async def counted(operation: Any) -> Any:
        nonlocal redis_calls
        redis_calls += 1
        return await call(operation)

    monkeypatch.setattr(backend, "call", counted)
    answering = asyncio.create_task(service.handle(parse("Facebook")))
    # Its look-up, its try for the lock, who holds it, then polls: it is waiting.
    await wait_for(lambda: redis_calls >= 6, what="the worker polling the dead worker's lock")
    assert not router.completion_calls()  # nobody asks while the lock stands
    await backend.client.pexpire(lock, 1)  # the dead worker's lock runs out
    report = await answering
    assert report.source is Source.AI and len(router.completion_calls()) == 1
    # It took over because the lock ran out, not because it gave up waiting (its limit: 10 s).
    assert "gave up waiting" not in caplog.text


async def test_a_long_answer_keeps_its_lock(
    make_grounded_service: ServiceFactory, backend: RedisBackend, router: FakeRouter
) -> None:
    router.latency = 1.0  # longer than the lock: the leader must renew it
    workers = [
        make_grounded_service(cache=shared_cache(backend, lock_seconds=0.3)) for _ in range(2)
    ]
    first = asyncio.create_task(workers[0].handle(parse("Facebook")))
    await wait_for(lambda: router.completion_calls(), what="the leader's model call")
    second = await workers[1].handle(parse("Facebook"))
    assert (await first).text == second.text
    assert len(router.completion_calls()) == 1


async def test_redis_unreachable_means_memory_and_one_warning(
    make_grounded_service: ServiceFactory, router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    down = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=60)
    try:
        assert await down.check() is False
        service = make_grounded_service(cache=shared_cache(down))
        limiter = RedisUserLimiter(down, MemoryUserLimiter(per_minute=1))
        first = await service.handle(parse("Facebook"))
        second = await service.handle(parse("Facebook"))
        assert (await limiter.admit("slack:T:U"), await limiter.admit("slack:T:U")) == (0, 60)
    finally:
        await down.aclose()
    assert (first.source, second.source) == (Source.AI, Source.CACHE)
    assert service.cache.backend == "memory (Redis unreachable)"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "Redis" in r.message]
    assert len(warnings) == 1 and "unreachable" in warnings[0].message


async def test_redis_going_away_and_coming_back(
    tmp_path: Path, make_grounded_service: ServiceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path).start()
    restarted = RedisServer(tmp_path, server.port)
    backend = RedisBackend(server.url, retry_seconds=0.2)
    try:
        service = make_grounded_service(cache=shared_cache(backend))
        assert (await service.handle(parse("Facebook"))).source is Source.AI
        assert len(await answer_keys(backend)) == 1
        server.stop()
        during = await service.handle(parse("build Facebook"))  # answered from memory's view
        assert during.source is Source.AI and service.cache.backend.startswith("memory")
        restarted.start()
        await wait_for(backend.check, what="Redis to be reachable again")
        after = await service.handle(parse("gaps Social Networking"))
        assert after.source is Source.AI and service.cache.backend == "redis"
        assert len(await answer_keys(backend)) == 1  # the new server holds the new answer
    finally:
        await backend.aclose()
        server.stop()
        restarted.stop()
    messages = [r.message for r in caplog.records if "Redis" in r.message]
    assert any("unreachable" in m for m in messages)
    assert any("reachable again" in m for m in messages)


async def test_per_user_limits_hold_across_workers(backend: RedisBackend) -> None:
    workers = [RedisUserLimiter(backend, MemoryUserLimiter(per_minute=3)) for _ in range(2)]
    verdicts = [await workers[i % 2].admit("discord:42") for i in range(4)]
    assert verdicts[:3] == [0, 0, 0]
    assert 55 <= verdicts[3] <= 60
    assert await workers[0].admit("discord:43") == 0  # another user is not affected


def test_two_worker_processes_share_answers_and_deliveries(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """Two web dynos behind one load balancer: the same /scout at the same moment makes one
    model call; a mention delivered to both is answered once."""
    ports = [free_port(), free_port()]
    redis.Redis.from_url(redis_server.url).flushdb()
    with (
        FakeSlack() as slack,
        FakeRouter(latency=1.5) as router,
        FakeAppStore() as appstore,
    ):
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "AI_BASE_URL": router.url,
            "APPSTORE_BASE_URL": appstore.base_url,
            "HUGGING_FACE_API_KEY": "hf_fake_test_key",
            "REDIS_URL": redis_server.url,
        }
        with (
            bot_process(tmp_path, "web", PORT=str(ports[0]), **env) as one,
            bot_process(tmp_path, "web", PORT=str(ports[1]), **env) as two,
        ):
            for port in ports:
                wait_until(
                    lambda port=port: health(port) is not None, what=f"the web process on {port}"
                )
            requests = [
                urllib.parse.urlencode(slack.slash_command("Facebook")).encode() for _ in ports
            ]
            with httpx.Client() as client:
                for port, body in zip(ports, requests, strict=True):
                    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
                    acked = client.post(
                        f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers
                    )
                    assert acked.status_code == 200
            wait_until(lambda: len(slack.posted) == 2, what="both replies")
            # Slack re-delivers a mention, this time to the other worker: still one answer.
            mention = json.dumps(slack.mention("build Facebook", event_id="Ev42")).encode()
            with httpx.Client() as client:
                for port in ports:
                    headers = {"Content-Type": "application/json", **sign(mention)}
                    delivered = client.post(
                        f"http://127.0.0.1:{port}/slack/events", content=mention, headers=headers
                    )
                    assert delivered.status_code == 200
            wait_until(lambda: len(slack.posted) == 3, what="the threaded answer")
            # A graceful stop finishes whatever each worker had accepted: any second answer
            # to the re-delivered mention would be posted before the workers exit.
            outputs = [stop_cleanly(one, signal.SIGTERM), stop_cleanly(two, signal.SIGTERM)]
    assert len(router.completion_calls()) == 2  # one per question, not per worker
    assert [p.where for p in slack.posted].count("chat.stopStream") == 1
    assert len(slack.live.streams()) == 1  # one stream started, by one worker
    assert all(
        "Facebook · Opportunity analysis" in p.all_text()
        for p in slack.posted
        if p.where == "response_url"
    )
    assert all("cache redis" in out for out in outputs)


@pytest.mark.parametrize(("verify", "required"), [(True, "required"), (False, "none")])
def test_tls_certificate_checking_follows_the_setting(verify: bool, required: str) -> None:
    import ssl

    backend = RedisBackend("rediss://:secret@redis.example:6380/0", verify_tls=verify)
    connection = backend.client.connection_pool.make_connection()
    expected = ssl.CERT_REQUIRED if required == "required" else ssl.CERT_NONE
    assert connection.ssl_context.cert_reqs == expected  # type: ignore[attr-defined]


async def test_reviews_read_by_one_worker_serve_another(
    make_grounded_service: ServiceFactory, backend: RedisBackend, appstore: FakeAppStore
) -> None:
    workers = [make_grounded_service() for _ in range(2)]
    for worker in workers:
        worker.facts.reviews = RedisReviewCache(backend, MemoryReviewCache(3600), 3600)
    first = await workers[0].facts.gather(parse("Webster Bank"), "us")  # type: ignore[arg-type]
    second = await workers[1].facts.gather(parse("Webster Bank"), "us")  # type: ignore[arg-type]
    assert first.reviews == second.reviews and second.reviews is not None  # type: ignore[union-attr]
    assert len(appstore.calls("/us/rss/customerreviews/")) == 3  # read by the first only
    assert 0 < await backend.client.ttl("trendscout:reviews:us:1321994487") <= 3600


async def test_a_conversation_is_continued_by_any_worker_and_expires_in_redis(
    backend: RedisBackend,
) -> None:
    key = ConversationKey("discord", "900000000000000010", "thread:1234")
    first = Report(ReportKind.ANALYSIS, "PCalc", "**Improvements**\n- Faster", Source.AI)
    one = RedisConversationStore(backend, MemoryConversationStore(86_400), 86_400)
    two = RedisConversationStore(backend, MemoryConversationStore(86_400), 86_400)
    await one.put(key, ConversationContext(first, (Exchange("user", "what would you charge?"),)))
    seen = await two.get(key)
    assert seen is not None and seen.report == first
    assert seen.exchanges == (Exchange("user", "what would you charge?"),)
    assert 86_390 <= await backend.client.ttl(key.storage_key()) <= 86_400
    assert await two.get(ConversationKey("discord", "900000000000000010", "thread:9")) is None
    # A record another version wrote (or anyone else) is no context, not a crash.
    await backend.client.set(key.storage_key(), b'{"v": 99}')
    assert await two.get(key) is None


async def test_without_redis_a_worker_keeps_its_conversations_in_memory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=60)
    try:
        store = RedisConversationStore(down, MemoryConversationStore(86_400), 86_400)
        key = ConversationKey("console", "", "session")
        context = ConversationContext(Report(ReportKind.GAPS, "Finance", "- Budgets", Source.AI))
        with caplog.at_level(logging.WARNING, logger="bot.cache.conversation_store"):
            await store.put(key, context)
            assert await store.get(key) == context
            follow_up = context.with_exchanges(Exchange("user", "and in Japan?"))
            await store.put(key, follow_up)
            assert await store.get(key) == follow_up
        said = [r for r in caplog.records if "kept in this worker's memory" in r.getMessage()]
        assert len(said) == 1  # once, not per conversation turn
    finally:
        await down.aclose()
