"""The App Store rate limit: a token bucket with a short queue."""

from __future__ import annotations

import pytest

from bot.appstore import RateLimiter
from tests.helpers import ManualClock


async def test_rate_limiter_lets_a_short_queue_wait() -> None:
    clock = ManualClock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock)
    assert limiter.try_acquire(max_wait=0) == 0
    assert limiter.try_acquire(max_wait=0.5) is None  # a whole second away
    assert limiter.try_acquire(max_wait=1.0) == pytest.approx(1.0)
    assert limiter.try_acquire(max_wait=2.5) == pytest.approx(2.0)  # queued behind the last
    clock.now += 10
    assert limiter.try_acquire(max_wait=0) == 0
