"""Which platform deliveries were already handled, so that an event delivered twice (Slack
retries an event it thinks was missed — with several workers, possibly to another one) gets one
answer. In memory per process, or in Redis across workers; while Redis is down, another ledger
answers (the database's `DatabaseEventClaims` in the bot, shared and kept across restarts).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from cachetools import TTLCache

from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable

log = logging.getLogger(__name__)

MEMORY_SECONDS = 3600  # Slack retries within minutes; an hour is ample
CLAIM_DEADLINE = 0.3  # seconds an acknowledgement waits for the shared claim


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


class PromptLedger:
    """The shared ledger within a deadline: an acknowledgement never waits on a slow disk.
    This process's memory decides at once whether it saw the event before; the shared claim
    decides when it lands within `deadline`, else it is written when the store allows and
    this process's memory decides alone (said once until the store is quick again)."""

    def __init__(
        self,
        shared: DeliveryLedger,
        memory: MemoryDeliveryLedger | None = None,
        deadline: float = CLAIM_DEADLINE,
    ) -> None:
        self.shared = shared
        self._memory = memory or MemoryDeliveryLedger()
        self._deadline = deadline
        self._slow = False

    async def first_time(self, delivery_id: str) -> bool:
        if not await self._memory.first_time(delivery_id):
            return False
        claim = asyncio.ensure_future(self.shared.first_time(delivery_id))
        done, _pending = await asyncio.wait({claim}, timeout=self._deadline)
        if not done:
            if not self._slow:
                log.warning(
                    "the shared event claims took over %.0f ms: this worker's memory decides "
                    "meanwhile (said once until they are quick again)",
                    self._deadline * 1000,
                )
            self._slow = True
            claim.add_done_callback(_settled)
            return True
        self._slow = False
        return claim.result()


def _settled(claim: asyncio.Future[bool]) -> None:
    if not claim.cancelled() and claim.exception() is not None:
        log.warning("a late event claim failed (%s)", type(claim.exception()).__name__)
