"""`Cutoff`: waits run freely until it is set, then end at it (plus their margin)."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime import Cutoff
from tests.helpers import wait_for


async def test_waits_run_freely_until_the_cutoff_is_set() -> None:
    cutoff = Cutoff()
    done = asyncio.Event()
    done.set()
    async with cutoff.bound():
        await done.wait()
    assert not cutoff.is_set


async def test_setting_it_ends_waits_already_running_and_bounds_new_ones() -> None:
    cutoff = Cutoff()
    release = asyncio.Event()
    ended: list[str] = []
    waiting: list[float] = []

    async def wait(margin: float) -> None:
        try:
            async with cutoff.bound(margin):
                waiting.append(margin)
                await release.wait()
        except TimeoutError:
            ended.append(f"cut off +{margin}")

    early = asyncio.create_task(wait(0.0))
    later_margin = asyncio.create_task(wait(0.2))
    await wait_for(lambda: len(waiting) == 2, what="both waits")
    loop = asyncio.get_running_loop()
    started = loop.time()
    cutoff.set(0.05)
    await early
    assert ended == ["cut off +0.0"]
    assert loop.time() - started >= 0.05
    await later_margin
    assert ended == ["cut off +0.0", "cut off +0.2"]
    with pytest.raises(TimeoutError):  # a wait that starts after the cut-off ends at once
        async with cutoff.bound():
            await release.wait()


async def test_a_wait_that_ends_sooner_keeps_its_own_end() -> None:
    cutoff = Cutoff()
    cutoff.set(60)
    quick = asyncio.get_running_loop().create_future()
    quick.set_result("done")
    async with cutoff.bound():
        assert await quick == "done"  # finished long before the cut-off
