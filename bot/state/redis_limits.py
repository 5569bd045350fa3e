"""Per-user limits counted in Redis, so a user gets the same limit however many workers run.

One sorted set per user holds the times of their commands in the last minute (Redis's own clock,
so workers with skewed clocks agree); a script trims, counts and adds atomically. Redis down →
this worker's in-memory limiter, never a refused or failed command.
"""

from __future__ import annotations

import secrets

from bot.state.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable
from bot.state.user_limits import WINDOW_SECONDS, UserRateLimiter

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
    def __init__(self, redis: RedisBackend, memory: UserRateLimiter) -> None:
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
