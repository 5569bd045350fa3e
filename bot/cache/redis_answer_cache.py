"""Answers shared between workers through Redis, with single-flight across processes.

Same semantics as `MemoryAnswerCache`: answers expire after CACHE_TTL_SECONDS and only what the
producer keeps is stored (never fallback advice). For a question nobody has answered yet, one
worker takes a short lock (renewed while it works, so a crashed worker frees it within seconds)
and asks the model; workers asking the same question meanwhile poll for its result, which the
leader leaves under the lock's token for half a minute — fallback advice included, since they
were waiting for exactly that answer — and then releases the lock.

Redis down or failing → `RedisUnavailable` from the backend → this worker's memory cache and no
coordination: a command is never failed by the cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import time
from dataclasses import asdict

from bot.cache.answer_cache import (
    AnswerCache,
    CachedReport,
    CacheKey,
    MemoryAnswerCache,
    Produced,
    Producer,
)
from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable
from bot.cache.report_codec import UndecodableReport, decode_report, encode_report
from bot.report import Report

log = logging.getLogger(__name__)

LOCK_SECONDS = 10.0  # how long a crashed leader blocks the others
FLIGHT_SECONDS = 30  # how long waiters can still collect a finished leader's report
POLL_SECONDS = 0.05

# Release the lock only if it is still ours, after leaving the result for the waiters.
_FINISH = """
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def redis_key(kind: str, key: CacheKey) -> str:
    digest = hashlib.sha256(json.dumps(asdict(key), sort_keys=True).encode()).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest[:40]}"


class RedisAnswerCache(AnswerCache):
    def __init__(
        self,
        redis: RedisBackend,
        memory: MemoryAnswerCache,
        ttl_seconds: int,
        wait_limit_seconds: float,
        lock_seconds: float = LOCK_SECONDS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__()
        self._redis = redis
        self._memory = memory
        self._ttl = ttl_seconds
        self._wait_limit = wait_limit_seconds
        self._lock_ms = int(lock_seconds * 1000)
        self._poll = poll_seconds
        self._finish = redis.client.register_script(_FINISH)
        self._renew = redis.client.register_script(_RENEW)

    @property
    def backend(self) -> str:
        return self._redis.backend

    async def get(self, key: CacheKey) -> CachedReport | None:
        try:
            raw = await self._redis.call(lambda r: r.get(redis_key("answer", key)))
        except RedisUnavailable:
            return self._memory.get_now(key)
        if raw is None:  # answers made here while Redis was away
            return self._memory.get_now(key)
        try:
            report, stored_at = decode_report(raw)
        except UndecodableReport as exc:
            log.warning("ignoring a cached answer this version cannot read (%s)", exc)
            return None
        return CachedReport(report, stored_at)

    async def put(self, key: CacheKey, report: Report) -> None:
        stored_at = time.time()
        if self._ttl <= 0:
            return
        record = encode_report(report, stored_at)
        try:
            await self._redis.call(lambda r: r.set(redis_key("answer", key), record, ex=self._ttl))
        except RedisUnavailable:
            self._memory.put_now(key, report, stored_at)

    async def _produce_once(self, key: CacheKey, produce: Producer) -> Produced:
        try:
            return await self._coordinate(key, produce)
        except RedisUnavailable:  # only raised before `produce` started
            return await produce()

    async def _coordinate(self, key: CacheKey, produce: Producer) -> Produced:
        lock = redis_key("lock", key)
        deadline = time.monotonic() + self._wait_limit
        holder: bytes | None = None
        while True:
            if holder is None:
                token = secrets.token_hex(8)
                taken = await self._redis.call(
                    lambda r, token=token: r.set(lock, token, nx=True, px=self._lock_ms)
                )
                if taken:
                    return await self._lead(lock, token, produce)
                holder = await self._redis.call(lambda r: r.get(lock))
                continue
            if time.monotonic() > deadline:
                log.warning("gave up waiting for another worker's answer; asking myself")
                return await produce()
            await asyncio.sleep(self._poll)
            flight_key = _flight_key(holder)
            flight, current = await self._redis.call(
                lambda r, flight_key=flight_key: r.mget(flight_key, lock)  # type: ignore[misc]
            )
            if flight is not None:
                try:
                    return Produced(decode_report(flight)[0], keep=False)  # the leader kept it
                except UndecodableReport:
                    return await produce()
            if current != holder:  # the leader is gone without a result, or another took over
                holder = current

    async def _lead(self, lock: str, token: str, produce: Producer) -> Produced:
        renewing = asyncio.create_task(self._keep(lock, token))
        try:
            produced = await produce()
        except Exception:
            await self._hand_over(lock, token)
            raise
        finally:
            renewing.cancel()
        if not produced.share:  # e.g. cut off by this worker's restart: not the others' answer
            await self._hand_over(lock, token)
            return produced
        record = encode_report(produced.report, time.time())
        # If Redis is gone, the lock expires on its own and waiters then ask for themselves.
        with contextlib.suppress(RedisUnavailable):
            await self._redis.call(
                lambda r: self._finish(
                    keys=[lock, _flight_key(token.encode())],
                    args=[token, record, FLIGHT_SECONDS],
                    client=r,
                )
            )
        return produced

    async def _hand_over(self, lock: str, token: str) -> None:
        """Let our lock lapse at once, so a waiting worker asks for itself."""
        with contextlib.suppress(RedisUnavailable):
            await self._redis.call(lambda r: self._renew(keys=[lock], args=[token, 1], client=r))

    async def _keep(self, lock: str, token: str) -> None:
        """Renew our lock while the answer is being made."""
        while True:
            await asyncio.sleep(self._lock_ms / 3000)
            try:
                renewed = await self._redis.call(
                    lambda r: self._renew(keys=[lock], args=[token, self._lock_ms], client=r)
                )
            except RedisUnavailable:
                return
            if not renewed:
                return


def _flight_key(token: bytes) -> str:
    return f"{KEY_PREFIX}flight:{token.decode()}"
