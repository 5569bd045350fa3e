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

    # What the AI model read in reviews the rules cannot (JSON text, by a key naming the app,
    # the store and the reviews read), kept as long as the reviews.
    @abstractmethod
    async def get_readings(self, key: str) -> str | None: ...

    @abstractmethod
    async def put_readings(self, key: str, readings: str) -> None: ...


class MemoryReviewCache(ReviewCache):
    def __init__(
        self, ttl_seconds: float, max_apps: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._entries: TTLCache[Key, tuple[Review, ...]] = TTLCache(
            max_apps, max(ttl_seconds, 1e-9), timer=clock
        )
        self._readings: TTLCache[str, str] = TTLCache(
            max_apps, max(ttl_seconds, 1e-9), timer=clock
        )

    async def get(self, track_id: int, country: str) -> tuple[Review, ...] | None:
        return self._entries.get((track_id, country))

    async def put(self, track_id: int, country: str, reviews: tuple[Review, ...]) -> None:
        if self._ttl > 0:
            self._entries[(track_id, country)] = reviews

    async def get_readings(self, key: str) -> str | None:
        return self._readings.get(key)

    async def put_readings(self, key: str, readings: str) -> None:
        if self._ttl > 0:
            self._readings[key] = readings


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


    async def get_readings(self, key: str) -> str | None:
        try:
            raw = await self._redis.call(lambda r: r.get(_readings_key(key)))
        except RedisUnavailable:
            return await self._memory.get_readings(key)
        if raw is None:
            return await self._memory.get_readings(key)
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def put_readings(self, key: str, readings: str) -> None:
        if self._ttl <= 0:
            return
        try:
            await self._redis.call(
                lambda r: r.set(_readings_key(key), readings.encode(), ex=self._ttl)
            )
        except RedisUnavailable:
            await self._memory.put_readings(key, readings)


def _readings_key(key: str) -> str:
    return f"{KEY_PREFIX}review-readings:{key}"


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
