"""Drawing a command's progress on a platform, within the platform's limits.

A `LiveReply` listens to the service's progress feed and redraws one message: at once for the
first sign of progress, then no more than once per `interval` (Discord edits, Slack's
`chat.update`) and only while a shared `RateBudget` (one per Slack workspace and method, or per
Discord channel) has room — progress is a preview, so a redraw that does not fit is folded into
the next one, never queued. The final reply is not drawn here: the outbox posts it after `close`.
A draw that fails ends the live view; the final reply still goes out.

Pacing reads a `Clock` (the event loop's by default), so tests can move time by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Protocol

from cachetools import TTLCache

from bot.progress import Progress, ProgressFeed

log = logging.getLogger(__name__)

Draw = Callable[[Progress], Awaitable[None]]


class Clock(Protocol):
    """Where pacing reads the time (calling it: seconds, only ever growing) and waits for it."""

    def __call__(self) -> float: ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once the time is `deadline` or later."""
        ...


class LoopClock:
    """The event loop's clock: asyncio's `loop.time()` is `time.monotonic()`."""

    def __call__(self) -> float:
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))


LOOP_CLOCK = LoopClock()


class RateBudget:
    """A token bucket: `capacity` calls at once, refilled at `per_second`."""

    def __init__(
        self, capacity: float, per_second: float, clock: Callable[[], float] = LOOP_CLOCK
    ) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        self._tokens = capacity
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.per_second)
        self._at = now

    def take(self) -> bool:
        """Spend one call if there is room."""
        self._refill()
        if self._tokens >= 1 - 1e-9:  # a refill's rounding must not cost a whole wait
            self._tokens -= 1
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next call fits."""
        self._refill()
        return max(0.0, (1 - self._tokens) / self.per_second)


class RateBudgets:
    """One budget per scope (a workspace, a channel), forgotten an hour after it was made (a
    busy scope then starts a fresh, full one)."""

    def __init__(
        self, capacity: float, per_minute: float, clock: Callable[[], float] = LOOP_CLOCK
    ) -> None:
        self.capacity = capacity
        self.per_second = per_minute / 60
        self._clock = clock
        self._budgets: TTLCache[Hashable, RateBudget] = TTLCache(
            maxsize=10_000, ttl=3600, timer=clock
        )

    def __getitem__(self, scope: Hashable) -> RateBudget:
        budget = self._budgets.get(scope)
        if budget is None:
            budget = RateBudget(self.capacity, self.per_second, self._clock)
            self._budgets[scope] = budget
        return budget


class LiveReply:
    """One command's progress drawn by `draw`: the first change at once, later ones coalesced."""

    def __init__(
        self,
        draw: Draw,
        interval: float,
        budget: RateBudget | None = None,
        max_draws: int | None = None,
        step_interval: float | None = None,
        first_text_pause: float | None = None,
        *,
        clock: Clock = LOOP_CLOCK,
    ) -> None:
        self._draw = draw
        self._clock = clock
        self.interval = interval  # after a draw, before the next one with more text
        self.step_interval = interval if step_interval is None else step_interval  # plan only
        # After the first draw (the plan), the first text may come sooner: it is what users
        # wait for, and one early draw stays well inside every platform's limits.
        self.first_text_pause = interval if first_text_pause is None else first_text_pause
        self.budget = budget
        self.max_draws = max_draws
        self.draws = 0
        self._feed: ProgressFeed | None = None
        self._drawn = 0  # the version of the progress last drawn
        self._drawn_text = 0  # and the length of its text
        self._drawn_at = float("-inf")
        self._wake = asyncio.Event()
        self._drawing = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    @property
    def shown(self) -> bool:
        """Whether anything was drawn (so the final reply replaces a live message)."""
        return self.draws > 0

    def latest(self) -> Progress | None:
        """The progress as it stands (drawn or not), for the final reply to finish the plan."""
        return self._feed.snapshot() if self._feed is not None else None

    def progressed(self, feed: ProgressFeed) -> None:
        self._feed = feed
        if self._task is None and not self._closing:
            self._task = asyncio.ensure_future(self._run())
        self._wake.set()

    async def close(self) -> None:
        """Stop drawing. A draw already on its way is finished first, so the final reply is
        never overtaken by a stale preview."""
        self._closing = True
        task = self._task
        if task is None:
            return
        if self._drawing:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def _run(self) -> None:
        while not self._closing:
            feed = self._feed
            if feed is None or feed.version == self._drawn:
                self._wake.clear()
                await self._wake.wait()
                continue
            if self.max_draws is not None and self.draws >= self.max_draws:
                return
            # The platform's pace: this message's interval (longer when only the plan moved),
            # then the shared budget. New text cuts a wait for the plan's interval short.
            if len(feed.text) <= self._drawn_text:
                pause = self.step_interval
            elif self._drawn_text == 0 and self.draws == 1:
                pause = self.first_text_pause
            else:
                pause = self.interval
            now = self._clock()
            until = self._drawn_at + pause
            if until <= now and self.budget is not None and self.draws and not self.budget.take():
                until = now + self.budget.wait()
            if until > now:
                await self._pause(until)
                continue
            progress = feed.snapshot()
            self._drawing = True
            try:
                await self._draw(progress)
            except Exception as exc:
                log.warning("live progress stopped (%s): %s", type(exc).__name__, exc)
                return
            finally:
                self._drawing = False
            self.draws += 1
            self._drawn, self._drawn_text = progress.version, len(progress.text)
            self._drawn_at = self._clock()

    async def _pause(self, until: float) -> None:
        """Wait until `until` on the clock, or less if the progress moves meanwhile."""
        self._wake.clear()
        timer = asyncio.ensure_future(self._clock.sleep_until(until))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait((timer, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            woken.cancel()
