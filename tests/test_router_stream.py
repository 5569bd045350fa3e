"""The router client streaming (server-sent events) against the fake router: text that grows,
reasoning never shown, usage from the last chunk, the retry policy until the first text, and
streams that break half-way ending as cut answers or labelled failures — never retried once
text is on the user's screen."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.ai import FailureKind, Message, RouterFailure
from bot.ai.stream import read_stream
from tests.conftest import ClientFactory
from tests.fake_router import DEFAULT_ANSWER, REASONING_TEXT, FakeRouter, Reply

MESSAGES = [Message("system", "You are a test."), Message("user", "Analyse Calculator Pro.")]
LONG_ANSWER = "\n".join(f"- Point {n}: " + "detail " * 12 for n in range(12))


class Seen:
    def __init__(self) -> None:
        self.pieces: list[tuple[float, str]] = []

    def __call__(self, piece: str) -> None:
        self.pieces.append((time.monotonic(), piece))

    @property
    def text(self) -> str:
        return "".join(piece for _, piece in self.pieces)


async def test_the_answer_streams_in_pieces_with_usage_and_no_reasoning(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.tokens_per_second = 200
    seen = Seen()
    completion = await make_client().stream(MESSAGES, seen)
    assert len(seen.pieces) > 10  # it grew, piece by piece
    assert [t for t, _ in seen.pieces] == sorted(t for t, _ in seen.pieces)
    assert seen.text.strip() == DEFAULT_ANSWER.strip() == completion.text
    assert REASONING_TEXT.split()[0] not in seen.text
    assert completion.usage.prompt_tokens == 120 and not completion.truncated
    assert completion.provider == "fake-provider"
    [call] = router.completion_calls()
    assert call.body["stream"] is True and call.body["stream_options"] == {"include_usage": True}


async def test_failures_before_the_first_text_are_retried(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.enqueue(Reply.error(503, "overloaded"))
    seen = Seen()
    completion = await make_client().stream(MESSAGES, seen)
    assert completion.text == DEFAULT_ANSWER.strip() and len(router.completion_calls()) == 2


async def test_reasoning_that_eats_the_budget_gets_the_larger_retry_when_streaming(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.reasoning_cost = 500
    completion = await make_client().stream(MESSAGES, Seen())
    assert [c.body["max_tokens"] for c in router.completion_calls()] == [400, 2048]
    assert completion.text == DEFAULT_ANSWER.strip()


@pytest.mark.parametrize("fault", ["error", "cut"])
async def test_a_stream_that_breaks_after_enough_text_is_a_cut_answer(
    router: FakeRouter, make_client: ClientFactory, fault: str
) -> None:
    router.answer = LONG_ANSWER
    router.stream_fault = (fault, 60)
    seen = Seen()
    completion = await make_client().stream(MESSAGES, seen)
    assert completion.truncated
    assert seen.text.startswith(completion.text)  # what was shown stands, cut at a line
    assert completion.text.endswith("detail") and len(router.completion_calls()) == 1


async def test_a_stream_that_breaks_too_early_is_a_failure_never_retried(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.stream_fault = ("error", 3)
    seen = Seen()
    with pytest.raises(RouterFailure) as caught:
        await make_client().stream(MESSAGES, seen)
    assert caught.value.kind is FailureKind.EMPTY_ANSWER
    assert seen.text and len(router.completion_calls()) == 1  # text shown: no second try


async def test_the_deadline_mid_stream_keeps_what_was_shown(
    router: FakeRouter, make_client: ClientFactory
) -> None:
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100
    completion = await make_client(timeout=1.0).stream(MESSAGES, Seen())
    assert completion.truncated and len(completion.text) >= 120


async def lines(*items: str) -> AsyncIterator[bytes]:
    """A body as the network might split it: each line in two reads."""
    for item in items:
        raw = (item + "\n").encode()
        yield raw[: len(raw) // 2]
        yield raw[len(raw) // 2 :]


async def test_a_finished_stream_without_done_is_complete_and_think_blocks_are_hidden() -> None:
    seen = Seen()
    answer = await read_stream(
        lines(
            ": keep-alive",
            'data: {"choices":[{"delta":{"content":"<think>plan</think>Hello"}}]}',
            "",
            'data: {"choices":[{"delta":{"content":" world"},"finish_reason":"stop"}]}',
        ),
        seen,
    )
    assert (answer.text, answer.failure, answer.done) == ("Hello world", None, False)
    assert "plan" not in seen.text


async def test_an_unfinished_or_malformed_stream_is_a_failure() -> None:
    cut = await read_stream(lines('data: {"choices":[{"delta":{"content":"Hi"}}]}'), Seen())
    assert cut.failure == "the stream ended before the answer did"
    broken = await read_stream(lines("data: {not json"), Seen())
    assert broken.failure == "malformed event"
