"""Per-user command limits (abuse protection shared by every chat platform).

A sliding window per user: at most `per_minute` commands in any 60 seconds. `UserRateLimiter`
counts in this process; `bot/redis_limits.py` counts across workers.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from cachetools import TTLCache

WINDOW_SECONDS = 60.0


class UserLimiter(Protocol):
    per_minute: int

    async def admit(self, user: str) -> int:
        """0 when `user` may run a command now (it is counted); else seconds until they may."""
        ...


class UserRateLimiter:
    """Memory stays bounded: users idle for a minute are forgotten, at most `max_users` kept."""

    def __init__(
        self,
        per_minute: int,
        max_users: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._windows: TTLCache[str, deque[float]] = TTLCache(
            maxsize=max_users, ttl=WINDOW_SECONDS, timer=clock
        )

    def __len__(self) -> int:
        """Users currently tracked."""
        return len(self._windows)

    async def admit(self, user: str) -> int:
        return 0 if self.allow(user) else self.retry_in_seconds(user)

    def allow(self, user: str) -> bool:
        """Count one command for `user`; False when that would exceed the limit."""
        now = self._clock()
        window = self._windows.get(user)
        if window is None:
            window = deque()
        while window and now - window[0] >= WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        self._windows[user] = window  # re-inserting refreshes the idle timeout
        return True

    def retry_in_seconds(self, user: str) -> int:
        window = self._windows.get(user)
        if not window:
            return 0
        return max(1, round(WINDOW_SECONDS - (self._clock() - window[0])))


def limit_message(per_minute: int, wait_seconds: int) -> str:
    return (
        f"You're scouting fast — the limit is {per_minute} commands a minute. "
        f"Try again in {wait_seconds} s."
    )
