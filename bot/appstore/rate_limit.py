"""A token bucket that keeps a process under an upstream's request rate.

Callers may queue briefly for a token; when the wait would be longer than they can afford,
`acquire` says no at once, so the command goes on without that upstream instead of stalling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_minute: float,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_minute / 60.0  # tokens per second
        self._capacity = float(burst if burst is not None else max(1, int(per_minute)))
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def try_acquire(self, max_wait: float) -> float | None:
        """Reserve a token: the seconds to wait before using it, or None when that would be
        longer than `max_wait` (nothing is reserved then)."""
        self._refill()
        wait = max(0.0, (1.0 - self._tokens) / self._rate)
        if wait > max_wait:
            return None
        self._tokens -= 1.0  # may go negative: later callers queue behind this reservation
        return wait

    async def acquire(self, max_wait: float) -> bool:
        wait = self.try_acquire(max_wait)
        if wait is None:
            return False
        if wait > 0:
            await asyncio.sleep(wait)
        return True
