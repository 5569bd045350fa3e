"""Market scans kept for hours, per category, store and price filter: charts move slowly and a
scan spends a good part of a minute of Apple's rate budget. `MemoryScanCache` keeps them in this
process; `RedisScanCache` shares them between workers (memory again while Redis is away), as
JSON (`codec`), never pickle. Only complete scans are kept (the scanner decides): one cut short
by the rate budget or by Apple's errors is asked again next time.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from cachetools import TTLCache

from bot.cache import RedisBackend, RedisUnavailable
from bot.scout.codec import UndecodableScan, decode_scan, encode_scan
from bot.scout.market import MarketScan

log = logging.getLogger(__name__)

SCAN_TTL_SECONDS = 6 * 3600
KEY_PREFIX = "trendscout:scan:"  # beside the other shared keys (trendscout:answer:…)

ScanKey = tuple[int, str, str]  # genre id, store, price filter ("all", "free", "paid")


def scan_key(genre_id: int, country: str, price: str | None) -> ScanKey:
    return genre_id, country.lower(), price or "all"


class ScanCache(ABC):
    @abstractmethod
    async def get(self, key: ScanKey) -> MarketScan | None: ...

    @abstractmethod
    async def put(self, key: ScanKey, scan: MarketScan) -> None: ...


class MemoryScanCache(ScanCache):
    def __init__(
        self,
        ttl_seconds: float = SCAN_TTL_SECONDS,
        max_scans: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._scans: TTLCache[ScanKey, MarketScan] = TTLCache(
            max_scans, max(ttl_seconds, 1e-9), timer=clock
        )

    async def get(self, key: ScanKey) -> MarketScan | None:
        return self._scans.get(key)

    async def put(self, key: ScanKey, scan: MarketScan) -> None:
        if self._ttl > 0:
            self._scans[key] = scan


class RedisScanCache(ScanCache):
    def __init__(
        self, redis: RedisBackend, memory: MemoryScanCache, ttl_seconds: int = SCAN_TTL_SECONDS
    ) -> None:
        self._redis = redis
        self._memory = memory
        self._ttl = ttl_seconds

    async def get(self, key: ScanKey) -> MarketScan | None:
        name = redis_key(key)
        try:
            raw = await self._redis.call(lambda r: r.get(name))
        except RedisUnavailable:
            return await self._memory.get(key)
        if raw is None:
            return await self._memory.get(key)
        try:
            return decode_scan(raw)
        except UndecodableScan as exc:
            log.warning("ignoring a cached scan this version cannot read (%s)", exc)
            return None

    async def put(self, key: ScanKey, scan: MarketScan) -> None:
        if self._ttl <= 0:
            return
        record = encode_scan(scan)
        try:
            await self._redis.call(lambda r: r.set(redis_key(key), record, ex=self._ttl))
        except RedisUnavailable:
            await self._memory.put(key, scan)


def redis_key(key: ScanKey) -> str:
    genre_id, country, price = key
    return f"{KEY_PREFIX}{country}:{genre_id}:{price}"
