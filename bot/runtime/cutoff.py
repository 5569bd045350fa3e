"""A moment after which waiting stops — unset while the process runs, set once when it stops.

Work wraps its waits in `Cutoff.bound(margin)`; setting the cut-off pulls every such wait in to
that moment (plus its margin), and bounds the waits that start later too. A wait cut off raises
`TimeoutError` in the code that waited, which then ends its work in a labelled way instead of
being killed with the process.

The cut-off is kept on a `Clock` (the event loop's by default), so tests can move time by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


class Clock(Protocol):
    """Where the cut-off reads the time (calling it: seconds, only ever growing) and waits for
    it — the shape of `adapters.port.live.Clock`, which the core does not import."""

    def __call__(self) -> float: ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once the time is `deadline` or later."""
        ...


class LoopClock:
    """The event loop's clock."""

    def __call__(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - self()))


LOOP_CLOCK = LoopClock()


class Cutoff:
    def __init__(self, clock: Clock = LOOP_CLOCK) -> None:
        self._clock = clock
        self._at: float | None = None  # on the clock
        self._waits: set[_Wait] = set()

    @property
    def is_set(self) -> bool:
        return self._at is not None

    def set(self, within: float) -> None:
        """Cut off every wait `within` seconds from now (plus the wait's own margin)."""
        self._at = self._clock() + max(0.0, within)
        for wait in list(self._waits):
            wait.pull_in(self._at, self._clock)

    @asynccontextmanager
    async def bound(self, margin: float = 0.0) -> AsyncIterator[None]:
        """Run the block until the cut-off (plus `margin`); `TimeoutError` if it is reached."""
        async with asyncio.timeout(None) as timeout:
            wait = _Wait(timeout, margin)
            if self._at is not None:
                wait.pull_in(self._at, self._clock)
            self._waits.add(wait)
            try:
                yield
            finally:
                self._waits.discard(wait)
                wait.release()


class _Wait:
    """One bounded block: its timeout, its margin past the cut-off, and, once the cut-off is
    set, a timer that expires the timeout when the clock reaches the block's end."""

    def __init__(self, timeout: asyncio.Timeout, margin: float) -> None:
        self.timeout = timeout
        self.margin = margin
        self.ends: float | None = None  # on the clock, once the cut-off is set
        self._timer: asyncio.Task[None] | None = None

    def pull_in(self, at: float, clock: Clock) -> None:
        ends = at + self.margin
        if self.ends is not None and self.ends <= ends:
            return  # it already ends sooner
        self.release()
        self.ends = ends
        self._timer = asyncio.ensure_future(self._expire_at(ends, clock))

    async def _expire_at(self, ends: float, clock: Clock) -> None:
        await clock.sleep_until(ends)
        # Due now: asyncio cancels the block and raises TimeoutError from it.
        self.timeout.reschedule(asyncio.get_running_loop().time())

    def release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
