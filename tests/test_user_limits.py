from __future__ import annotations

from bot.cache.user_limits import MemoryUserLimiter
from tests.helpers import ManualClock


def test_each_user_gets_their_own_sliding_minute() -> None:
    clock = ManualClock()
    limiter = MemoryUserLimiter(per_minute=3, clock=clock)
    assert [limiter.allow("alice") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("bob")  # alice's burst does not touch bob
    assert limiter.retry_in_seconds("alice") == 60
    clock.now += 30
    assert not limiter.allow("alice")
    assert limiter.retry_in_seconds("alice") == 30
    clock.now += 30  # the first three commands have left the window
    assert limiter.allow("alice")


def test_memory_is_bounded() -> None:
    limiter = MemoryUserLimiter(per_minute=1, max_users=100)
    for user in range(1000):
        limiter.allow(f"user-{user}")
    assert len(limiter) <= 100
