"""adapters.port.live: progress drawn at once, then coalesced to the platform's pace and budget."""

from __future__ import annotations

import asyncio
import itertools

from adapters.port.live import LiveReply, RateBudget
from bot.progress.feed import Progress, ProgressFeed, StepKey
from tests.helpers import ManualClock, wait_for

PIECE_GAP = 0.002  # how fast the pretend model writes: the producer's pace, not a wait


class Canvas:
    """A platform message: what each draw showed, and when."""

    def __init__(self, fail: bool = False) -> None:
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
        self.drawn.append((asyncio.get_running_loop().time(), progress))


def test_a_budget_lends_its_capacity_then_refills_at_its_rate() -> None:
    clock = ManualClock()
    budget = RateBudget(capacity=2, per_second=0.5, clock=clock)
    assert [budget.take() for _ in range(3)] == [True, True, False]
    assert budget.wait() == 2.0
    clock.now += 2.0
    assert budget.take() and not budget.take()


async def test_the_first_change_is_drawn_at_once_and_a_burst_is_coalesced() -> None:
    feed, canvas = ProgressFeed(), Canvas()
    live = LiveReply(canvas.draw, interval=0.2)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")
    await wait_for(lambda: canvas.drawn, what="the first draw")
    for i in range(200):  # a fast model: far more pieces than draws
        feed.write(f"word{i} ")
        await asyncio.sleep(PIECE_GAP)  # pieces arriving over ~0.5 s, as a stream's do
    await wait_for(lambda: canvas.drawn[-1][1].version == feed.version, what="the latest draw")
    await live.close()
    assert canvas.drawn[0][1].text == ""  # the plan, before any text
    assert 3 <= len(canvas.drawn) <= 6
    times = [at for at, _ in canvas.drawn]
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times[1:]))
    assert canvas.drawn[-1][1].text == feed.text  # nothing lost: the last draw is up to date


async def test_plan_only_changes_wait_longer_than_text() -> None:
    feed, canvas = ProgressFeed(), Canvas()
    live = LiveReply(canvas.draw, interval=0.05, step_interval=30)
    feed.subscribe(live)
    feed.step(StepKey.APPSTORE, "Looking up")
    await wait_for(lambda: len(canvas.drawn) == 1, what="the plan")
    feed.step(StepKey.REVIEWS, "Reading reviews")  # waits for text, or 30 s
    feed.write("First line\n")
    await wait_for(lambda: len(canvas.drawn) == 2, what="the text")
    second = canvas.drawn[1][1]
    assert [s.key for s in second.steps] == [StepKey.APPSTORE, StepKey.REVIEWS]
    assert second.text == "First line\n"
    await live.close()


async def test_draws_stop_at_their_limit_and_after_a_failure() -> None:
    feed, canvas = ProgressFeed(), Canvas()
    live = LiveReply(canvas.draw, interval=0.01, max_draws=2)
    feed.subscribe(live)
    for wanted in (1, 2):
        feed.write(f"piece {wanted} ")
        await wait_for(lambda n=wanted: live.draws == n, what=f"draw {wanted}")
    feed.write("piece 3")  # past the limit: the live view ends instead of drawing it
    await wait_for(lambda: live._task is not None and live._task.done(), what="the end")
    await live.close()
    assert len(canvas.drawn) == 2 and "piece 3" not in canvas.drawn[-1][1].text

    broken, failing = ProgressFeed(), Canvas(fail=True)
    live = LiveReply(failing.draw, interval=0.01)
    broken.subscribe(live)
    broken.write("x")
    await live.close()
    assert not live.shown  # the final reply is then posted as a new message


async def test_close_waits_for_a_draw_on_its_way_so_the_reply_is_not_overtaken() -> None:
    feed, canvas = ProgressFeed(), Canvas()
    canvas.release.clear()  # the platform is slow to answer the first draw
    live = LiveReply(canvas.draw, interval=0.01)
    feed.subscribe(live)
    feed.write("plan")
    await canvas.entered.wait()  # the draw is on its way
    closing = asyncio.create_task(live.close())  # the answer is ready meanwhile
    canvas.release.set()
    await closing
    assert live.shown and len(canvas.drawn) == 1  # finished, not cancelled half-way
