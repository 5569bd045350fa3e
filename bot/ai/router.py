"""`RouterClient`: chat completions through Hugging Face's OpenAI-compatible router.

Policy, per command (see DESIGN.md, router contract):
- retry 408/409/429/5xx, timeouts, connection errors and malformed bodies with exponential
  backoff and jitter, honouring `retry-after-ms` / `retry-after` up to a cap;
- never retry 400/401/402/403; 401/402/403 end the whole chain (the key is the problem);
- `model_not_supported` (or 404) moves to the next model of the chain at once;
- empty content with `finish_reason: "length"` gets one retry with a larger budget and low effort;
- a truncated answer is cut at its last complete line and marked as cut;
- one deadline bounds the whole command, retries and fallback models included;
- a circuit breaker fails fast after a run of upstream failures.
Chain-of-thought (`reasoning`, `reasoning_content`, `<think>` blocks) never leaves this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.ai.prompts import Message
from bot.ai.wire import (
    cut_at_last_line,
    error_details,
    first_choice,
    retry_after_seconds,
    token_usage,
    visible_text,
)
from bot.config import Settings
from bot.report import FallbackReason, TokenUsage
from bot.runtime.circuit_breaker import CircuitBreaker
from bot.runtime.request_scope import count_model_call
from bot.runtime.transport import AiohttpTransport, http_client

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
LARGER_BUDGET = 2048  # for the one retry after an empty, length-capped answer
MAX_BUDGET = 4096
# Failures that say the upstream itself is unhealthy; they feed the circuit breaker.
_UNHEALTHY = frozenset({FallbackReason.UPSTREAM_DOWN, FallbackReason.TIMED_OUT})


@dataclass(frozen=True)
class RouterSettings:
    base_url: str
    api_key: str | None
    models: tuple[str, ...]
    max_tokens: int = 400
    temperature: float = 0.7
    top_p: float = 0.9
    timeout: float = 60.0  # total deadline for one command, all attempts included
    reasoning_effort: str | None = None
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 20.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RouterSettings:
        return cls(
            base_url=settings.ai_base_url,
            api_key=settings.hf_api_key,
            models=settings.model_chain,
            max_tokens=settings.ai_max_tokens,
            temperature=settings.ai_temperature,
            top_p=settings.ai_top_p,
            timeout=settings.ai_timeout,
            reasoning_effort=settings.ai_reasoning_effort,
            max_retries=settings.ai_max_retries,
        )


@dataclass(frozen=True)
class Completion:
    text: str
    model: str  # the id the provider reports; may differ in form from the one requested
    requested_model: str
    provider: str | None
    usage: TokenUsage
    truncated: bool
    upstream_calls: int


class RouterUnavailable(Exception):
    """No usable answer; `reason` says why in terms the user can be told."""

    def __init__(self, reason: FallbackReason, detail: str, upstream_calls: int) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.upstream_calls = upstream_calls


class _Retry(Exception):
    def __init__(self, reason: FallbackReason, detail: str, delay: float | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.delay = delay  # what the server asked for, if it did


class _NextModel(Exception):
    def __init__(self, reason: FallbackReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _StopChain(Exception):
    def __init__(self, reason: FallbackReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _LengthEmpty(Exception):
    """Reasoning ate the whole budget; content is empty."""


class RouterClient:
    def __init__(
        self,
        settings: RouterSettings,
        transport: AiohttpTransport,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.settings = settings
        # The key lives on this client only, so it can never ride along to another host.
        self._http = http_client(
            transport, settings.timeout, {"Authorization": f"Bearer {settings.api_key}"}
        )
        self.breaker = breaker or CircuitBreaker(
            settings.breaker_threshold, settings.breaker_cooldown
        )
        self.upstream_calls = 0  # since start, for benchmarks and stats
        self._endpoint = httpx.URL(f"{settings.base_url}/chat/completions")  # parsed once

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        reasoning_effort: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        s = self.settings
        if not s.api_key:
            raise RouterUnavailable(FallbackReason.NO_KEY, "no API key configured", 0)
        if not self.breaker.allow():
            wait = round(self.breaker.retry_in_seconds)
            raise RouterUnavailable(
                FallbackReason.UPSTREAM_DOWN, f"circuit open, next try in {wait} s", 0
            )
        attempt = _Attempt(self, messages, reasoning_effort or s.reasoning_effort, max_tokens)
        try:
            async with asyncio.timeout(s.timeout):
                completion = await attempt.run_chain()
        except TimeoutError:
            self.breaker.record_failure()
            raise RouterUnavailable(
                FallbackReason.TIMED_OUT, f"no answer within {s.timeout:g} s", attempt.calls
            ) from None
        except RouterUnavailable as exc:
            if exc.reason in _UNHEALTHY:
                self.breaker.record_failure()
            else:  # the upstream answered; the problem was the key, credits or model
                self.breaker.record_success()
            raise
        except BaseException:  # cancelled: no verdict on the upstream's health
            self.breaker.release()
            raise
        self.breaker.record_success()
        return completion


class _Attempt:
    """The state of one command's trip through the model chain."""

    def __init__(
        self,
        client: RouterClient,
        messages: Sequence[Message],
        effort: str | None,
        max_tokens: int | None,
    ) -> None:
        self.client = client
        self.s = client.settings
        self.messages = [m.as_dict() for m in messages]
        self.effort = effort
        self.max_tokens = max_tokens or self.s.max_tokens
        self.calls = 0

    async def run_chain(self) -> Completion:
        last: tuple[FallbackReason, str] = (FallbackReason.MODEL_UNAVAILABLE, "no model configured")
        for model in self.s.models:
            try:
                return await self._run_model(model)
            except _NextModel as exc:
                log.info("model %s failed (%s): %s", model, exc.reason.value, exc.detail)
                last = (exc.reason, exc.detail)
            except _StopChain as exc:
                raise RouterUnavailable(exc.reason, exc.detail, self.calls) from None
        raise RouterUnavailable(last[0], last[1], self.calls)

    async def _run_model(self, model: str) -> Completion:
        budget, effort = self.max_tokens, self.effort
        retries = 0
        widened = False
        while True:
            try:
                return await self._call(model, budget, effort)
            except _LengthEmpty:
                if widened:
                    raise _NextModel(
                        FallbackReason.EMPTY_ANSWER, "empty answer at length"
                    ) from None
                widened = True
                budget, effort = min(MAX_BUDGET, max(LARGER_BUDGET, budget * 2)), "low"
                continue
            except _Retry as exc:
                if retries >= self.s.max_retries:
                    raise _NextModel(exc.reason, exc.detail) from None
                delay = self._backoff(retries, exc.delay)
                log.info("retrying %s in %.2f s (%s)", model, delay, exc.detail)
                retries += 1
                await asyncio.sleep(delay)

    def _backoff(self, retries: int, asked: float | None) -> float:
        if asked is not None:
            return min(max(0.0, asked), self.s.retry_after_cap)
        ceiling = min(self.s.backoff_cap, self.s.backoff_base * 2**retries)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter"

    async def _call(self, model: str, budget: int, effort: str | None) -> Completion:
        body: dict[str, Any] = {
            "model": model,
            "messages": self.messages,
            "max_tokens": budget,
            "temperature": self.s.temperature,
            "top_p": self.s.top_p,
            "stream": False,
        }
        if effort:
            body["reasoning_effort"] = effort
        self.calls += 1
        self.client.upstream_calls += 1
        count_model_call()
        try:
            response = await self.client._http.post(self.client._endpoint, json=body)
            raw = await response.aread()
        except httpx.TimeoutException as exc:
            raise _Retry(FallbackReason.TIMED_OUT, f"timeout: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            raise _Retry(FallbackReason.UPSTREAM_DOWN, f"network: {type(exc).__name__}") from None
        if response.status_code != 200:
            self._raise_for_status(response.status_code, raw, response.headers)
        return self._completion(model, raw, response.headers)

    def _raise_for_status(self, status: int, raw: bytes, headers: httpx.Headers) -> None:
        code, message = error_details(raw)
        detail = (
            f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        )
        if status in RETRYABLE_STATUS:
            raise _Retry(FallbackReason.UPSTREAM_DOWN, detail, retry_after_seconds(headers))
        if status in (401, 403):
            raise _StopChain(FallbackReason.KEY_REJECTED, detail)
        if status == 402:
            raise _StopChain(FallbackReason.CREDITS_EXHAUSTED, detail)
        if code == "model_not_supported" or status == 404 or "not supported" in message.lower():
            raise _NextModel(FallbackReason.MODEL_UNAVAILABLE, detail)
        if 400 <= status < 500:
            raise _NextModel(FallbackReason.REQUEST_REJECTED, detail)
        raise _Retry(FallbackReason.UPSTREAM_DOWN, detail)

    def _completion(self, model: str, raw: bytes, headers: httpx.Headers) -> Completion:
        try:
            data = json.loads(raw)
        except ValueError:
            raise _Retry(FallbackReason.UPSTREAM_DOWN, "malformed body: not JSON") from None
        choice = first_choice(data)
        if choice is None:
            _code, message = error_details(raw)
            raise _Retry(FallbackReason.UPSTREAM_DOWN, f"malformed body, no choices: {message}")
        message_obj = choice.get("message")
        content = message_obj.get("content") if isinstance(message_obj, dict) else None
        text = visible_text(content)
        finish = choice.get("finish_reason")
        if not text:
            if finish == "length":
                raise _LengthEmpty()
            raise _Retry(FallbackReason.EMPTY_ANSWER, f"empty content (finish_reason={finish})")
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
        )
