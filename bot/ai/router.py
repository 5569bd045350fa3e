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
The client owns its token budgets (`deep=True`: high effort and a budget large enough for it) and
fails with its own `FailureKind`s; the service decides what users are told.
Chain-of-thought (`reasoning`, `reasoning_content`, `<think>` blocks) never leaves this package.
One command's trip through the chain is a `ModelChain` (bot/ai/chain.py); the client hands it a
`ChainPort` (bot/ai/port.py): how to post, the policy, and the tally it records its calls in.

The client talks aiohttp directly, over the process's shared pool (`AiohttpTransport.session`):
it is the hot path, and a profile of 2,000 commands at 200 in flight put three quarters of the
service's CPU in building httpx requests, headers and responses around aiohttp's
(`bench/service_bench.py`). The App Store and the platforms keep their own clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yarl

from bot.ai.chain import CUT_AT_DEADLINE, Completion, ModelChain
from bot.ai.failures import UNHEALTHY, FailureKind, RouterFailure
from bot.ai.messages import Message
from bot.ai.port import ChainPolicy, ChainPort, ChainTally
from bot.ai.tools import ToolSpec
from bot.runtime import USER_AGENT, AiohttpTransport, CircuitBreaker

log = logging.getLogger(__name__)

DEEP_MIN_TOKENS = 2048  # high effort spends most of a small budget on reasoning


@dataclass(frozen=True)
class RouterSettings:
    base_url: str = "https://router.huggingface.co/v1"
    api_key: str | None = field(default=None, repr=False)
    models: tuple[str, ...] = ("openai/gpt-oss-120b",)  # the primary model, then fallbacks
    max_tokens: int = 400
    temperature: float = 0.7
    top_p: float = 0.9
    timeout: float = 60.0  # total deadline for one command, all attempts included
    reasoning_effort: str | None = None
    stream: bool = True  # server-sent events; false for providers or proxies that do not stream
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 20.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0


def chain_policy(settings: RouterSettings) -> ChainPolicy:
    """The settings a model chain acts on."""
    return ChainPolicy(
        models=settings.models,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_retries=settings.max_retries,
        backoff_base=settings.backoff_base,
        backoff_cap=settings.backoff_cap,
        retry_after_cap=settings.retry_after_cap,
    )


class RouterClient:
    def __init__(
        self,
        settings: RouterSettings,
        transport: AiohttpTransport,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.settings = settings
        self._transport = transport
        # The key lives on this client only, so it can never ride along to another host.
        self._headers = {
            "Authorization": f"Bearer {settings.api_key}",
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        # Per socket read and connect; the command's deadline bounds the whole answer.
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=min(10.0, settings.timeout), sock_read=settings.timeout
        )
        self.breaker = breaker or CircuitBreaker(
            settings.breaker_threshold, settings.breaker_cooldown
        )
        self.tally = ChainTally()  # since start, for benchmarks and stats
        self._endpoint = yarl.URL(f"{settings.base_url}/chat/completions")  # parsed once
        self._port = ChainPort(post=self._post, policy=chain_policy(settings), tally=self.tally)

    @property
    def upstream_calls(self) -> int:
        """Requests sent upstream since start (or since a benchmark reset it)."""
        return self.tally.calls

    @upstream_calls.setter
    def upstream_calls(self, value: int) -> None:
        self.tally.calls = value

    def _post(self, body: dict[str, Any]) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """The request, as an aiohttp context manager (its response is released on exit)."""
        return self._transport.session().post(
            self._endpoint,
            data=json.dumps(body).encode(),
            headers=self._headers,
            timeout=self._timeout,
            allow_redirects=False,
        )

    @property
    def primary_model(self) -> str:
        return self.settings.models[0]

    def reasoning_effort(self, deep: bool = False) -> str | None:
        """The effort a request asks for: high when deep, else the configured one."""
        return "high" if deep else self.settings.reasoning_effort

    def token_budget(self, deep: bool = False) -> int:
        return max(self.settings.max_tokens, DEEP_MIN_TOKENS) if deep else self.settings.max_tokens

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        deep: bool = False,
        tools: Sequence[ToolSpec] = (),
        response_format: dict[str, Any] | None = None,
    ) -> Completion:
        """The whole answer at once. With `tools`, the model may answer with `tool_calls`
        instead (see bot/ai/tools.py); a provider that refuses tools is asked again without
        them, and the completion says so (`tools_refused`). `response_format` (OpenAI's, e.g.
        `{"type": "json_schema", …}`) asks for structured output."""
        return await self._answer(messages, deep, None, tools, response_format)

    async def stream(
        self,
        messages: Sequence[Message],
        on_text: Callable[[str], None],
        *,
        deep: bool = False,
        tools: Sequence[ToolSpec] = (),
    ) -> Completion:
        """The answer as the model writes it: `on_text` gets each new piece of visible text.
        Until the first piece, failures are retried and fall through the model chain as with
        `complete`; after it, a stream that breaks ends as a cut answer (marked `truncated`),
        or as `RouterFailure` when too little arrived to be useful. Tools as with `complete`."""
        return await self._answer(messages, deep, on_text, tools)

    async def _answer(
        self,
        messages: Sequence[Message],
        deep: bool,
        on_text: Callable[[str], None] | None,
        tools: Sequence[ToolSpec],
        response_format: dict[str, Any] | None = None,
    ) -> Completion:
        s = self.settings
        if not s.api_key:
            raise RouterFailure(FailureKind.NO_KEY, "no API key configured", 0)
        if not self.breaker.allow():
            wait = round(self.breaker.retry_in_seconds)
            raise RouterFailure(FailureKind.UPSTREAM_DOWN, f"circuit open, next try in {wait} s", 0)
        chain = ModelChain(
            self._port,
            messages,
            self.reasoning_effort(deep),
            self.token_budget(deep),
            on_text,
            tools,
            response_format,
        )
        try:
            async with asyncio.timeout(s.timeout):
                completion = await chain.run()
        except TimeoutError:
            self.breaker.record_failure()
            if (cut := chain.cut_answer(CUT_AT_DEADLINE)) is not None:
                return cut  # the deadline fell mid-stream: what was shown stands, marked cut
            raise RouterFailure(
                FailureKind.TIMED_OUT, f"no answer within {s.timeout:g} s", chain.calls
            ) from None
        except RouterFailure as exc:
            if exc.kind in UNHEALTHY:
                self.breaker.record_failure()
            else:  # the upstream answered; the problem was the key, credits or model
                self.breaker.record_success()
            raise
        except BaseException:  # cancelled: no verdict on the upstream's health
            self.breaker.release()
            raise
        self.breaker.record_success()
        return completion
