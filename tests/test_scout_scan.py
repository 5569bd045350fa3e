"""`/scout find`'s engine end to end: the real iTunes client reads a synthetic market of 600
chart entries from the fake App Store (tests/fake_market.py); what matters is the ranking, the
App Store calls it costs (as the fake recorded them), the progress users see, and that scans
are shared and kept."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.advice import ChartRanks
from bot.appstore import AppStoreSettings, ITunesCatalog, RateLimiter
from bot.cache import RedisBackend
from bot.progress import ProgressFeed, StepStatus
from bot.runtime import AiohttpTransport
from bot.scout import (
    LOOKUP_BATCH,
    MarketScanner,
    MemoryScanCache,
    RedisScanCache,
    ScanCalls,
    ScanSettings,
    category_suggestions,
    decode_scan,
    encode_scan,
    scan_key,
)
from tests.conftest import FAST_APPSTORE
from tests.fake_appstore import FakeAppStore, Reply
from tests.fake_market import FINANCE, FORTRESS, OPPORTUNITY, TODAY, SyntheticMarket, build_market
from tests.helpers import ManualClock, wait_for
from tests.redis_server import RedisServer

HOUR = 3600.0
Scanners = Callable[..., MarketScanner]


@pytest.fixture
def market(appstore: FakeAppStore) -> SyntheticMarket:
    built = build_market()
    built.install(appstore)
    return built


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def scanners(appstore: FakeAppStore, transport: AiohttpTransport, clock: ManualClock) -> Scanners:
    """Scanners on the real iTunes client, Apple's rate limit (20 a minute) on the test's clock."""

    def build(
        limiter: RateLimiter | None = None, cache: Any = None, **settings: Any
    ) -> MarketScanner:
        catalog = ITunesCatalog(
            replace(FAST_APPSTORE, base_url=appstore.base_url),
            transport,
            limiter or RateLimiter(AppStoreSettings().calls_per_minute, clock=clock),
        )
        return MarketScanner(
            catalog,
            cache if cache is not None else MemoryScanCache(clock=clock),
            ScanSettings(**settings),
            clock=clock,
            wall_clock=clock,
            today=lambda: TODAY,
        )

    return build


class Recorder:
    """Every state of the feed's steps, as a listener sees them."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, str]] = []

    def progressed(self, feed: ProgressFeed) -> None:
        for step in feed.steps:
            state = (step.id, step.title, step.status.value, step.detail)
            if state not in self.seen:
                self.seen.append(state)


def steps(feed: ProgressFeed) -> list[tuple[str, str, StepStatus, str]]:
    return [(step.id, step.title, step.status, step.detail) for step in feed.steps]


# -- the ranking ---------------------------------------------------------------------------------
async def test_the_planted_opportunity_ranks_first_and_the_fortress_stays_out_of_the_top_5(
    market: SyntheticMarket, scanners: Scanners
) -> None:
    scan = await scanners().scan("Finance", "us")
    assert (scan.category, scan.genre_id, scan.country, scan.price) == (
        "Finance",
        FINANCE,
        "us",
        None,
    )
    assert (scan.chart_entries, scan.candidates) == (600, 412)
    assert len(scan.opportunities) == 410  # 412 less the 2 the look-up no longer knows
    assert scan.notes == () and not scan.cached

    best = scan.opportunities[0]
    assert best.app.track_id == OPPORTUNITY
    assert best.ranks == ChartRanks(free=27, paid=None, grossing=38)
    assert best.why == (
        "1.9★ in this version vs 4.1★ overall; 38 of 50 recent reviews report crashes & bugs; "
        "last updated 3 years ago"
    )
    assert best.reviews is not None and best.reviews.count == 50
    assert best.score.total >= scan.opportunities[1].score.total + 10

    top5 = [found.app.track_id for found in scan.top(5)]
    assert FORTRESS not in top5
    fortress = next(found for found in scan.opportunities if found.app.track_id == FORTRESS)
    assert fortress.ranks == ChartRanks(free=1, grossing=1)
    totals = [found.score.total for found in scan.opportunities]
    assert totals == sorted(totals, reverse=True)
    assert scan.reviewed == 10


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_planted_apps_hold_their_places_in_other_generated_markets(
    appstore: FakeAppStore, scanners: Scanners, seed: int
) -> None:
    build_market(seed).install(appstore)
    scan = await scanners().scan("Finance", "us")
    assert scan.opportunities[0].app.track_id == OPPORTUNITY
    assert FORTRESS not in [found.app.track_id for found in scan.top(5)]


