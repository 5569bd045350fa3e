"""`Cutoff`: waits run freely until it is set, then end at it (plus their margin).

Time is a `ManualClock`: the cut-off is set and reached by moving it by hand, so when each wait
ends is read exactly. The times are binary fractions, so the clock's sums are exact."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime import Cutoff
from tests.helpers import ManualClock, settle

T0 = 1000.0  # where a ManualClock starts


async def test_waits_run_freely_until_the_cutoff_is_set() -> None:
    clock = ManualClock(T0)
    cutoff = Cutoff(clock)
    done = asyncio.Event()
    done.set()
    async with cutoff.bound():
        await done.wait()
    assert not cutoff.is_set
    assert clock.sleepers == []  # nothing waits for a cut-off that is not set


async def test_setting_it_ends_waits_already_running_and_bounds_new_ones() -> None:
    clock = ManualClock(T0)
    cutoff = Cutoff(clock)
    release = asyncio.Event()
    ended: list[tuple[str, float]] = []  # which wait was cut off, and when
    waiting: list[float] = []

    async def wait(margin: float) -> None:
        try:
            async with cutoff.bound(margin):
                waiting.append(margin)
                await release.wait()
        except TimeoutError:
            ended.append((f"cut off +{margin}", clock()))

    early = asyncio.create_task(wait(0.0))
    later_margin = asyncio.create_task(wait(0.25))
    await settle()
    assert waiting == [0.0, 0.25]
    await clock.advance(3600)  # unset, the cut-off ends nothing however long the waits take
    assert ended == [] and clock.sleepers == []
    cutoff.set(0.5)
    assert cutoff.is_set
    await settle()
    assert clock.sleepers == [T0 + 3600.5, T0 + 3600.75]  # the cut-off, and it plus a margin
    await clock.advance(0.25)
    assert ended == []  # not before the cut-off
    await clock.advance(0.25)
    assert ended == [("cut off +0.0", T0 + 3600.5)]  # at it, to the moment
    assert not later_margin.done()
    await clock.advance(0.25)
    assert ended == [("cut off +0.0", T0 + 3600.5), ("cut off +0.25", T0 + 3600.75)]
    await asyncio.gather(early, later_margin)
    with pytest.raises(TimeoutError):  # a wait that starts after the cut-off ends at once
        async with cutoff.bound():
            await release.wait()
    assert clock() == T0 + 3600.75  # without time moving on
    assert clock.sleepers == []


async def test_a_later_cutoff_does_not_push_back_a_wait_already_pulled_in() -> None:
    clock = ManualClock(T0)
    cutoff = Cutoff(clock)
    ended: list[float] = []

    async def wait() -> None:
        try:
            async with cutoff.bound():
                await asyncio.Event().wait()
        except TimeoutError:
            ended.append(clock())

    waiter = asyncio.create_task(wait())
    await settle()
    cutoff.set(1.0)
    cutoff.set(5.0)  # later: the running wait keeps its earlier end
    await clock.advance(10)
    await waiter
    assert ended == [T0 + 1.0]


async def test_a_wait_that_ends_sooner_keeps_its_own_end() -> None:
    clock = ManualClock(T0)
    cutoff = Cutoff(clock)
    cutoff.set(60)
    quick = asyncio.get_running_loop().create_future()
    quick.set_result("done")
    async with cutoff.bound():
        assert await quick == "done"  # finished long before the cut-off
    await settle()
    assert clock.sleepers == []  # and its timer went with it


async def test_by_default_it_keeps_the_event_loops_time() -> None:
    cutoff = Cutoff()
    cutoff.set(0)  # now, on the loop's clock: a wait ends at once
    with pytest.raises(TimeoutError):
        async with cutoff.bound():
            await asyncio.Event().wait()
