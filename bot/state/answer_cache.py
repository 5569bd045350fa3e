"""Answer caches and single-flight for identical requests in flight.

`AnswerCache` is what the service needs; `ReportCache` is the in-process one (TTL + LRU), and
`bot/redis_cache.py` shares answers between workers. Only AI answers are stored; fallback advice
is not, so the model is asked again next time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cachetools import TTLCache

from bot.commands import Command, normalise_subject
from bot.report import Report

T = TypeVar("T")


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
            kind=command.kind.value,
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


class AnswerCache(Protocol):
    @property
    def backend(self) -> str:
        """What holds the answers now, for the start-up line, /healthz and stats."""
        ...

    async def get(self, key: CacheKey) -> CachedReport | None: ...

    async def put(self, key: CacheKey, report: Report) -> None: ...

    async def produce_once(self, key: CacheKey, produce: Callable[[], Awaitable[Report]]) -> Report:
        """Run `produce` unless another process already is; then share its report."""
        ...


class ReportCache:
    """In-process answers: nothing to share beyond this process's own single-flight."""

    backend = "memory"

    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: TTLCache[CacheKey, CachedReport] = TTLCache(
            maxsize=max_entries, ttl=ttl_seconds, timer=clock
        )

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: CacheKey) -> CachedReport | None:
        return self.get_now(key)

    async def put(self, key: CacheKey, report: Report) -> None:
        self.put_now(key, report)

    async def produce_once(self, key: CacheKey, produce: Callable[[], Awaitable[Report]]) -> Report:
        return await produce()

    def get_now(self, key: CacheKey) -> CachedReport | None:
        return self._entries.get(key)

    def put_now(self, key: CacheKey, report: Report, stored_at: float | None = None) -> None:
        self._entries[key] = CachedReport(report, stored_at or time.time())
