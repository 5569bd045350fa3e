"""adapters.port.live: progress drawn at once, then coalesced to the platform's pace and budget.

Time is a `ManualClock`: each test moves it by hand, so draws are counted and timed exactly. The
times are binary fractions (1/256 s, 0.25 s), so the clock's sums are exact."""

from __future__ import annotations

import asyncio

from adapters.port.live import LiveReply, RateBudget, RateBudgets
from bot.progress.feed import Progress, ProgressFeed, StepKey
from tests.helpers import ManualClock, settle

T0 = 1000.0  # where a ManualClock starts
PIECE_GAP = 1 / 256  # how fast the pretend model writes: 128 pieces in half a second


class Canvas:
    """A platform message: what each draw showed, and when (on the test's clock)."""

    def __init__(self, clock: ManualClock, fail: bool = False) -> None:
        self.clock = clock
        self.drawn: list[tuple[float, Progress]] = []
        self.fail = fail
        self.release = asyncio.Event()
        self.release.set()
        self.entered = asyncio.Event()

    async def draw(self, progress: Progress) -> None:
        self.entered.set()
        await self.release.wait()
        if self.fail:
            raise ConnectionError("platform down")
        self.drawn.append((self.clock(), progress))

    def times(self) -> list[float]:
        return [at for at, _ in self.drawn]

    def texts(self) -> list[str]:
        return [progress.text for _, progress in self.drawn]


def words(first: int, last: int) -> str:
    """What the pretend model wrote from piece `first` to piece `last`."""
    return "".join(f"word{i} " for i in range(first, last + 1))


def test_a_budget_lends_its_capacity_then_refills_at_its_rate() -> None:
    clock = ManualClock()
    budget = RateBudget(capacity=2, per_second=0.5, clock=clock)
    assert [budget.take() for _ in range(3)] == [True, True, False]
    assert budget.wait() == 2.0
    clock.now += 1.0
    assert budget.wait() == 1.0 and not budget.take()
    clock.now += 1.0
    assert budget.take() and not budget.take()


def test_budgets_are_kept_per_scope_and_forgotten_after_an_hour() -> None:
    clock = ManualClock()
    budgets = RateBudgets(capacity=1, per_minute=60, clock=clock)
    workspace = budgets["T1"]
    assert workspace.take() and not workspace.take()
    assert budgets["T2"].take()  # another workspace has its own
    assert budgets["T1"] is workspace
    clock.now += 0.5
    assert workspace.wait() == 0.5  # each budget reads the same clock
    clock.now += 3600
    assert budgets["T1"] is not workspace  # an hour on: forgotten, a fresh one


async def test_the_first_change_is_drawn_at_once_and_a_burst_is_coalesced() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=0.25, clock=clock)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")
    await settle()
    assert canvas.times() == [T0]  # at once, before any time passes
    for i in range(128):  # a fast model: far more pieces than draws
        feed.write(f"word{i} ")
        await clock.advance(PIECE_GAP)
    await clock.advance(10)
    await live.close()
    # The plan at once; then one draw a quarter second, each with everything written so far.
    assert canvas.times() == [T0, T0 + 0.25, T0 + 0.5]
    assert canvas.texts() == ["", words(0, 63), words(0, 127)]
    assert canvas.drawn[-1][1].version == feed.version  # nothing lost: the last draw is current
    assert live.draws == 3


async def test_the_first_text_may_come_sooner_than_the_interval() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=1.0, first_text_pause=0.25, clock=clock)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")
    await settle()
    feed.write("First ")
    await clock.advance(0.5)
    feed.write("line ")  # after the first text, the interval again
    await clock.advance(0.5)
    assert canvas.times() == [T0, T0 + 0.25]
    await clock.advance(10)
    await live.close()
    assert canvas.times() == [T0, T0 + 0.25, T0 + 1.25]
    assert canvas.texts() == ["", "First ", "First line "]


