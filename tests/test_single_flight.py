"""SingleFlight on its own: one call per key in flight, failures shared, cancellation contained."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime.single_flight import SingleFlight
from tests.helpers import wait_for


class CountingCall:
    def __init__(self, result: str = "done", error: Exception | None = None) -> None:
        self.calls = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = False
        self.result = result
        self.error = error

    async def __call__(self) -> str:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        self.finished = True
        if self.error is not None:
            raise self.error
        return self.result


async def test_waiters_share_one_call_and_its_result() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = CountingCall()
    waiters = [asyncio.create_task(flights.run("k", call)) for _ in range(5)]
    await call.started.wait()
    assert len(flights) == 1
    call.release.set()
    assert await asyncio.gather(*waiters) == ["done"] * 5
    assert call.calls == 1
    assert len(flights) == 0  # finished flights are forgotten: the next call starts afresh


async def test_a_failure_reaches_every_waiter() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = CountingCall(error=ValueError("boom"))
    waiters = [asyncio.create_task(flights.run("k", call)) for _ in range(3)]
    await call.started.wait()
    call.release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert [type(r) for r in results] == [ValueError] * 3
    assert call.calls == 1


async def test_cancelling_every_waiter_leaves_the_call_running() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = CountingCall("kept")
    waiter = asyncio.create_task(flights.run("k", call))
    await call.started.wait()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert len(flights) == 1  # still running for whoever asks next
    call.release.set()
    await wait_for(lambda: len(flights) == 0, what="the call to finish")
    assert call.finished and call.calls == 1


async def test_distinct_keys_do_not_share() -> None:
    flights: SingleFlight[str] = SingleFlight()
    first, second = CountingCall("a"), CountingCall("b")
    tasks = [
        asyncio.create_task(flights.run("a", first)),
        asyncio.create_task(flights.run("b", second)),
    ]
    await asyncio.gather(first.started.wait(), second.started.wait())
    first.release.set()
    second.release.set()
    assert await asyncio.gather(*tasks) == ["a", "b"]
