"""Which platform deliveries were already handled, so that an event delivered twice (Slack
retries an event it thinks was missed — with several workers, possibly to another one) gets one
answer. In memory per process, or in Redis across workers; while Redis is down, another ledger
answers (the database's `DatabaseEventClaims` in the bot, shared and kept across restarts).
"""

from __future__ import annotations

from typing import Protocol

from cachetools import TTLCache

from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable

MEMORY_SECONDS = 3600  # Slack retries within minutes; an hour is ample


class DeliveryLedger(Protocol):
    async def first_time(self, delivery_id: str) -> bool:
        """True the first time `delivery_id` is seen; False for every repeat."""
        ...


class MemoryDeliveryLedger:
    def __init__(self, max_entries: int = 100_000, seconds: float = MEMORY_SECONDS) -> None:
        self._seen: TTLCache[str, bool] = TTLCache(max_entries, seconds)

    async def first_time(self, delivery_id: str) -> bool:
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = True
        return True


class RedisDeliveryLedger:
    def __init__(self, redis: RedisBackend, fallback: DeliveryLedger) -> None:
        self._redis = redis
        self._fallback = fallback  # asked instead while Redis is down

    async def first_time(self, delivery_id: str) -> bool:
        key = f"{KEY_PREFIX}delivery:{delivery_id}"
        try:
            return bool(await self._redis.call(lambda r: r.set(key, 1, nx=True, ex=MEMORY_SECONDS)))
        except RedisUnavailable:
            return await self._fallback.first_time(delivery_id)
