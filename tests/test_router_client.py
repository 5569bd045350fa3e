"""RouterClient against the loopback fake router: what comes back, and how many calls it took."""

from __future__ import annotations

import pytest

from bot.ai import Completion, FailureKind, RouterClient, RouterFailure, RouterSettings
from bot.ai.messages import Message
from bot.runtime.circuit_breaker import BreakerState, CircuitBreaker
from bot.runtime.transport import AiohttpTransport
from tests.conftest import ClientFactory
from tests.fake_router import (
    DEFAULT_ANSWER,
    REASONING_TEXT,
    FakeRouter,
    Reply,
    completion_reply,
)
from tests.helpers import ManualClock

MESSAGES = [Message("system", "You are Trend Scout."), Message("user", "Analyse Calculator Pro")]


async def fails(make_client: ClientFactory, **overrides: object) -> RouterFailure:
    client = make_client(**overrides)
    with pytest.raises(RouterFailure) as caught:
        await client.complete(MESSAGES)
    return caught.value


async def test_answer_carries_text_model_provider_and_usage(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    completion = await make_client().complete(MESSAGES)

    assert completion.text == DEFAULT_ANSWER.strip()
    assert completion.model == "gpt-oss-120b"  # the provider's own id, not the requested one
    assert completion.requested_model == "openai/gpt-oss-120b"
    assert completion.provider == "fake-provider"
    assert completion.usage.prompt_tokens == 120
    assert completion.usage.reasoning_tokens == len(REASONING_TEXT.split())
    assert not completion.truncated
    assert REASONING_TEXT not in completion.text
    [call] = router.completion_calls()
    assert call.headers["Authorization"] == "Bearer hf_fake_test_key"
    assert call.body["model"] == "openai/gpt-oss-120b"
    assert call.body["max_tokens"] == 400
    assert call.body["temperature"] == 0.7
    assert call.body["top_p"] == 0.9
    assert "reasoning_effort" not in call.body
    assert [m["role"] for m in call.body["messages"]] == ["system", "user"]


async def test_reasoning_effort_is_sent_when_set(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    await make_client(reasoning_effort="medium").complete(MESSAGES)
    await make_client().complete(MESSAGES, deep=True)
    calls = router.completion_calls()
    assert [c.body["reasoning_effort"] for c in calls] == ["medium", "high"]
    assert [c.body["max_tokens"] for c in calls] == [400, 2048]  # deep thinking needs room


async def test_cookies_from_the_router_are_never_sent_back(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(
        Reply(200, None, {"Set-Cookie": "session=abc123; Path=/"}),
    )
    client = make_client()
    await client.complete(MESSAGES)
    await client.complete(MESSAGES)
    assert [c.headers.get("Cookie") for c in router.completion_calls()] == [None, None]


async def test_no_key_means_no_call(router: FakeRouter, make_client: ClientFactory) -> None:
    error = await fails(make_client, api_key=None)
    assert error.kind is FailureKind.NO_KEY
    assert router.completion_calls() == []


@pytest.mark.parametrize(
    "reply",
    [
        Reply.error(429, {"message": "Too many requests"}),
        Reply.error(500, "Internal Server Error"),
        Reply.error(502, "Bad gateway"),
        Reply.error(503, {"message": "Service unavailable", "type": "overloaded"}),
        Reply.error(504, "Gateway timeout"),
        Reply.error(408, "Request timeout"),
        Reply.error(409, "Conflict"),
        Reply.html(502),
        Reply.raw(200, b'{"id": "chatcmpl-1", "choices": [{"message": {"content": "trunc'),
        Reply.raw(200, b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": []}'),
        Reply.raw(200, b'{"error": "upstream provider failed"}'),
        completion_reply(""),
        Reply(reset=True),
    ],
    ids=[
        "429-no-retry-after",
        "500",
        "502",
        "503",
        "504",
        "408",
        "409",
        "html-502",
        "malformed-json",
        "empty-choices",
        "error-in-200",
        "empty-content",
        "connection-reset",
    ],
)
async def test_transient_failure_is_retried_then_answered(
    router: FakeRouter, make_client: ClientFactory, reply: Reply
) -> None:
    router.enqueue(reply)
    completion = await make_client().complete(MESSAGES)
    assert completion.text == DEFAULT_ANSWER.strip()
    assert len(router.completion_calls()) == 2
    assert completion.upstream_calls == 2


@pytest.mark.parametrize(
    ("header", "value", "wait"),
    [("retry-after", "0.3", 0.3), ("retry-after-ms", "300", 0.3)],
)
async def test_429_honours_the_servers_wait(
    router: FakeRouter, make_client: ClientFactory, header: str, value: str, wait: float
) -> None:
    router.enqueue(Reply.error(429, "rate limited", {header: value}))
    await make_client().complete(MESSAGES)
    first, second = router.completion_calls()
    assert second.at - first.at >= wait


async def test_retry_after_beyond_the_cap_is_capped(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(Reply.error(429, "slow down", {"retry-after": "3600"}))
    await make_client(retry_after_cap=0.2).complete(MESSAGES)
    first, second = router.completion_calls()
    assert 0.2 <= second.at - first.at < 5


async def test_persistent_5xx_gives_up_after_the_retry_budget(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(*[Reply.error(503, "down")] * 10)
    error = await fails(make_client, max_retries=2)
    assert error.kind is FailureKind.UPSTREAM_DOWN
    assert len(router.completion_calls()) == 3


async def test_persistent_html_errors_give_up_as_upstream_down(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(*[Reply.html(502)] * 10)
    error = await fails(make_client, max_retries=1)
    assert error.kind is FailureKind.UPSTREAM_DOWN
    assert "Bad Gateway" in error.detail
    assert len(router.completion_calls()) == 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.error(401, "Invalid credentials in Authorization header"), "key_rejected"),
        (Reply.error(403, {"message": "forbidden: token lacks permission"}), "key_rejected"),
        (Reply.error(402, {"message": "You have exceeded your monthly credits"}), "credits"),
    ],
)
async def test_key_and_credit_errors_are_not_retried_nor_sent_to_other_models(
    router: FakeRouter, make_client: ClientFactory, reply: Reply, reason: str
) -> None:
    router.enqueue(reply)
    error = await fails(make_client, models=("openai/gpt-oss-120b", "openai/gpt-oss-20b"))
    expected = {
        "key_rejected": FailureKind.KEY_REJECTED,
        "credits": FailureKind.CREDITS_EXHAUSTED,
    }[reason]
    assert error.kind is expected
    assert len(router.completion_calls()) == 1


async def test_wrong_key_is_rejected_by_the_fake_like_the_router(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    error = await fails(make_client, api_key="hf_wrong")
    assert error.kind is FailureKind.KEY_REJECTED
    assert "Invalid credentials" in error.detail
    assert "hf_wrong" not in str(error)
    assert len(router.completion_calls()) == 1


async def test_unsupported_model_moves_to_the_next_model_at_once(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    client = make_client(models=("acme/not-a-model", "openai/gpt-oss-20b"))
    completion = await client.complete(MESSAGES)
    assert completion.requested_model == "openai/gpt-oss-20b"
    assert completion.model == "gpt-oss-20b"
    assert [c.body["model"] for c in router.completion_calls()] == [
        "acme/not-a-model",
        "openai/gpt-oss-20b",
    ]


async def test_every_model_unsupported_is_model_unavailable(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    error = await fails(make_client, models=("acme/a", "acme/b"))
    assert error.kind is FailureKind.MODEL_UNAVAILABLE
    assert len(router.completion_calls()) == 2


async def test_other_400_is_not_retried(router: FakeRouter, make_client: ClientFactory) -> None:
    router.enqueue(Reply.error(400, {"message": "messages too long", "type": "invalid_request"}))
    error = await fails(make_client)
    assert error.kind is FailureKind.REQUEST_REJECTED
    assert len(router.completion_calls()) == 1


async def test_5xx_on_one_model_falls_through_to_the_next(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(Reply.error(503, "down"), Reply.error(503, "down"))
    client = make_client(models=("openai/gpt-oss-120b", "openai/gpt-oss-20b"), max_retries=1)
    completion = await client.complete(MESSAGES)
    assert completion.requested_model == "openai/gpt-oss-20b"
    assert len(router.completion_calls()) == 3


async def test_reasoning_that_eats_the_budget_gets_one_larger_retry(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.reasoning_cost = 1000  # 400 tokens are all spent thinking: content null, "length"
    completion = await make_client().complete(MESSAGES)
    assert completion.text == DEFAULT_ANSWER.strip()
    first, second = router.completion_calls()
    assert first.body["max_tokens"] == 400
    assert second.body["max_tokens"] == 2048
    assert second.body["reasoning_effort"] == "low"


async def test_empty_at_length_twice_is_an_empty_answer(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.reasoning_cost = 100_000
    error = await fails(make_client)
    assert error.kind is FailureKind.EMPTY_ANSWER
    assert len(router.completion_calls()) == 2


async def test_truncated_answer_is_cut_at_its_last_complete_line(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(
        completion_reply("**Improvements**\n- Faster input\n- History and wid", "length")
    )
    completion = await make_client().complete(MESSAGES)
    assert completion.truncated
    assert completion.text == "**Improvements**\n- Faster input"
    assert len(router.completion_calls()) == 1


async def test_inline_think_blocks_and_reasoning_never_reach_the_text(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(
        completion_reply("<think>secret plan</think>\nThe answer.", reasoning="more secrets")
    )
    completion = await make_client().complete(MESSAGES)
    assert completion.text == "The answer."


async def test_hang_past_the_deadline_times_out(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(Reply(hang=True))  # an hour's hang
    error = await fails(make_client, timeout=0.5)
    assert error.kind is FailureKind.TIMED_OUT
    # Ended by the command's deadline (not by a socket timeout, which would be retried, nor by
    # the hang ending): one call, and the deadline's own verdict.
    assert error.detail == "no answer within 0.5 s"
    assert len(router.completion_calls()) == 1


async def test_deadline_bounds_retries_too(router: FakeRouter, make_client: ClientFactory) -> None:
    router.enqueue(*[Reply.error(503, "down", delay=0.3)] * 10)
    error = await fails(make_client, timeout=0.5, max_retries=10)
    assert error.kind is FailureKind.TIMED_OUT
    assert len(router.completion_calls()) <= 3


async def test_unreachable_router_is_upstream_down(transport: AiohttpTransport) -> None:
    settings = RouterSettings(
        base_url="http://127.0.0.1:9/v1",  # discard port: nothing listens
        api_key="hf_x",
        models=("openai/gpt-oss-120b",),
        timeout=3,
        max_retries=1,
        backoff_base=0.01,
    )
    with pytest.raises(RouterFailure) as caught:
        await RouterClient(settings, transport).complete(MESSAGES)
    assert caught.value.kind is FailureKind.UPSTREAM_DOWN
    assert caught.value.upstream_calls == 2


async def test_circuit_breaker_opens_fails_fast_and_recovers(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown_seconds=30, clock=clock)
    client = make_client(breaker=breaker, max_retries=0)
    router.enqueue(Reply.error(503, "down"), Reply.error(503, "down"))
    for _ in range(2):
        with pytest.raises(RouterFailure):
            await client.complete(MESSAGES)
    assert breaker.state is BreakerState.OPEN

    with pytest.raises(RouterFailure) as caught:
        await client.complete(MESSAGES)
    assert caught.value.kind is FailureKind.UPSTREAM_DOWN
    assert caught.value.upstream_calls == 0
    assert len(router.completion_calls()) == 2  # failed fast, upstream not asked

    clock.now += 31  # cooldown over: one trial goes through and closes the circuit
    assert isinstance(await client.complete(MESSAGES), Completion)
    assert breaker.state is BreakerState.CLOSED
    assert len(router.completion_calls()) == 3


async def test_key_errors_do_not_open_the_breaker(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    breaker = CircuitBreaker(failure_threshold=1)
    client = make_client(breaker=breaker, api_key="hf_wrong")
    for _ in range(3):
        with pytest.raises(RouterFailure):
            await client.complete(MESSAGES)
    assert breaker.state is BreakerState.CLOSED
    assert len(router.completion_calls()) == 3  # each command still asked: no fail-fast


