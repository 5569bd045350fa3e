"""Benchmark: `/scout find` market scans. Prints figures; asserts nothing.

Run: `.venv/bin/python bench/scout_bench.py [--apps 1000] [--quick]`

1. One scan of the synthetic Finance market (tests/fake_market.py: 600 chart entries, 412
   distinct apps) against the fake App Store on loopback: the App Store calls it makes, by kind
   (as the fake recorded them), and its wall time — with Apple's rate limit as configured
   (20 calls a minute, a fresh budget) and with the limit lifted.
2. The same scan again right after the first, with the budget the first one left (no cache):
   how long the rate limit makes it queue, and what it answers within its 45 s deadline.
   Takes up to a minute of real time; `--quick` leaves it out.
3. CPU time (time.process_time) to give N apps (1,000 by default) their opportunity score,
   without reviews and with review evidence, and to summarise a shortlist's reviews.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advice import opportunity_score, summarise  # noqa: E402
from bot.appstore import (  # noqa: E402
    AppInfo,
    AppStoreSettings,
    ITunesCatalog,
    RateLimiter,
    parse_json_feed,
)
from bot.appstore.records import parse_app  # noqa: E402  (a bench may reach inside; bot/ may not)
from bot.runtime import AiohttpTransport  # noqa: E402
from bot.scout import MarketScan, MarketScanner  # noqa: E402
from tests.fake_appstore import FakeAppStore, review_entry  # noqa: E402
from tests.fake_market import OPPORTUNITY, TODAY, SyntheticMarket, build_market  # noqa: E402

UNLIMITED = 1_000_000.0  # calls a minute: the limit lifted


def calls_line(store: FakeAppStore, before: dict[str, int]) -> str:
    now = store.call_counts()
    made = {kind: now[kind] - before[kind] for kind in now}
    total = sum(made.values())
    return (
        f"{total} calls (charts {made['chart']}, look-ups {made['lookup']}, "
        f"reviews {made['reviews']})"
    )


async def timed_scan(
    store: FakeAppStore, transport: AiohttpTransport, limiter: RateLimiter
) -> tuple[MarketScan, float, str]:
    catalog = ITunesCatalog(AppStoreSettings(base_url=store.base_url), transport, limiter)
    scanner = MarketScanner(catalog, today=lambda: TODAY)
    before = store.call_counts()
    started = time.perf_counter()
    scan = await scanner.scan("Finance", "us")
    return scan, time.perf_counter() - started, calls_line(store, before)


def describe(scan: MarketScan) -> str:
    best = scan.opportunities[0]
    planted = "the planted opportunity" if best.app.track_id == OPPORTUNITY else best.app.name
    return (
        f"{scan.chart_entries} chart entries, {scan.candidates} apps, {scan.reviewed} reviewed; "
        f"first: {planted} ({best.score.total}/100)"
    )


async def scans(market: SyntheticMarket, quick: bool) -> None:
    with FakeAppStore() as store:
        market.install(store)
        transport = AiohttpTransport()
        try:
            apple = RateLimiter(AppStoreSettings().calls_per_minute)
            scan, wall, calls = await timed_scan(store, transport, apple)
            print("1. one scan of 600 chart entries")
            print(f"   Apple's limit (20/min, fresh budget): {calls}, {wall * 1000:,.0f} ms")
            print(f"   {describe(scan)}")
            _, wall, calls = await timed_scan(store, transport, RateLimiter(UNLIMITED))
            print(f"   limit lifted:                         {calls}, {wall * 1000:,.0f} ms")
            if quick:
                return
            again, wall, calls = await timed_scan(store, transport, apple)
            print("2. the same scan right after, on the budget the first one left (no cache)")
            print(f"   {calls}, {wall:,.1f} s; {describe(again)}")
            for note in again.notes:
                print(f"   note: {note}")
        finally:
            await transport.aclose()


def scoring(market: SyntheticMarket, count: int) -> None:
    rng = random.Random(7)
    known = [app for app in (_app(record) for record in market.records.values()) if app]
    apps = [
        replace(
            rng.choice(known), track_id=n, last_update=TODAY - timedelta(days=rng.randint(0, 2000))
        )
        for n in range(count)
    ]
    ranks = [rng.choice((None, rng.randint(1, 200))) for _ in apps]
    pages = [parse_json_feed(_feed(reviews)) for reviews in list(market.reviews.values())[:10]]
    started = time.process_time()
    evidence = [summarise(page, overall=4.0) for page in pages]
    summaries = time.process_time() - started

    def timed(with_reviews: bool) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for n, (app, rank) in enumerate(zip(apps, ranks, strict=True)):
                found = evidence[n % len(evidence)] if with_reviews else None
                opportunity_score(app, TODAY, grossing_rank=rank, reviews=found)
            best = min(best, time.process_time() - started)
        return best

    plain, reviewed = timed(False), timed(True)
    print(f"3. CPU time to score {count:,} apps (best of 5)")
    print(f"   without reviews: {plain * 1000:.1f} ms ({plain / count * 1e6:.1f} µs an app)")
    print(f"   with reviews:    {reviewed * 1000:.1f} ms ({reviewed / count * 1e6:.1f} µs an app)")
    print(f"   summarising a shortlist's reviews (10 × 50): {summaries * 1000:.1f} ms")


def _app(record: dict[str, object]) -> AppInfo | None:
    return parse_app(record)


def _feed(reviews: tuple[tuple[object, ...], ...]) -> bytes:
    return json.dumps({"feed": {"entry": [review_entry(*r) for r in reviews]}}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=1000, help="apps to score for the CPU figure")
    parser.add_argument("--quick", action="store_true", help="leave out the back-to-back scan")
    args = parser.parse_args()
    market = build_market()
    asyncio.run(scans(market, args.quick))
    scoring(market, args.apps)


if __name__ == "__main__":
    main()
