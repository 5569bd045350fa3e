"""The Redis connection that workers share (answers, locks, per-user limits), and what happens
when it goes away: every operation fails fast with `RedisUnavailable`, the callers fall back to
this process's memory, and one warning says so. Every few seconds one operation tries Redis
again; the first success says it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.runtime import BreakerState, CircuitBreaker

log = logging.getLogger(__name__)

T = TypeVar("T")

KEY_PREFIX = "trendscout:"
RETRY_SECONDS = 5.0
# A command must never wait long on the cache: a slow Redis counts as a down one.
OPERATION_TIMEOUT_SECONDS = 0.5


class RedisUnavailable(Exception):
    """Redis could not be used for this operation; use the in-memory state instead."""


class RedisBackend:
    def __init__(
        self,
        url: str,
        retry_seconds: float = RETRY_SECONDS,
        timeout: float = OPERATION_TIMEOUT_SECONDS,
        verify_tls: bool = True,
    ) -> None:
        options: dict[str, Any] = {}
        if url.startswith("rediss://") and not verify_tls:
            options["ssl_cert_reqs"] = "none"  # still encrypted, but the certificate is not checked
        self.client: Redis = Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            health_check_interval=30,
            **options,
        )
        self._breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=retry_seconds)

    @property
    def available(self) -> bool:
        return self._breaker.state is BreakerState.CLOSED

    @property
    def backend(self) -> str:
        return "redis" if self.available else "memory (Redis unreachable)"

    async def call(self, operation: Callable[[Redis], Awaitable[T]]) -> T:
        """Run one Redis operation; `RedisUnavailable` when Redis is down or failing."""
        if not self._breaker.allow():
            raise RedisUnavailable("Redis is marked down")
        try:
            result = await operation(self.client)
        except (RedisError, OSError) as exc:
            if self.available:
                log.warning(
                    "Redis unreachable (%s); using this worker's memory until it is back",
                    _describe(exc),
                )
            self._breaker.record_failure()
            raise RedisUnavailable(_describe(exc)) from None
        except asyncio.CancelledError:
            self._breaker.release()
            raise
        if not self.available:
            log.warning("Redis is reachable again; sharing answers and limits through it")
        self._breaker.record_success()
        return result

    async def check(self) -> bool:
        """Ping once (at start-up); False, with the warning, when Redis cannot be reached."""
        try:
            await self.call(lambda redis: _ping(redis))
        except RedisUnavailable:
            return False
        return True

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError, OSError):  # a dead connection: nothing to report
            await self.client.aclose()


async def _ping(redis: Redis) -> Any:
    return await redis.ping()  # type: ignore[misc]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
