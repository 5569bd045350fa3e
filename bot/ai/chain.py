"""One command's trip through the model chain: the calls, retries, model hand-overs and the
streamed text shown so far (`ModelChain`), and what it ends with (`Completion`).

The policy is the client's, handed over in a `ChainPort` (bot/ai/port.py) with the way to reach
the router; this is its state, per command.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from bot.ai.failures import (
    FailureKind,
    LengthEmpty,
    NextModel,
    Retry,
    RouterFailure,
    StopChain,
    ToolsRefused,
)
from bot.ai.messages import Message
from bot.ai.port import ChainPort
from bot.ai.stream import StreamedAnswer, read_stream
from bot.ai.tools import ToolCall, ToolSpec, tool_calls
from bot.ai.wire import (
    TokenUsage,
    cut_at_last_line,
    error_details,
    first_choice,
    retry_after_seconds,
    token_usage,
    visible_text,
)
from bot.runtime import count_model_call

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
LARGER_BUDGET = 2048  # for the one retry after an empty, length-capped answer
MAX_BUDGET = 4096
MIN_USEFUL_CHARS = 120  # less than this, cut mid-stream, is not worth showing as an answer
# Why an answer was cut short (`Completion.cut_by`), as users read it after "cut short ".
CUT_AT_LENGTH = "at the model's length limit"
CUT_AT_DEADLINE = "when the time allowed ran out"
CUT_BY_STREAM = "when the AI service's stream broke off"


@dataclass(frozen=True)
class Completion:
    text: str
    model: str  # the id the provider reports; may differ in form from the one requested
    requested_model: str
    provider: str | None
    usage: TokenUsage
    truncated: bool
    upstream_calls: int
    cut_by: str = ""  # why it was truncated: one of the CUT_ phrases
    tool_calls: tuple[ToolCall, ...] = ()  # what the model asked to look up (text may be "")
    tools_refused: bool = False  # the provider could not take tools: asked again without

    @property
    def cut_note(self) -> str | None:
        """What a reply says of an answer cut short, and why; None for a whole answer."""
        return f"The answer was cut short {self.cut_by}" if self.truncated else None


class ModelChain:
    """The state of one command's trip through the model chain."""

    def __init__(
        self,
        port: ChainPort,
        messages: Sequence[Message],
        effort: str | None,
        max_tokens: int,
        on_text: Callable[[str], None] | None = None,
        tools: Sequence[ToolSpec] = (),
        response_format: dict[str, Any] | None = None,
    ) -> None:
        self.port = port
        self.response_format = response_format  # e.g. a JSON schema the answer must follow
        self.tools = [tool.as_dict() for tool in tools]  # dropped if the provider refuses them
        self.tools_refused = False
        self.policy = port.policy
        self.messages = [m.as_dict() for m in messages]
        self.effort = effort
        self.max_tokens = max_tokens
        self.calls = 0
        self.on_text = on_text
        self.shown = StreamedAnswer()  # what the caller has been shown (streaming only)
        self.shown_model = ""

    def _show(self, piece: str) -> None:
        assert self.on_text is not None
        self.on_text(piece)

    def cut_answer(self, cut_by: str) -> Completion | None:
        """What was streamed before a failure, as a cut answer, if it is worth keeping."""
        text = self.shown.text
        if len(text.strip()) < MIN_USEFUL_CHARS:
            return None
        return self._completed(self.shown_model, self.shown, {}, cut_by)

    async def run(self) -> Completion:
        last: tuple[FailureKind, str] = (FailureKind.MODEL_UNAVAILABLE, "no model configured")
        models = self.policy.models
        for index, model in enumerate(models):
            try:
                completion = await self._run_model(model)
            except NextModel as exc:
                log.info("model %s failed (%s): %s", model, exc.kind.value, exc.detail)
                last = (exc.kind, exc.detail)
                if index + 1 < len(models):
                    self.port.tally.record_handover()
            except StopChain as exc:
                raise RouterFailure(exc.kind, exc.detail, self.calls) from None
            else:
                return replace(completion, tools_refused=self.tools_refused)
        raise RouterFailure(last[0], last[1], self.calls)

    async def _run_model(self, model: str) -> Completion:
        budget, effort = self.max_tokens, self.effort
        retries = 0
        widened = False
        while True:
            try:
                return await self._call(model, budget, effort)
            except ToolsRefused as exc:
                log.info("%s cannot use tools (%s); asking without them", model, exc)
                self.tools, self.tools_refused = [], True
                continue
            except LengthEmpty:
                if widened:
                    raise NextModel(FailureKind.EMPTY_ANSWER, "empty answer at length") from None
                widened = True
                budget, effort = min(MAX_BUDGET, max(LARGER_BUDGET, budget * 2)), "low"
                continue
            except Retry as exc:
                if retries >= self.policy.max_retries:
                    raise NextModel(exc.kind, exc.detail) from None
                delay = self._backoff(retries, exc.delay)
                log.info("retrying %s in %.2f s (%s)", model, delay, exc.detail)
                retries += 1
                self.port.tally.record_retry()
                await asyncio.sleep(delay)

    def _count_call(self) -> None:
        """Every model call counts here: for this command, the client's tally and the scope's."""
        self.calls += 1
        self.port.tally.record_call()
        count_model_call()

    def _backoff(self, retries: int, asked: float | None) -> float:
        if asked is not None:
            return min(max(0.0, asked), self.policy.retry_after_cap)
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2**retries)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter"

    async def _call(self, model: str, budget: int, effort: str | None) -> Completion:
        if self.on_text is not None:
            return await self._stream_call(model, budget, effort)
        body = self._body(model, budget, effort, stream=False)
        self._count_call()
        try:
            async with self.port.post(body) as response:
                raw = await response.read()
                status, headers = response.status, response.headers
        except (aiohttp.ClientError, ConnectionError, TimeoutError) as exc:
            raise Retry(*_network_failure(exc)) from None
        if status != 200:
            self._raise_for_status(status, raw, headers)
        return self._completion(model, raw, headers)

    def _body(self, model: str, budget: int, effort: str | None, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "messages": self.messages,
            "max_tokens": budget,
            "temperature": self.policy.temperature,
            "top_p": self.policy.top_p,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}  # usage arrives in the last chunk
        if effort:
            body["reasoning_effort"] = effort
        if self.tools:
            body["tools"] = self.tools
            body["tool_choice"] = "auto"
        if self.response_format is not None:
            body["response_format"] = self.response_format
        return body

    async def _stream_call(self, model: str, budget: int, effort: str | None) -> Completion:
        body = self._body(model, budget, effort, stream=True)
        self._count_call()
        self.shown_model = model
        headers: Mapping[str, str] = {}
        try:
            async with self.port.post(body) as response:
                headers = response.headers
                if response.status != 200:
                    raw = await response.read()
                    self._raise_for_status(response.status, raw, headers)
                streamed = await read_stream(response.content.iter_any(), self._show_streamed)
        except (aiohttp.ClientError, ConnectionError, TimeoutError, ValueError) as exc:
            if self.shown.text:  # text is on the user's screen: end it as cut, never retry
                return self._cut_or_fail(f"network: {type(exc).__name__}")
            kind, detail = _network_failure(exc)
            raise Retry(kind, f"{detail} before any text") from None
        if not streamed.text and (calls := streamed.tool_calls.calls()):
            if streamed.failure:  # half a call is no call
                raise Retry(FailureKind.UPSTREAM_DOWN, f"stream failed: {streamed.failure}")
            return self._completed(streamed.model or model, streamed, headers, "", calls)
        if not streamed.text:
            if streamed.failure:
                raise Retry(FailureKind.UPSTREAM_DOWN, f"stream failed: {streamed.failure}")
            if streamed.finish_reason == "length":
                raise LengthEmpty()
            raise Retry(FailureKind.EMPTY_ANSWER, "empty stream")
        if streamed.failure:
            return self._cut_or_fail(streamed.failure)
        length = streamed.finish_reason == "length"
        return self._completed(
            streamed.model or model, streamed, headers, CUT_AT_LENGTH if length else ""
        )

    def _show_streamed(self, piece: str) -> None:
        self.shown.text += piece
        self._show(piece)

    def _cut_or_fail(self, why: str) -> Completion:
        cut = self.cut_answer(CUT_BY_STREAM)
        if cut is None:
            raise StopChain(FailureKind.EMPTY_ANSWER, f"stream broke early ({why})")
        log.info(
            "stream broke after %d characters (%s): answer kept, marked cut",
            len(self.shown.text),
            why,
        )
        return cut

    def _completed(
        self,
        model: str,
        streamed: StreamedAnswer,
        headers: Mapping[str, str],
        cut_by: str,
        calls: tuple[ToolCall, ...] = (),
    ) -> Completion:
        """The streamed answer; cut at its last whole line when `cut_by` says why it was cut."""
        truncated = bool(cut_by)
        text = cut_at_last_line(streamed.text) if truncated else streamed.text.strip()
        return Completion(
            text=text,
            model=streamed.model or model,
            requested_model=self.shown_model or model,
            provider=headers.get("x-inference-provider"),
            usage=streamed.usage or TokenUsage(),
            truncated=truncated,
            upstream_calls=self.calls,
            cut_by=cut_by,
            tool_calls=calls,
        )

    def _raise_for_status(self, status: int, raw: bytes, headers: Mapping[str, str]) -> None:
        code, message = error_details(raw)
        detail = (
            f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        )
        if status in RETRYABLE_STATUS:
            raise Retry(FailureKind.UPSTREAM_DOWN, detail, retry_after_seconds(headers))
        if status in (401, 403):
            raise StopChain(FailureKind.KEY_REJECTED, detail)
        if status == 400 and self.tools and "tool" in f"{code} {message}".lower():
            raise ToolsRefused(detail)
        if status == 402:
            raise StopChain(FailureKind.CREDITS_EXHAUSTED, detail)
        if code == "model_not_supported" or status == 404 or "not supported" in message.lower():
            raise NextModel(FailureKind.MODEL_UNAVAILABLE, detail)
        if 400 <= status < 500:
            raise NextModel(FailureKind.REQUEST_REJECTED, detail)
        raise Retry(FailureKind.UPSTREAM_DOWN, detail)

    def _completion(self, model: str, raw: bytes, headers: Mapping[str, str]) -> Completion:
        try:
            data = json.loads(raw)
        except ValueError:
            raise Retry(FailureKind.UPSTREAM_DOWN, "malformed body: not JSON") from None
        choice = first_choice(data)
        if choice is None:
            _code, message = error_details(raw)
            raise Retry(FailureKind.UPSTREAM_DOWN, f"malformed body, no choices: {message}")
        message_obj = choice.get("message")
        content = message_obj.get("content") if isinstance(message_obj, dict) else None
        text = visible_text(content)
        finish = choice.get("finish_reason")
        calls = tool_calls(message_obj.get("tool_calls")) if isinstance(message_obj, dict) else ()
        if not text and not calls:
            if finish == "length":
                raise LengthEmpty()
            raise Retry(FailureKind.EMPTY_ANSWER, f"empty content (finish_reason={finish})")
        truncated = finish == "length"
        if truncated:
            text = cut_at_last_line(text)
        reported = data.get("model")
        return Completion(
            text=text,
            model=reported if isinstance(reported, str) and reported else model,
            requested_model=model,
            provider=headers.get("x-inference-provider"),
            usage=token_usage(data.get("usage")),
            truncated=truncated,
            upstream_calls=self.calls,
            cut_by=CUT_AT_LENGTH if truncated else "",
            tool_calls=calls,
        )


def _network_failure(exc: BaseException) -> tuple[FailureKind, str]:
    """A failure to talk to the router: a timeout, or anything else on the way."""
    if isinstance(exc, TimeoutError):  # aiohttp's socket timeouts are TimeoutErrors
        return FailureKind.TIMED_OUT, f"timeout: {type(exc).__name__}"
    return FailureKind.UPSTREAM_DOWN, f"network: {type(exc).__name__}"
