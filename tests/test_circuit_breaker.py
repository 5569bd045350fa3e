"""The circuit breaker on its own: closed, open, one trial when half open."""

from __future__ import annotations

from bot.runtime import BreakerState, CircuitBreaker
from tests.helpers import ManualClock


def test_half_open_lets_one_trial_through_and_a_failed_trial_reopens() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=10, clock=clock)
    breaker.record_failure()
    assert not breaker.allow()
    clock.now += 10
    assert breaker.allow()
    assert not breaker.allow()  # a second caller waits for the trial's verdict
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_in_seconds == 10
