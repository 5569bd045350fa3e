"""Keeping a flood of identical log lines from filling a disk: the same problem is logged a few
times a minute at most, and the next line that gets through says how many were dropped."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable

from cachetools import TTLCache

WINDOW_SECONDS = 60.0


class LogThrottle:
    """At most `per_minute` lines per key in any minute."""

    def __init__(
        self,
        per_minute: int = 5,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        # key → (window start, lines let through in it, lines dropped since the last one)
        self._seen: TTLCache[Hashable, tuple[float, int, int]] = TTLCache(
            max_keys, WINDOW_SECONDS * 2, timer=clock
        )

    def admit(self, key: Hashable) -> int | None:
        """None to drop this line; else how many lines of `key` were dropped before it."""
        now = self._clock()
        start, shown, dropped = self._seen.get(key, (now, 0, 0))
        if now - start >= WINDOW_SECONDS:
            start, shown = now, 0
        if shown >= self.per_minute:
            self._seen[key] = (start, shown, dropped + 1)
            return None
        self._seen[key] = (start, shown + 1, 0)
        return dropped


class RepeatFilter(logging.Filter):
    """Throttles warnings and errors by logger and message template (e.g. asyncio's "socket.accept()
    out of system resource", logged on every failed accept)."""

    def __init__(self, throttle: LogThrottle | None = None) -> None:
        super().__init__()
        self._throttle = throttle or LogThrottle()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        dropped = self._throttle.admit((record.name, str(record.msg)))
        if dropped is None:
            return False
        if dropped:
            record.msg = f"{record.getMessage()} ({dropped} like it dropped in the last minute)"
            record.args = None
        return True