async def test_plan_only_changes_wait_longer_than_text() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=0.25, step_interval=30, clock=clock)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")
    await settle()
    feed.step(StepKey.REVIEWS, "Reading reviews")  # waits for text, or 30 s
    await clock.advance(10)
    assert canvas.times() == [T0]
    assert clock.sleepers == [T0 + 30]
    feed.write("First line\n")  # text cuts the wait short: drawn at once
    await settle()
    assert canvas.times() == [T0, T0 + 10]
    second = canvas.drawn[1][1]
    assert [s.key for s in second.steps] == [StepKey.APPSTORE, StepKey.REVIEWS]
    assert second.text == "First line\n"

    feed.step(StepKey.SCORE, "Scoring")  # the plan alone again: 30 s after that draw
    await clock.advance(29.75)
    assert len(canvas.drawn) == 2
    await clock.advance(0.25)
    assert canvas.times() == [T0, T0 + 10, T0 + 40]
    assert [s.key for s in canvas.drawn[2][1].steps][-1] == StepKey.SCORE
    await live.close()


async def test_a_shared_budget_holds_redraws_back_and_folds_them_into_one() -> None:
    clock = ManualClock(T0)
    budget = RateBudget(capacity=1, per_second=0.5, clock=clock)  # one call every 2 s
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=0.25, budget=budget, clock=clock)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")  # the first draw is free: it opens the message
    await settle()
    feed.write("a ")
    await clock.advance(0.25)  # the interval is over and the budget has its one call
    assert canvas.times() == [T0, T0 + 0.25]
    for piece in ("b ", "c ", "d "):
        feed.write(piece)
        await clock.advance(0.25)
    # The interval allows a draw at T0 + 0.5, but the budget refills only at T0 + 2.25.
    assert canvas.times() == [T0, T0 + 0.25]
    await clock.advance(10)
    await live.close()
    assert canvas.times() == [T0, T0 + 0.25, T0 + 2.25]
    assert canvas.texts() == ["", "a ", "a b c d "]  # folded, not queued


async def test_draws_stop_at_their_limit_and_after_a_failure() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=0.25, max_draws=2, clock=clock)
    feed.subscribe(live)
    feed.write("piece 1 ")
    await settle()
    feed.write("piece 2 ")
    await clock.advance(0.25)
    assert canvas.times() == [T0, T0 + 0.25]
    feed.write("piece 3")  # past the limit: the live view ends instead of drawing it
    await clock.advance(10)
    assert live._task is not None and live._task.done()
    await live.close()
    assert canvas.texts() == ["piece 1 ", "piece 1 piece 2 "]

    broken = ProgressFeed()
    failing = Canvas(clock, fail=True)
    live = LiveReply(failing.draw, interval=0.25, clock=clock)
    broken.subscribe(live)
    broken.write("x")
    await settle()
    assert failing.entered.is_set()  # the draw was tried, and failed
    assert live._task is not None and live._task.done()  # so the live view ended
    broken.write("y")
    await clock.advance(10)
    await live.close()
    assert not live.shown  # the final reply is then posted as a new message


async def test_close_waits_for_a_draw_on_its_way_so_the_reply_is_not_overtaken() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    canvas.release.clear()  # the platform is slow to answer the first draw
    live = LiveReply(canvas.draw, interval=0.25, clock=clock)
    feed.subscribe(live)
    feed.write("plan")
    await canvas.entered.wait()  # the draw is on its way
    closing = asyncio.create_task(live.close())  # the answer is ready meanwhile
    await settle()
    assert not closing.done()  # close waits for the platform's answer
    canvas.release.set()
    await closing
    assert live.shown and len(canvas.drawn) == 1  # finished, not cancelled half-way


async def test_close_stops_a_waiting_reply_and_leaves_nobody_asleep() -> None:
    clock = ManualClock(T0)
    feed, canvas = ProgressFeed(), Canvas(clock)
    live = LiveReply(canvas.draw, interval=0.25, clock=clock)
    feed.subscribe(live)
    feed.write("a ")
    await settle()
    feed.write("b ")
    await settle()
    assert clock.sleepers == [T0 + 0.25]  # waiting for its interval
    await live.close()
    assert clock.sleepers == []
    await clock.advance(10)
    assert canvas.texts() == ["a "]  # nothing drawn after close