async def test_one_scan_costs_3_charts_a_lookup_per_200_apps_and_10_review_pages(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    scan = await scanners().scan("finance", "us")
    batches = math.ceil(scan.candidates / LOOKUP_BATCH)
    assert appstore.call_counts() == {"search": 0, "chart": 3, "lookup": batches, "reviews": 10}
    assert scan.calls == ScanCalls(charts=3, lookups=batches, reviews=10, skipped=0)
    assert scan.calls.total == len(appstore.requests) == 16  # a fresh budget holds 20

    charts = sorted(call.path for call in appstore.calls("/us/rss/top"))
    assert charts == [
        f"/us/rss/{kind}/limit=200/genre={FINANCE}/json"
        for kind in ("topfreeapplications", "topgrossingapplications", "toppaidapplications")
    ]
    looked_up = [call.query["id"].split(",") for call in appstore.calls("/lookup")]
    assert all(len(ids) <= LOOKUP_BATCH for ids in looked_up)
    assert len({i for ids in looked_up for i in ids}) == sum(map(len, looked_up)) == 412
    reviewed = {call.path.split("/id=")[1].split("/")[0] for call in appstore.calls("/us/rss/cu")}
    assert reviewed == {
        str(found.app.track_id) for found in scan.opportunities if found.reviews is not None
    }


async def test_progress_shows_the_charts_the_lookups_and_the_reviews_as_they_go(
    market: SyntheticMarket, scanners: Scanners
) -> None:
    feed, recorder = ProgressFeed(), Recorder()
    feed.subscribe(recorder)
    await scanners().scan("Finance", "us", feed=feed)
    assert steps(feed) == [
        ("charts", "Reading 3 charts", StepStatus.DONE, "412 apps"),
        ("lookups", "Looking up 412 apps", StepStatus.DONE, "3 calls"),
        ("reviews", "Reading reviews", StepStatus.DONE, "10/10"),
    ]
    reading = [(status, detail) for key, _t, status, detail in recorder.seen if key == "reviews"]
    assert reading == [("running", f"{n}/10") for n in range(11)] + [("done", "10/10")]
    assert ("charts", "Reading 3 charts", "running", "") in recorder.seen


# -- shared and kept -----------------------------------------------------------------------------
async def test_two_users_asking_at_once_share_one_scan_and_later_ones_the_cached_scan(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners, clock: ManualClock
) -> None:
    scanner = scanners()
    first, second = ProgressFeed(), ProgressFeed()
    one, two = await asyncio.gather(
        scanner.scan("Finance", "us", feed=first), scanner.scan("money", "US", feed=second)
    )
    assert one is two
    assert appstore.call_counts()["chart"] == 3 and len(appstore.requests) == 16
    assert steps(first) == steps(second)  # the second asker follows the same scan

    clock.now += 2 * HOUR
    again = await scanner.scan("Finance", "us", feed=ProgressFeed())
    assert again.cached and again.opportunities == one.opportunities
    assert len(appstore.requests) == 16  # not one call more

    clock.now += 5 * HOUR  # past the 6-hour TTL: the market is read again
    fresh = await scanner.scan("Finance", "us")
    assert not fresh.cached and len(appstore.requests) == 32


async def test_a_user_who_joins_a_scan_under_way_sees_its_steps_so_far(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    appstore.enqueue(*[Reply(delay=0.2)] * 3, path="/lookup")  # slow look-ups: time to join
    scanner = scanners()
    first, second = ProgressFeed(), ProgressFeed()
    leader = asyncio.create_task(scanner.scan("Finance", "us", feed=first))
    await wait_for(lambda: len(first.steps) == 2, what="the look-ups to start")
    joiner = asyncio.create_task(scanner.scan("Finance", "us", feed=second))
    await wait_for(lambda: second.steps, what="the joiner to be shown the scan")
    assert steps(second) == [
        ("charts", "Reading 3 charts", StepStatus.DONE, "412 apps"),
        ("lookups", "Looking up 412 apps", StepStatus.RUNNING, ""),
    ]
    assert await leader is await joiner
    assert steps(second) == steps(first) and len(appstore.requests) == 16


async def test_a_scan_is_shared_between_workers_through_redis(
    market: SyntheticMarket,
    appstore: FakeAppStore,
    scanners: Scanners,
    clock: ManualClock,
    redis_server: RedisServer,
) -> None:
    backend = RedisBackend(redis_server.url)
    await backend.client.flushdb()
    try:

        def shared() -> RedisScanCache:
            return RedisScanCache(backend, MemoryScanCache(clock=clock), ttl_seconds=6 * 3600)

        made = await scanners(cache=shared()).scan("Finance", "us", "free")
        served = await scanners(cache=shared()).scan("Finance", "us", "free")
        assert served.cached and replace(served, cached=False) == made
        assert len(appstore.requests) == made.calls.total
        assert await backend.client.ttl(f"trendscout:scan:us:{FINANCE}:free") > 5 * 3600
    finally:
        await backend.aclose()


async def test_a_scan_survives_its_json_codec(market: SyntheticMarket, scanners: Scanners) -> None:
    scan = await scanners().scan("Finance", "us")
    assert decode_scan(encode_scan(scan)) == scan


# -- Apple's budget ------------------------------------------------------------------------------
async def test_a_short_budget_reads_fewer_reviews_says_so_and_never_asks_apple_in_vain(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners, clock: ManualClock
) -> None:
    limiter = RateLimiter(20, clock=clock)
    for _ in range(12):  # other commands spent 12 of the 20 calls a minute just now
        assert limiter.try_acquire(0) == 0
    cache = MemoryScanCache(clock=clock)
    # The clock stands still: the next call after the 8 left would wait 3 s, past the deadline.
    feed = ProgressFeed()
    scan = await scanners(limiter=limiter, cache=cache, deadline=2.0).scan(
        "Finance", "us", feed=feed
    )
    assert appstore.call_counts() == {"search": 0, "chart": 3, "lookup": 3, "reviews": 2}
    assert scan.calls == ScanCalls(charts=3, lookups=3, reviews=2, skipped=8)
    assert scan.notes == (
        "Reviews read for 2 of the 10 shortlisted apps: Apple's rate budget ran short (or the "
        "App Store stopped answering); the others are ranked on their App Store facts alone.",
    )
    assert steps(feed)[-1] == (
        "reviews",
        "Reading reviews",
        StepStatus.DONE,
        "2/10 (App Store budget short)",
    )
    assert len(scan.opportunities) == 410 and scan.reviewed == 2
    assert await cache.get(scan_key(FINANCE, "us", None)) is None  # asked again next time


async def test_apple_refusing_stops_the_reading_at_once(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    throttled = f"/us/rss/customerreviews/page=1/id={OPPORTUNITY}/sortby=mostrecent/"
    for form in ("json", "xml"):  # Apple's throttling: a bare 403
        appstore.always(Reply(403, b""), count=2, path=throttled + form)
    scan = await scanners().scan("Finance", "us")
    refused = [call for call in appstore.requests if call.path.startswith(throttled)]
    # The JSON feed, its one retry, the XML feed and its retry; then nothing more.
    assert len(refused) == 4
    assert appstore.call_counts()["reviews"] == scan.calls.reviews + 4
    assert scan.calls.reviews + scan.calls.skipped == 10
    assert "Reviews read for" in scan.notes[0]


# -- what the user asked for ---------------------------------------------------------------------
@pytest.mark.parametrize(("price", "charts"), [("free", 2), ("paid", 2)])
async def test_a_price_filter_reads_only_the_charts_that_can_hold_it(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners, price: str, charts: int
) -> None:
    feed = ProgressFeed()
    scan = await scanners().scan("Finance", "us", price, feed=feed)
    assert scan.price == price and appstore.call_counts()["chart"] == charts
    assert steps(feed)[0][1] == "Reading 2 charts"
    assert scan.opportunities
    paid = [(found.app.price or 0) > 0 for found in scan.opportunities]
    assert all(paid) if price == "paid" else not any(paid)
    if price == "free":
        assert scan.opportunities[0].app.track_id == OPPORTUNITY


async def test_an_unknown_category_gets_suggestions_before_any_call(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    scan = await scanners().scan("Finanse", "us")
    assert scan.suggestions == ("Finance",)
    assert scan.notes == ("“Finanse” is not an App Store category. Did you mean Finance?",)
    assert scan.opportunities == () and scan.calls.total == 0
    nothing = await scanners().scan("qwxz", "us")
    assert nothing.suggestions == () and "Categories: Books, Business" in nothing.notes[0]
    unknown_store = await scanners().scan("Finance", "xx")
    assert unknown_store.notes == ("“xx” is not an App Store country code.",)
    assert appstore.requests == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("finance", ("Finance",)),
        ("finanse", ("Finance",)),
        ("helth", ("Health & Fitness",)),
        ("prod", ("Productivity",)),
        ("money apps", ("Finance",)),
        ("wether", ("Weather",)),
        ("qwxz", ()),
        ("", ()),
    ],
)
def test_category_suggestions(typed: str, meant: tuple[str, ...]) -> None:
    assert category_suggestions(typed) == meant


async def test_a_store_without_the_category_in_its_charts_says_so(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    feed = ProgressFeed()
    scan = await scanners().scan("Weather", "gb", feed=feed)
    assert scan.opportunities == () and scan.candidates == 0
    assert scan.notes == ("The GB App Store shows no Weather apps in its charts right now.",)
    assert scan.calls == ScanCalls(charts=3)
    assert appstore.call_counts()["lookup"] == 0
    assert steps(feed) == [("charts", "Reading 3 charts", StepStatus.DONE, "0 apps")]


async def test_an_empty_chart_or_one_apple_does_not_serve_is_noted(
    market: SyntheticMarket, appstore: FakeAppStore, scanners: Scanners
) -> None:
    appstore.set_chart("toppaidapplications", FINANCE, [])
    grossing = f"/us/rss/topgrossingapplications/limit=200/genre={FINANCE}/json"
    appstore.always(Reply(503, b""), count=2, path=grossing)
    scan = await scanners().scan("Finance", "us")
    assert scan.notes == (
        "The top paid chart is empty.",
        "The top grossing chart could not be read.",
    )
    assert scan.chart_entries == 200 and scan.calls.skipped == 1
    monetisation = scan.opportunities[0].score.part("monetisation")
    assert monetisation.estimated and "not read" in monetisation.reason
