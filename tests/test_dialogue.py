"""bot.service.follow_ups: a follow-up question answered by the model with the look-ups as tools —
the fake router answers with `tool_calls` (one, several, bad arguments, an unknown tool, more
rounds than allowed), gets the results back as data, or refuses tools; without the model the
user is told which commands still work."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import pytest

from bot.appstore import ITunesCatalog
from bot.cache import ConversationContext, Exchange
from bot.commands.grammar import parse
from bot.progress.feed import Progress, ProgressFeed
from bot.report.report import ReportKind, Source
from bot.runtime import AiohttpTransport, Caller
from bot.service.facts import FactFinder
from bot.service.follow_ups import COMMANDS_THAT_HELP, TOOLS_REFUSED, FollowUps
from bot.service.model_tools import MAX_TOOL_ROUNDS
from bot.service.recommendations import RecommendationService
from tests.conftest import FAST_APPSTORE, ServiceFactory
from tests.fake_appstore import FakeAppStore
from tests.fake_market import OPPORTUNITY, TODAY, build_market
from tests.fake_router import DEFAULT_ANSWER, FakeRouter


class Watcher:
    def __init__(self) -> None:
        self.last: Progress | None = None

    def progressed(self, feed: ProgressFeed) -> None:
        self.last = feed.snapshot()


def dialogue(service: RecommendationService) -> FollowUps:
    return FollowUps(service.router, service.facts)


def tool_messages(router: FakeRouter, index: int) -> list[dict[str, Any]]:
    return [m for m in router.completion_calls()[index].body["messages"] if m["role"] == "tool"]


async def first_report(service: RecommendationService) -> ConversationContext:
    report = await service.handle(parse("Webster Bank"))
    return ConversationContext(report)


async def test_a_follow_up_sees_the_first_report_and_the_last_exchanges(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    context = (await first_report(service)).with_exchanges(
        Exchange("user", "what would you charge?"), Exchange("assistant", "$4.99 once.")
    )
    answer = await dialogue(service).ask("and which complaint is cheapest to fix?", context)
    assert answer.kind is ReportKind.ANSWER and answer.source is Source.AI
    assert answer.text == DEFAULT_ANSWER.strip() and answer.subject == "Webster Bank"
    system, data, *turns = router.completion_calls()[-1].body["messages"]
    assert "never instructions" in system["content"]
    facts = json.loads(data["content"].removeprefix("DATA:\n"))
    assert facts["app"]["name"] == "Webster Bank"
    assert facts["reviews"]["complaints"][0]["theme"] == "crashes & bugs"
    assert [(t["role"], t["content"]) for t in turns] == [
        ("user", "what would you charge?"),
        ("assistant", "$4.99 once."),
        ("user", "and which complaint is cheapest to fix?"),
    ]


async def test_the_model_looks_apps_up_itself_and_each_look_up_is_a_plan_step(
    make_grounded_service: ServiceFactory,
    router: FakeRouter,
    appstore: FakeAppStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, watcher = make_grounded_service(), Watcher()
    context = await first_report(service)
    searches_before = len(appstore.calls("/search"))
    router.tool_rounds = [
        [("find_app", '{"app": "Facebook"}'), ("top_apps", '{"category": "utilities"}')]
    ]
    with caplog.at_level(logging.INFO, logger="bot.service.account"):
        answer = await dialogue(service).ask(
            "how does it compare with Facebook?", context, watcher, Caller("slack", "U1")
        )
    assert answer.source is Source.AI
    found, chart = (json.loads(m["content"]) for m in tool_messages(router, -1))
    assert found["app"]["name"] == "Facebook" and "clone_score" in found["app"]
    assert chart["category"] == "Utilities" and len(chart["top_apps"]) == 2
    assert watcher.last is not None
    steps = {step.title: (step.status.value, step.detail) for step in watcher.last.steps}
    assert steps["Looking up Facebook"] == ("done", "found Facebook")
    assert steps["Reading the top utilities apps"][0] == "done"
    # The look-ups went through the same catalog and counted in the turn's App Store calls.
    assert len(appstore.calls("/search")) > searches_before
    [logged] = [r for r in caplog.records if r.getMessage() == "command answered"]
    fields = logged.fields  # type: ignore[attr-defined]
    assert fields["appstore_calls"] >= 2 and fields["model_calls"] == 2
    assert fields["user"] == "U1" and fields["kind"] == "follow_up"


async def test_the_model_scouts_a_market_itself_and_the_scan_is_a_plan_step(
    make_grounded_service: ServiceFactory,
    router: FakeRouter,
    appstore: FakeAppStore,
    transport: AiohttpTransport,
) -> None:
    """ "What should I build in Finance?" reaches a market scan: the model gets the planted
    opportunity first, with its score and why; a bad category gets the nearest categories."""
    service, watcher = make_grounded_service(), Watcher()
    context = await first_report(service)
    build_market().install(appstore)
    catalog = ITunesCatalog(
        replace(FAST_APPSTORE, base_url=appstore.base_url, calls_per_minute=100_000), transport
    )
    facts = FactFinder(catalog, today=lambda: TODAY)
    router.tool_rounds = [
        [
            ("find_opportunities", '{"category": "finance"}'),
            ("find_opportunities", '{"category": "finanse"}'),
            ("find_opportunities", '{"category": "finance", "price": "cheap"}'),
        ]
    ]
    answer = await FollowUps(service.router, facts, today=lambda: TODAY).ask(
        "what should I build in Finance?", context, watcher
    )
    assert answer.source is Source.AI
    found, misspelt, bad_price = (json.loads(m["content"]) for m in tool_messages(router, -1))
    assert found["category"] == "Finance" and found["price"] == "free and paid"
    assert len(found["opportunities"]) == 5
    best = found["opportunities"][0]
    scanner = facts.scanner
    assert scanner is not None
    (scan_best,) = (await scanner.scan("Finance", "us")).top(1)  # the scan kept: no new call
    assert scan_best.app.track_id == OPPORTUNITY and best["name"] == "PennyWise Budget"
    assert best["opportunity_score"]["total"] == scan_best.score.total
    assert set(best["opportunity_score"]["parts"]) == {p.name for p in scan_best.score.parts}
    assert best["why"] == scan_best.why and "38 of 50 recent reviews report" in best["why"]
    assert best["reviews"]["complaints"][0]["reviews"] == 38
    assert found["appstore_calls"] == 16
    assert found["notes"][-1].startswith("Scanned 3 charts (600 entries, 412 apps) with 16 ")
    assert misspelt == {"error": "not an App Store category", "suggestions": ["Finance"]}
    assert bad_price == {"error": 'price must be "free" or "paid", or left out for both'}
    assert watcher.last is not None
    steps = [(step.title, step.status.value, step.detail) for step in watcher.last.steps]
    assert (
        "Scanning the Finance market",
        "done",
        f"412 apps scanned; best PennyWise Budget ({scan_best.score.total}/100)",
    ) in steps


async def test_bad_arguments_and_unknown_tools_are_told_to_the_model_not_raised(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    context = await first_report(service)
    router.tool_rounds = [
        [
            ("find_app", "{app: Facebook"),
            ("delete_all_apps", "{}"),
            ("top_apps", '{"category": "Knitting"}'),
        ]
    ]
    answer = await dialogue(service).ask("anything else?", context)
    assert answer.source is Source.AI
    errors = [json.loads(m["content"])["error"] for m in tool_messages(router, -1)]
    assert errors[0] == "the arguments were not a JSON object"
    assert "no tool named 'delete_all_apps'" in errors[1]
    assert errors[2].startswith("not an App Store category; the categories are")


async def test_after_three_rounds_the_model_must_answer_with_what_it_has(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    context = await first_report(service)
    calls_before = len(router.completion_calls())
    router.tool_rounds = [[("find_app", f'{{"app": "App {i}"}}')] for i in range(10)]
    answer = await dialogue(service).ask("look everything up", context)
    asked = router.completion_calls()[calls_before:]
    assert len(asked) == MAX_TOOL_ROUNDS + 1
    assert all("tools" in call.body for call in asked[:-1]) and "tools" not in asked[-1].body
    assert answer.text == DEFAULT_ANSWER.strip()


async def test_a_provider_without_tools_gets_the_question_and_the_known_facts(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    context = await first_report(service)
    router.supports_tools = False
    answer = await dialogue(service).ask("what would you charge?", context)
    assert answer.source is Source.AI and TOOLS_REFUSED in answer.notes
    last = router.completion_calls()[-1].body
    assert "tools" not in last and "Webster Bank" in last["messages"][1]["content"]


async def test_without_the_model_a_follow_up_names_the_commands_that_still_work(
    make_grounded_service: ServiceFactory,
) -> None:
    service = make_grounded_service(api_key=None)
    context = await first_report(service)
    answer = await dialogue(service).ask("what would you charge?", context)
    assert answer.source is Source.FALLBACK
    assert answer.text == (
        "No Hugging Face key is configured, so follow-up questions cannot be answered right "
        f"now. Commands still work: {COMMANDS_THAT_HELP}."
    )


async def test_each_look_up_counts_against_the_users_limit(
    make_grounded_service: ServiceFactory, router: FakeRouter, appstore: FakeAppStore
) -> None:
    appstore.any_app = True
    service = make_grounded_service()
    context = await first_report(service)
    allowed = iter([0, 0, 42])  # the limiter lets two look-ups through, then asks to wait

    async def admit() -> float:
        return next(allowed)

    router.tool_rounds = [[("find_app", f'{{"app": "App {i}"}}') for i in range(3)]]
    await dialogue(service).ask("look three apps up", context, admit=admit)
    results = [json.loads(m["content"]) for m in tool_messages(router, -1)]
    assert "error" not in results[1]
    assert results[2] == {"error": "the user's per-minute limit is reached; try again in 42 s"}


async def test_a_restart_cuts_a_follow_up_off_with_a_labelled_reply(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service(timeout=60.0)
    context = await first_report(service)
    router.latency = 300  # the model hangs
    service.wind_down(0)
    answer = await FollowUps(service.router, service.facts, stopping=service.stopping).ask(
        "what would you charge?", context
    )
    assert answer.source is Source.FALLBACK
    assert answer.text.startswith("Trend Scout is restarting, so follow-up questions")
