"""Per-user command limits (abuse protection shared by every chat platform).

A sliding window per user: at most `per_minute` commands in any 60 seconds. `MemoryUserLimiter`
counts in this process; `RedisUserLimiter` counts across workers: one sorted set per user holds
the times of their commands in the last minute (Redis's own clock, so workers with skewed clocks
agree), trimmed, counted and added to by one script. Redis down → this worker's memory limiter,
never a refused or failed command.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from cachetools import TTLCache

from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable

WINDOW_SECONDS = 60.0


class UserLimiter(Protocol):
    per_minute: int

    async def admit(self, user: str) -> int:
        """0 when `user` may run a command now (it is counted); else seconds until they may."""
        ...


class MemoryUserLimiter:
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


# Returns 0 when admitted (and counted), else milliseconds until the oldest command leaves.
_ADMIT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class RedisUserLimiter:
    def __init__(self, redis: RedisBackend, memory: MemoryUserLimiter) -> None:
        self.per_minute = memory.per_minute
        self._redis = redis
        self._memory = memory
        self._admit = redis.client.register_script(_ADMIT)

    async def admit(self, user: str) -> int:
        window_ms = int(WINDOW_SECONDS * 1000)
        try:
            wait_ms = await self._redis.call(
                lambda r: self._admit(
                    keys=[f"{KEY_PREFIX}limit:{user}"],
                    args=[window_ms, self.per_minute, secrets.token_hex(6)],
                    client=r,
                )
            )
        except RedisUnavailable:
            return await self._memory.admit(user)
        return 0 if not wait_ms else max(1, round(int(wait_ms) / 1000))


def limit_message(per_minute: int, wait_seconds: int) -> str:
    return (
        f"You're scouting fast — the limit is {per_minute} commands a minute. "
        f"Try again in {wait_seconds} s."
    )
