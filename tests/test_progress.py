"""The service's progress: plan steps as they happen, the answer's text as it grows, shared by
identical commands in flight (late joiners see what was written), nothing for cached answers."""

from __future__ import annotations

import asyncio
import itertools

from bot.commands.grammar import parse
from bot.progress.feed import Progress, ProgressFeed, StepKey, StepStatus
from bot.report.report import Report, Source
from bot.service.recommendations import RecommendationService
from tests.conftest import ServiceFactory
from tests.fake_router import DEFAULT_ANSWER, FakeRouter, Reply
from tests.helpers import wait_for


class Watcher:
    """What a user would have seen: every state of the progress, in order."""

    def __init__(self) -> None:
        self.seen: list[Progress] = []

    def progressed(self, feed: ProgressFeed) -> None:
        self.seen.append(feed.snapshot())

    @property
    def text(self) -> str:
        return self.seen[-1].text if self.seen else ""

    def step(self, key: StepKey) -> tuple[StepStatus, str]:
        step = next(s for s in self.seen[-1].steps if s.key is key)
        return step.status, step.detail

    def statuses(self, key: StepKey) -> list[StepStatus]:
        """The states a step went through."""
        states: list[StepStatus] = []
        for progress in self.seen:
            for step in progress.steps:
                if step.key is key and (not states or states[-1] is not step.status):
                    states.append(step.status)
        return states


async def ask(
    service: RecommendationService, text: str, watcher: Watcher | None = None
) -> Report:
    return await service.handle(parse(text), listener=watcher)


def test_a_late_subscriber_is_shown_the_state_so_far_at_once() -> None:
    feed = ProgressFeed()
    feed.step(StepKey.APPSTORE, "Looking up")
    feed.finish(StepKey.APPSTORE, StepStatus.DONE, "found it")
    feed.write("Hello ")
    feed.write("world")
    late = Watcher()
    feed.subscribe(late)
    assert [s.status for s in late.seen[0].steps] == [StepStatus.DONE]
    assert late.text == "Hello world"
    feed.write("!")
    assert late.text == "Hello world!"
    feed.unsubscribe(late)
    feed.write("?")
    assert late.text == "Hello world!"


def test_a_failing_listener_does_not_stop_the_others() -> None:
    class Broken:
        def progressed(self, feed: ProgressFeed) -> None:
            raise RuntimeError("renderer bug")

    feed, watcher = ProgressFeed(), Watcher()
    feed.subscribe(Broken())
    feed.subscribe(watcher)
    feed.write("still here")
    assert watcher.text == "still here"


async def test_an_analysis_shows_each_step_then_the_text_as_it_grows(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    router.tokens_per_second = 200
    service, watcher = make_grounded_service(), Watcher()
    report = await ask(service, "Facebook", watcher)

    assert report.source is Source.AI
    first = watcher.seen[0]
    assert [(s.key, s.status) for s in first.steps] == [(StepKey.APPSTORE, StepStatus.RUNNING)]
    assert first.steps[0].title == "Looking up “Facebook” in the US App Store"
    assert first.text == ""
    for key in (StepKey.APPSTORE, StepKey.SCORE, StepKey.MODEL):
        assert watcher.statuses(key) == [StepStatus.RUNNING, StepStatus.DONE], key
    assert watcher.statuses(StepKey.REVIEWS) == [StepStatus.RUNNING, StepStatus.SKIPPED]
    assert watcher.step(StepKey.REVIEWS)[1] == "No customer reviews in the US store yet"
    assert watcher.step(StepKey.APPSTORE) == (StepStatus.DONE, "found Facebook")
    assert watcher.step(StepKey.SCORE)[1].endswith("/100")
    # Every step was done before any text; the text then grew piece by piece to the answer.
    texts = [p.text for p in watcher.seen if p.text]
    assert len(texts) > 10
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))
    assert texts[-1].strip() == DEFAULT_ANSWER.strip() == report.text
    first_text = next(p for p in watcher.seen if p.text)
    assert all(s.status.finished for s in first_text.steps if s.key is not StepKey.MODEL)


async def test_a_cached_answer_comes_at_once_without_progress(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    await ask(service, "Facebook")
    watcher = Watcher()
    report = await ask(service, "facebook", watcher)
    assert report.source is Source.CACHE
    assert watcher.seen == []


async def test_a_late_joiner_shares_the_call_and_sees_what_was_already_written(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    router.tokens_per_second = 40
    service, first, second = make_grounded_service(), Watcher(), Watcher()
    leader = asyncio.create_task(ask(service, "Facebook", first))
    await wait_for(lambda: len(first.text) > 20, what="the first words of the answer")
    joiner = asyncio.create_task(ask(service, "Facebook", second))
    await wait_for(lambda: second.seen, what="the joiner's first view")
    # Its first view already had the plan done and the text so far: nothing missed.
    assert len(second.seen[0].text) > 20
    assert all(s.status.finished for s in second.seen[0].steps if s.key is not StepKey.MODEL)
    reports = await asyncio.gather(leader, joiner)
    assert len(router.completion_calls()) == 1
    assert first.text == second.text
    assert reports[0].text == reports[1].text == first.text.strip()


async def test_without_streaming_the_plan_still_shows_and_the_answer_comes_whole(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service, watcher = make_grounded_service(stream=False), Watcher()
    report = await ask(service, "Facebook", watcher)
    assert report.source is Source.AI
    assert router.completion_calls()[0].body["stream"] is False
    assert all(p.text == "" for p in watcher.seen)
    assert watcher.statuses(StepKey.MODEL) == [StepStatus.RUNNING, StepStatus.DONE]


async def test_a_model_outage_marks_its_step_and_a_missing_key_skips_it(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    router.always(Reply.error(402, "You have exceeded your monthly included credits"), count=5)
    watcher = Watcher()
    report = await ask(make_grounded_service(), "Facebook", watcher)
    assert report.source is Source.FALLBACK
    status, detail = watcher.step(StepKey.MODEL)
    assert status is StepStatus.UNAVAILABLE
    assert detail == "AI credits are exhausted — rule-based advice instead"

    watcher = Watcher()
    await ask(make_grounded_service(api_key=None), "Facebook", watcher)
    assert watcher.step(StepKey.MODEL)[0] is StepStatus.SKIPPED


async def test_an_unknown_app_ends_after_the_look_up(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    watcher = Watcher()
    report = await ask(make_grounded_service(), "zzzz no such app qqq", watcher)
    assert "No App Store app matched" in report.text
    assert [s.key for s in watcher.seen[-1].steps] == [StepKey.APPSTORE]
    assert watcher.step(StepKey.APPSTORE) == (StepStatus.DONE, "no match")
    assert router.completion_calls() == []


async def test_gaps_show_the_chart_and_the_leaders_reviews(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    watcher = Watcher()
    await ask(make_grounded_service(), "gaps Utilities", watcher)
    steps = watcher.seen[-1].steps
    assert [s.key for s in steps] == [StepKey.APPSTORE, StepKey.REVIEWS, StepKey.MODEL]
    assert steps[0].title == "Reading the top Utilities apps in the US App Store"
    assert steps[0].status is StepStatus.DONE
