"""Per-user command limits (abuse protection shared by every chat platform).

A sliding window per user: at most `per_minute` commands in any 60 seconds. Memory stays bounded:
users idle for a minute are forgotten, and at most `max_users` are tracked.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from cachetools import TTLCache

WINDOW_SECONDS = 60.0


class UserRateLimiter:
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
