"""What a `ModelChain` (bot/ai/chain.py) gets from the client that runs it (bot/ai/router.py),
and no more: how to send a request body, the retry and sampling policy, and a tally of what
chains did. The router builds a `ChainPort`; the chain only uses it. Neither imports the other
through here, so the dependency runs one way: router -> chain -> port.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import aiohttp

# Sends one chat-completions body. The response is released when the context exits. A body with
# `"stream": true` opens a stream: its events are read from the response's `content`.
Post = Callable[[dict[str, Any]], AbstractAsyncContextManager[aiohttp.ClientResponse]]


@dataclass(frozen=True)
class ChainPolicy:
    """The part of the router's settings a chain acts on."""

    models: tuple[str, ...]  # the primary model, then fallbacks
    temperature: float
    top_p: float
    max_retries: int  # per model
    backoff_base: float
    backoff_cap: float
    retry_after_cap: float  # the longest `retry-after` honoured


@dataclass
class ChainTally:
    """What the client's model chains did since start, for benchmarks and stats."""

    calls: int = 0  # requests sent upstream
    retries: int = 0  # waits before asking the same model again
    handovers: int = 0  # moves to the next model of the chain

    def record_call(self) -> None:
        self.calls += 1

    def record_retry(self) -> None:
        self.retries += 1

    def record_handover(self) -> None:
        self.handovers += 1


@dataclass(frozen=True)
class ChainPort:
    """Everything a chain needs from its client."""

    post: Post
    policy: ChainPolicy
    tally: ChainTally
