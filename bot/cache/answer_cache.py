"""The answer cache: one call, `get_or_produce`, that serves a stored answer or makes one.

Identical requests in flight share one `produce` (single-flight in this process; across
workers too for `RedisAnswerCache`). Only what the producer marks `keep` is stored — AI answers
made with the App Store's facts — so fallback advice is asked for again next time.
`MemoryAnswerCache` keeps answers in this process (TTL + LRU).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cachetools import TTLCache

from bot.appstore import normalise_subject
from bot.commands import Command
from bot.report import Report
from bot.runtime import SingleFlight


@dataclass(frozen=True)
class CacheKey:
    kind: str
    subject: str  # normalised: case, white space and punctuation folded
    country: str
    model: str
    reasoning_effort: str
    prompt_version: str

    @classmethod
    def for_command(
        cls, command: Command, country: str, model: str, effort: str | None, prompt_version: str
    ) -> CacheKey:
        return cls(
            kind=command.kind.value
            + (f":{command.price}" if command.price else "")
            + (f"@{command.language}" if command.language else ""),
            subject=normalise_subject(command.subject),
            country=country,
            model=model,
            reasoning_effort=effort or "default",
            prompt_version=prompt_version,
        )


@dataclass(frozen=True)
class CachedReport:
    report: Report
    stored_at: float  # wall-clock seconds, for "cached N minutes ago"


@dataclass(frozen=True)
class Produced:
    """What a producer made, and whether it is worth keeping."""

    report: Report
    keep: bool  # store it for later requests
    share: bool = True  # hand it to requests waiting for it now (in other workers too)


Producer = Callable[[], Awaitable[Produced]]


class AnswerCache(ABC):
    def __init__(self) -> None:
        self._flights: SingleFlight[Report] = SingleFlight()

    @property
    def in_flight(self) -> int:
        """Questions this process is answering or waiting on another worker for."""
        return len(self._flights)

    @property
    @abstractmethod
    def backend(self) -> str:
        """What holds the answers now, for the start-up line, /healthz and stats."""

    @abstractmethod
    async def get(self, key: CacheKey) -> CachedReport | None: ...

    @abstractmethod
    async def put(self, key: CacheKey, report: Report) -> None: ...

    async def get_or_produce(
        self,
        key: CacheKey,
        produce: Producer,
        *,
        fresh: bool = False,
        on_miss: Callable[[], None] | None = None,
    ) -> Report | CachedReport:
        """A stored answer (`CachedReport`) unless `fresh`; else the report that `produce` made,
        shared by every identical request in flight. `on_miss` is called when the answer is not
        stored, just before this request starts or joins the work of making it."""
        if not fresh and (cached := await self.get(key)) is not None:
            return cached
        if on_miss is not None:
            on_miss()
        return await self._flights.run(key, lambda: self._produce_shared(key, produce))

    async def _produce_shared(self, key: CacheKey, produce: Producer) -> Report:
        produced = await self._produce_once(key, lambda: self._produce_and_keep(key, produce))
        return produced.report

    async def _produce_and_keep(self, key: CacheKey, produce: Producer) -> Produced:
        # Stored before other workers are told it is ready, so nobody asks the model again.
        produced = await produce()
        if produced.keep:
            await self.put(key, produced.report)
        return produced

    async def _produce_once(self, key: CacheKey, produce: Producer) -> Produced:
        """Across processes, run `produce` unless another already is (this process: just run)."""
        return await produce()


class MemoryAnswerCache(AnswerCache):
    """Answers in this process: nothing to share beyond its own single-flight."""

    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._entries: TTLCache[CacheKey, CachedReport] = TTLCache(
            maxsize=max_entries, ttl=ttl_seconds, timer=clock
        )

    @property
    def backend(self) -> str:
        return "memory"

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: CacheKey) -> CachedReport | None:
        return self.get_now(key)

    async def put(self, key: CacheKey, report: Report) -> None:
        self.put_now(key, report)

    def get_now(self, key: CacheKey) -> CachedReport | None:
        return self._entries.get(key)

    def put_now(self, key: CacheKey, report: Report, stored_at: float | None = None) -> None:
        self._entries[key] = CachedReport(report, stored_at or time.time())
