"""Answer caches and single-flight for identical requests in flight.

`AnswerCache` is what the service needs; `ReportCache` is the in-process one (TTL + LRU), and
`bot/redis_cache.py` shares answers between workers. Only AI answers are stored; fallback advice
is not, so the model is asked again next time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

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


class SingleFlight(Generic[T]):
    """Identical keys in flight share one call.

    The call runs in a task of its own, so a waiter that is cancelled does not cancel it: it
    finishes for the other waiters (and fills the cache). Each waiter awaits a future of its
    own that the task resolves directly; unlike `asyncio.shield`, that costs one event-loop
    hop per waiter, not two, which shows in tail latency when hundreds of replies land at once.
    """

    def __init__(self) -> None:
        self._waiters: dict[Hashable, list[asyncio.Future[T]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # strong references until done

    def __len__(self) -> int:
        return len(self._waiters)

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiters = self._waiters.get(key)
        if waiters is not None:
            waiters.append(waiter)
        else:
            self._waiters[key] = [waiter]
            task = asyncio.create_task(self._lead(key, call))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await waiter

    async def _lead(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> None:
        try:
            result = await call()
        except asyncio.CancelledError:
            for waiter in self._waiters.pop(key):
                waiter.cancel()
            raise
        except Exception as exc:
            for waiter in self._waiters.pop(key):
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        for waiter in self._waiters.pop(key):
            if not waiter.done():  # a cancelled waiter's future is already done
                waiter.set_result(result)
