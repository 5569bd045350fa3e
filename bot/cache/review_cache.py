"""Customer reviews kept per app and store for hours (REVIEWS_TTL_SECONDS): Apple's feeds change
slowly and its rate limit is tight. `MemoryReviewCache` keeps them in this process,
`RedisReviewCache` shares them between workers (memory again while Redis is away). Only reviews
that were read are kept — throttling and errors never are — as JSON, never pickle.
"""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from cachetools import TTLCache

from bot.appstore import Review
from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable

log = logging.getLogger(__name__)

Key = tuple[int, str]  # track id, store


class ReviewCache(ABC):
    @abstractmethod
    async def get(self, track_id: int, country: str) -> tuple[Review, ...] | None: ...

    @abstractmethod
    async def put(self, track_id: int, country: str, reviews: tuple[Review, ...]) -> None: ...


class MemoryReviewCache(ReviewCache):
    def __init__(
        self, ttl_seconds: float, max_apps: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._entries: TTLCache[Key, tuple[Review, ...]] = TTLCache(
            max_apps, max(ttl_seconds, 1e-9), timer=clock
        )

    async def get(self, track_id: int, country: str) -> tuple[Review, ...] | None:
        return self._entries.get((track_id, country))

    async def put(self, track_id: int, country: str, reviews: tuple[Review, ...]) -> None:
        if self._ttl > 0:
            self._entries[(track_id, country)] = reviews


class RedisReviewCache(ReviewCache):
    def __init__(self, redis: RedisBackend, memory: MemoryReviewCache, ttl_seconds: int) -> None:
        self._redis = redis
        self._memory = memory
        self._ttl = ttl_seconds

    async def get(self, track_id: int, country: str) -> tuple[Review, ...] | None:
        key = _key(track_id, country)
        try:
            raw = await self._redis.call(lambda r: r.get(key))
        except RedisUnavailable:
            return await self._memory.get(track_id, country)
        if raw is None:
            return await self._memory.get(track_id, country)
        try:
            return decode_reviews(raw)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring cached reviews this version cannot read (%s)", exc)
            return None

    async def put(self, track_id: int, country: str, reviews: tuple[Review, ...]) -> None:
        if self._ttl <= 0:
            return
        record = encode_reviews(reviews)
        try:
            await self._redis.call(lambda r: r.set(_key(track_id, country), record, ex=self._ttl))
        except RedisUnavailable:
            await self._memory.put(track_id, country, reviews)


def _key(track_id: int, country: str) -> str:
    return f"{KEY_PREFIX}reviews:{country}:{track_id}"


def encode_reviews(reviews: tuple[Review, ...]) -> bytes:
    rows = [{**asdict(r), "day": r.day.isoformat() if r.day else None} for r in reviews]
    return json.dumps({"v": 1, "reviews": rows}, ensure_ascii=False).encode()


def decode_reviews(raw: bytes | str) -> tuple[Review, ...]:
    data: Any = json.loads(raw)
    if data.get("v") != 1:
        raise ValueError(f"format {data.get('v')!r}")
    return tuple(
        Review(
            review_id=str(row["review_id"]),
            stars=int(row["stars"]),
            title=str(row["title"]),
            text=str(row["text"]),
            version=row.get("version"),
            day=date.fromisoformat(row["day"]) if row.get("day") else None,
            votes=int(row.get("votes") or 0),
            helpful_feed=bool(row.get("helpful_feed")),
        )
        for row in data["reviews"]
    )
