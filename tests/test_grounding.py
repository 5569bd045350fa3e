"""The service grounded in App Store facts (fake iTunes API) and the model (fake router)."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.commands.grammar import parse
from bot.report.report import FallbackReason, ReportKind, Source
from tests.conftest import ServiceFactory
from tests.fake_appstore import FakeAppStore, Reply
from tests.fake_router import FakeRouter, RecordedRequest


def prompt_data(call: RecordedRequest) -> Any:
    return json.loads(call.body["messages"][1]["content"].split("DATA:\n", 1)[1])


async def test_unknown_app_says_so_with_suggestions_and_spends_no_model_call(
    router: FakeRouter, make_grounded_service: ServiceFactory
) -> None:
    service = make_grounded_service()
    report = await service.handle(parse("Slack desktop"))
    assert report.kind is ReportKind.ERROR
    assert report.text == (
        "No App Store app matched “Slack desktop” in the US store. Did you mean: “Slack”?"
    )
    unknown = await service.handle(parse("build zzqx nothing --country=gb"))
    assert unknown.text == "No App Store app matched “zzqx nothing” in the GB store."
    missing_id = await service.handle(parse("id:999"))
    assert "No App Store app matched id 999" in missing_id.text
    assert router.completion_calls() == []


async def test_unknown_category_lists_the_categories_without_any_call(
    router: FakeRouter, appstore: FakeAppStore, make_grounded_service: ServiceFactory
) -> None:
    report = await make_grounded_service().handle(parse("gaps nonsense"))
    assert report.kind is ReportKind.ERROR
    assert "Utilities" in report.text and "Health & Fitness" in report.text
    assert router.completion_calls() == [] and appstore.requests == []


async def test_gaps_prompt_carries_the_top_apps_with_ratings(
    router: FakeRouter, make_grounded_service: ServiceFactory
) -> None:
    report = await make_grounded_service().handle(parse("gaps UTILITIES"))
    assert report.kind is ReportKind.GAPS
    assert report.subject == "Utilities"
    assert [a.name for a in report.top_apps] == [
        "WhatsApp Messenger",
        "新三國志手機版-光榮正版授權",
    ]
    [call] = router.completion_calls()
    data = prompt_data(call)
    assert data["category"] == "Utilities"
    assert data["top_apps"][0]["name"] == "WhatsApp Messenger"
    assert (data["top_apps"][0]["rating"], data["top_apps"][0]["rating_count"]) == (4.0, 98311)
    assert "rating" not in data["top_apps"][1]  # unknown, so not invented


async def test_aliases_share_one_cached_gaps_answer(
    router: FakeRouter, make_grounded_service: ServiceFactory
) -> None:
    service = make_grounded_service()
    await service.handle(parse("gaps Health & Fitness"))
    second = await service.handle(parse("gaps health"))
    assert second.source is Source.CACHE
    assert len(router.completion_calls()) == 1


async def test_fallback_with_facts_quotes_only_the_facts(
    router: FakeRouter, make_grounded_service: ServiceFactory
) -> None:
    report = await make_grounded_service(api_key=None).handle(parse("Facebook"))
    assert report.source is Source.FALLBACK
    assert report.fallback_reason is FallbackReason.NO_KEY
    assert report.app is not None and report.clone_score is not None
    assert "3.5★ from 2,840,784 ratings" in report.text
    assert "current version rates 1.5★ against 3.5★ overall" in report.text
    assert "Category guessed" not in report.text  # the App Store said which


async def test_gaps_fallback_carries_the_top_apps_and_invents_no_numbers(
    router: FakeRouter, make_grounded_service: ServiceFactory
) -> None:
    report = await make_grounded_service(api_key=None).handle(parse("gaps utilities"))
    assert report.source is Source.FALLBACK
    assert [(a.name, a.rating_summary) for a in report.top_apps] == [
        ("WhatsApp Messenger", "4.0★ from 98,311 ratings"),
        ("新三國志手機版-光榮正版授權", "rating unknown"),
    ]
    assert "**Market gaps in Utilities**" in report.text
    assert re.findall(r"\d", report.text) == []  # no leader under 4★: no number to quote


async def test_a_throttling_app_store_leaves_a_note_and_the_answer_goes_on(
    router: FakeRouter, appstore: FakeAppStore, make_grounded_service: ServiceFactory
) -> None:
    appstore.always(Reply(403, b"", content_type="text/html"))
    report = await make_grounded_service().handle(parse("Calculator Pro"))
    assert report.source is Source.AI
    assert "App Store data unavailable" in report.notes
    assert report.app is None
    [call] = router.completion_calls()
    assert prompt_data(call)["app"] == "no App Store facts available"
    assert len(appstore.requests) == 2


async def test_an_answer_made_without_facts_is_not_cached(
    router: FakeRouter, appstore: FakeAppStore, make_grounded_service: ServiceFactory
) -> None:
    service = make_grounded_service()
    appstore.enqueue(Reply(403, b""), Reply(403, b""))
    blind = await service.handle(parse("Facebook"))
    assert blind.source is Source.AI and blind.app is None
    grounded = await service.handle(parse("Facebook"))  # the App Store is back
    assert grounded.source is Source.AI
    assert grounded.app is not None and grounded.app.name == "Facebook"
    assert (await service.handle(parse("Facebook"))).source is Source.CACHE
    assert len(router.completion_calls()) == 2
