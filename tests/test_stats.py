"""`/scout stats`: what this worker has done since start, for admins only."""

from __future__ import annotations

import pytest

from bot.commands.grammar import parse
from bot.runtime.request_scope import CONSOLE, Caller
from bot.runtime.stats import LatencyHistogram
from tests.conftest import ServiceFactory
from tests.fake_router import FakeRouter, Reply


def test_percentiles_are_within_five_percent() -> None:
    histogram = LatencyHistogram()
    assert histogram.percentile(50) is None
    for milliseconds in range(1, 1001):
        histogram.add(milliseconds)
    for p, exact in ((50, 500), (99, 990), (100, 1000)):
        found = histogram.percentile(p)
        assert found is not None and exact <= found <= exact * 1.05 + 1


def test_sub_millisecond_answers_count_as_zero() -> None:
    histogram = LatencyHistogram()
    histogram.add(0)
    histogram.add(0.4)
    assert histogram.percentile(99) == 0.0


async def test_stats_count_commands_sources_fallbacks_and_cache_hits(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    slack_user = Caller("slack", "U1")
    await service.handle(parse("Facebook"), slack_user)  # AI
    await service.handle(parse("Facebook"), slack_user)  # cache hit
    router.enqueue(Reply.error(402, "You have exceeded your monthly included credits"))
    await service.handle(parse("build Facebook"), slack_user)  # fallback
    await service.handle(parse("help"), slack_user)

    report = await service.handle(parse("stats"), Caller("slack", "U_ADMIN", is_admin=True))
    assert report.is_reply_private
    text = report.text
    assert "Commands: 4 (analysis 2, build 1, help 1)" in text
    assert "Answers: 3 (ai 1, cache 1, fallback 1)" in text
    assert "Cache (memory): 33% hit rate (1 of 3 lookups)" in text
    assert "Upstream calls: 2 to the model" in text
    assert "Fallbacks: AI credits are exhausted ×1" in text
    assert "p50" in text and "p99" in text and "over 3 answers" in text


@pytest.mark.parametrize("caller", [Caller("slack", "U1"), Caller("discord", "42")])
async def test_stats_are_for_admins_only(make_service: ServiceFactory, caller: Caller) -> None:
    report = await make_service().handle(parse("stats"), caller)
    assert report.text == "`/scout stats` is for Trend Scout's admins only."


async def test_the_console_operator_may_see_stats(make_service: ServiceFactory) -> None:
    report = await make_service().handle(parse("stats"), CONSOLE)
    assert report.text.startswith("**Trend Scout stats**")


def test_stats_with_arguments_is_an_app_name() -> None:
    assert parse("stats") == parse("  STATS ")
    assert getattr(parse("stats pro"), "subject", None) == "stats pro"
