"""ITunesCatalog against the loopback fake of Apple's APIs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.appstore import AppInfo, LookupStatus
from bot.appstore.categories import GENRE_IDS
from bot.appstore.itunes import ITunesCatalog, best_match
from bot.appstore.rate_limit import RateLimiter
from bot.runtime.transport import AiohttpTransport
from tests.conftest import FAST_APPSTORE
from tests.fake_appstore import FakeAppStore, Reply
from tests.helpers import ManualClock

CatalogFactory = Callable[..., ITunesCatalog]


@pytest.fixture
async def make_catalog(appstore: FakeAppStore) -> AsyncIterator[CatalogFactory]:
    transport = AiohttpTransport()

    def build(
        limiter: RateLimiter | None = None, clock: Any = None, **changes: Any
    ) -> ITunesCatalog:
        settings = replace(FAST_APPSTORE, base_url=appstore.base_url, **changes)
        extra = {"clock": clock} if clock is not None else {}
        return ITunesCatalog(settings, transport, limiter, **extra)

    yield build
    await transport.aclose()


async def test_search_picks_the_exact_ios_app(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    lookup = await make_catalog().find_app("Facebook", None, "gb")
    assert lookup.status is LookupStatus.FOUND
    assert lookup.app is not None and lookup.app.track_id == 284882215
    [call] = appstore.requests
    assert call.path == "/search"
    assert call.query == {"term": "Facebook", "entity": "software", "country": "gb", "limit": "25"}


async def test_lookup_by_id_accepts_the_app_the_user_pointed_at(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    lookup = await make_catalog().find_app("id:803453959", 803453959, "us")
    assert lookup.status is LookupStatus.FOUND
    assert lookup.app is not None and lookup.app.platform == "mac"
    assert appstore.requests[0].query == {"id": "803453959", "country": "us"}


async def test_no_ios_match_suggests_the_nearest_names(make_catalog: CatalogFactory) -> None:
    lookup = await make_catalog().find_app("Slack desktop", None, "us")
    assert lookup.status is LookupStatus.NOT_FOUND
    assert lookup.suggestions == ("Slack",)
    unknown = await make_catalog().find_app("zzqx nothing", None, "us")
    assert unknown.status is LookupStatus.NOT_FOUND
    assert unknown.suggestions == ()


def test_best_match_order() -> None:
    def app(track_id: int, name: str, count: int, platform: str = "ios") -> AppInfo:
        return AppInfo(track_id=track_id, name=name, rating_count=count, platform=platform)

    apps = [
        app(1, "Calculator Pro Plus", 9000),
        app(2, "calculator  pro", 10),
        app(3, "Pro Calculator Pro Max", 50_000),
        app(4, "Calculator Pro", 99_999, platform="mac"),
    ]
    assert best_match("Calculator Pro", apps).track_id == 2  # type: ignore[union-attr]
    assert best_match("Calculator", apps).track_id == 3  # type: ignore[union-attr]
    assert best_match("Totally else", apps).track_id == 3  # type: ignore[union-attr]
    assert best_match("Calculator Pro", apps[3:]) is None


async def test_top_apps_merge_both_charts_and_enrich_in_one_lookup(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    chart = await make_catalog().top_apps(GENRE_IDS["Utilities"], "hk")
    assert chart.status is LookupStatus.FOUND
    assert [(a.track_id, a.rating, a.rating_count) for a in chart.apps] == [
        (310633997, 4.0, 98_311),
        (1289157855, None, None),  # in the chart, unknown to the lookup
    ]
    lookups = appstore.calls("/lookup")
    assert [r.query["id"] for r in lookups] == ["310633997,1289157855"]
    assert len(appstore.calls("/hk/rss/")) == 2


async def test_an_empty_chart_is_found_and_empty(make_catalog: CatalogFactory) -> None:
    chart = await make_catalog().top_apps(GENRE_IDS["Weather"], "us")
    assert (chart.status, chart.apps) == (LookupStatus.FOUND, ())


@pytest.mark.parametrize(
    "fault",
    [
        Reply(403, b"", content_type="text/html"),  # Apple's throttling
        Reply(429, b""),
        Reply(503, b"Service Unavailable", content_type="text/plain"),
        Reply(hang=True),
        Reply(reset=True),
    ],
    ids=["403-empty", "429", "503", "hang", "reset"],
)
async def test_transient_faults_are_retried_once(
    appstore: FakeAppStore, make_catalog: CatalogFactory, fault: Reply
) -> None:
    appstore.enqueue(fault)
    assert (await make_catalog().find_app("Facebook", None, "us")).status is LookupStatus.FOUND
    assert len(appstore.requests) == 2

    # Persistently: one try and our one retry (aiohttp may also re-send a GET once when a
    # pooled keep-alive connection turns out to be dead; that is its own, not a policy retry).
    appstore.always(fault, count=4)
    catalog = make_catalog()
    assert (await catalog.find_app("Facebook", None, "us")).status is LookupStatus.UNAVAILABLE
    assert catalog.upstream_calls == 2


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b'{"errorMessage": "Invalid value(s) for key(s): [term]"}', b"[1,2]"],
)
async def test_malformed_bodies_mean_unavailable(
    appstore: FakeAppStore, make_catalog: CatalogFactory, body: bytes
) -> None:
    appstore.enqueue(Reply.raw(200, body, content_type="text/javascript"))
    lookup = await make_catalog().find_app("Facebook", None, "us")
    assert lookup.status is LookupStatus.UNAVAILABLE
    assert len(appstore.requests) == 1


async def test_bad_parameters_are_not_retried(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    lookup = await make_catalog().find_app("Facebook", None, "usa")
    assert lookup.status is LookupStatus.UNAVAILABLE
    assert len(appstore.requests) == 1


async def test_found_is_cached_an_hour_not_found_ten_minutes_errors_never(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    clock = ManualClock()
    catalog = make_catalog(clock=clock)

    for _ in range(3):
        await catalog.find_app("facebook!", None, "us")
        await catalog.find_app("zzqx nothing", None, "us")
    assert catalog.upstream_calls == 2

    clock.now += 601  # "not found" expired, "found" still fresh
    await catalog.find_app("Facebook", None, "us")
    await catalog.find_app("zzqx nothing", None, "us")
    assert catalog.upstream_calls == 3

    clock.now += 3000  # 3,601 s in: "found" expired too
    await catalog.find_app("Facebook", None, "us")
    assert catalog.upstream_calls == 4

    appstore.enqueue(Reply(403, b""), Reply(403, b""))
    assert (await catalog.find_app("whatsapp", None, "us")).status is LookupStatus.UNAVAILABLE
    assert (await catalog.find_app("whatsapp", None, "us")).status is LookupStatus.FOUND
    assert catalog.upstream_calls == 7  # the failure was not cached


async def test_identical_concurrent_lookups_share_one_request(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    appstore.enqueue(Reply(delay=0.2))  # the first request is slow; the others must wait on it
    catalog = make_catalog()
    found = await asyncio.gather(*(catalog.find_app("Facebook", None, "us") for _ in range(10)))
    assert {f.app.track_id for f in found if f.app} == {284882215}
    assert len(appstore.requests) == 1


async def test_the_rate_limit_queues_briefly_then_goes_on_without_facts(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    catalog = make_catalog(limiter=RateLimiter(per_minute=3))
    names = ["facebook", "whatsapp", "things", "slack"]
    lookups = [await catalog.find_app(name, None, "us") for name in names]
    assert [lookup.status for lookup in lookups] == [LookupStatus.FOUND] * 3 + [
        LookupStatus.UNAVAILABLE
    ]
    assert len(appstore.requests) == 3  # the fourth never reached Apple


def review_paths(appstore: FakeAppStore) -> list[str]:
    return [
        r.path.split("customerreviews/")[1] for r in appstore.calls() if "customerreviews" in r.path
    ]


async def test_reviews_are_read_page_by_page_and_the_helpful_ones_added_once(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    found = await make_catalog().reviews(1321994487, "us", 2)
    assert found.status is LookupStatus.FOUND and len(found.reviews) == 50  # helpful = recent
    assert not any(review.helpful_feed for review in found.reviews)
    assert review_paths(appstore) == [
        "page=1/id=1321994487/sortby=mostrecent/json",
        "page=2/id=1321994487/sortby=mostrecent/json",  # a full page: there may be more
        "page=1/id=1321994487/sortby=mosthelpful/json",
    ]


async def test_an_empty_json_feed_falls_back_to_the_xml_one(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    found = await make_catalog().reviews(1404176564, "jp", 1)
    assert found.status is LookupStatus.FOUND and len(found.reviews) == 50
    assert found.reviews[0].title == "髪型追加してもらいたい"
    assert review_paths(appstore) == [
        "page=1/id=1404176564/sortby=mostrecent/json",  # empty, as Apple has served it
        "page=1/id=1404176564/sortby=mostrecent/xml",
        "page=1/id=1404176564/sortby=mosthelpful/xml",  # the form that worked
    ]


async def test_a_broken_json_feed_falls_back_too_and_no_reviews_is_not_an_error(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    appstore.enqueue(
        Reply.raw(200, b'{"feed": {"entry": '),
        path="/us/rss/customerreviews/page=1/id=284882215/sortby=mostrecent/json",
    )
    found = await make_catalog().reviews(284882215, "us", 2)
    assert (found.status, found.reviews) == (LookupStatus.FOUND, ())
    assert len(review_paths(appstore)) == 2  # json, then xml; nothing more to read


async def test_throttled_reviews_are_unavailable_after_one_retry(
    appstore: FakeAppStore, make_catalog: CatalogFactory
) -> None:
    appstore.always(Reply(403, b"", content_type="text/html"), count=10)
    found = await make_catalog().reviews(1321994487, "us", 2)
    assert found.status is LookupStatus.UNAVAILABLE
    assert len(review_paths(appstore)) == 4  # json and xml, each tried twice
