"""Benchmark: trend watch checks. Prints figures; asserts nothing.

Run: `.venv/bin/python bench/watch_bench.py [--apps 1000] [--categories 10] [--database URL]`

1. Capacity within Apple's limit: App Store calls one check makes for N watched apps and M
   categories (one look-up per 100 apps per country, one reviews page per app, two charts per
   category), and how many watched apps one check can serve per hour at 20 calls a minute — at
   the check's share (half; users' commands keep the rest) and at the whole rate.
2. The pacing, measured: a check of 40 apps at 600 calls a minute (its share: 5 a second) takes
   about calls / 5 seconds — the same code that takes calls / (10 a minute) at Apple's rate.
3. The database side of a check of N apps (every alert kind firing for 10 % of them): the
   check's wall time with the App Store answering at once, its alerts, and a quiet re-check.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.appstore import AppStoreSettings, ITunesCatalog  # noqa: E402
from bot.database import Database  # noqa: E402
from bot.runtime import AiohttpTransport  # noqa: E402
from bot.watch import (  # noqa: E402
    Watch,
    WatchChannel,
    WatchCheck,
    WatchKind,
    WatchStore,
    calls_per_check,
)
from bot.watch.check import CHARTS, CHECK_SHARE, LOOKUP_BATCH  # noqa: E402
from tests.fake_appstore import FakeAppStore  # noqa: E402

FIRST_ID = 1_500_000_000


def capacity(apps: int, categories: int) -> None:
    calls = math.ceil(apps / LOOKUP_BATCH) + apps + len(CHARTS) * categories
    print(f"1. one check of {apps} apps and {categories} categories (one store): {calls} calls")
    for label, per_minute in (("the check's share", 20 * CHECK_SHARE), ("the whole rate", 20)):
        per_hour = per_minute * 60
        served = (per_hour - len(CHARTS) * categories) / (1 + 1 / LOOKUP_BATCH)
        print(
            f"   at {label} ({per_minute:g} calls/min): {calls / per_minute:,.0f} min a check; "
            f"{served:,.0f} watched apps an hour"
        )
    budget = calls_per_check(6 * 3600, 20)
    print(
        f"   default interval (6 h): {budget:,} calls a check — reviews of up to "
        f"{budget - len(CHARTS) * categories - math.ceil(apps / LOOKUP_BATCH):,} apps each time "
        "(the ones read longest ago first); look-ups cover every app"
    )


async def set_up(
    appstore: FakeAppStore, database: Database, apps: int, categories: int
) -> WatchStore:
    store = WatchStore(database)
    for n in range(apps):
        track_id = FIRST_ID + n
        appstore.set_app(
            track_id, kind="software", trackName=f"Watched {n}", averageUserRating=4.5,
            userRatingCount=1000, averageUserRatingForCurrentVersion=4.5,
            userRatingCountForCurrentVersion=100, version="1.0",
            price=0.0, formattedPrice="Free",
        )  # fmt: skip
        appstore.set_reviews(
            track_id, [(f"{n}-{r}", 5, "2026-11-20T10:00:00-07:00") for r in range(50)]
        )
        # Within the caps: 20 watches a channel, 100 a workspace.
        channel = WatchChannel("slack", f"T{n // 100}", f"C{n // 20}")
        await store.add(Watch(channel, WatchKind.APP, track_id, "us", f"Watched {n}"), "U1", 0)
    for genre in range(6000, 6000 + categories):
        appstore.set_chart(CHARTS[0], genre, [(FIRST_ID + r, f"Watched {r}") for r in range(25)])
        channel = WatchChannel("slack", "TC", f"C{genre // 20}")
        await store.add(Watch(channel, WatchKind.CATEGORY, genre, "us", f"Genre {genre}"), "U1", 0)
    return store


async def pacing(appstore: FakeAppStore, transport: AiohttpTransport, tmp: Path) -> None:
    database = Database.open(None, tmp / "pacing")
    await database.migrate()
    store = await set_up(appstore, database, 40, 0)
    settings = AppStoreSettings(base_url=appstore.base_url, calls_per_minute=600)
    check = WatchCheck(store, ITunesCatalog(settings, transport), 600, budget=10_000)
    started = time.perf_counter()
    result = await check.run()
    took = time.perf_counter() - started
    expected = (result.calls - 1) / (600 * CHECK_SHARE / 60)
    print(
        f"2. pacing: 40 apps, {result.calls} calls at 600/min (share {600 * CHECK_SHARE:g}/min): "
        f"{took:.1f} s (expected ≈ {expected:.1f} s)"
    )
    await database.aclose()


async def database_side(
    appstore: FakeAppStore, transport: AiohttpTransport, url: str | None, tmp: Path, apps: int,
    categories: int,
) -> None:  # fmt: skip
    database = Database.open(url, tmp / "check")
    await database.migrate()
    store = await set_up(appstore, database, apps, categories)
    settings = AppStoreSettings(base_url=appstore.base_url, calls_per_minute=10**6)
    catalog = ITunesCatalog(settings, transport)
    now = [1_800_000_000.0]

    def clock() -> float:
        return now[0]

    def check() -> WatchCheck:
        return WatchCheck(store, catalog, 10**6, budget=10**6, clock=clock)

    first = time.perf_counter()
    await check().run()
    baseline = time.perf_counter() - first
    for n in range(0, apps, 10):  # 10 %: every app alert kind at once
        appstore.set_app(
            FIRST_ID + n, averageUserRating=4.2, averageUserRatingForCurrentVersion=3.9,
            version="2.0", releaseNotes="New", price=1.99, formattedPrice="$1.99",
        )  # fmt: skip
        bad = [(f"{n}-bad{r}", 1, "2026-11-30T10:00:00-07:00") for r in range(6)]
        good = [(f"{n}-{r}", 5, "2026-11-20T10:00:00-07:00") for r in range(44)]
        appstore.set_reviews(FIRST_ID + n, bad + good)
    now[0] += 6 * 3600
    started = time.perf_counter()
    moved = await check().run()
    took = time.perf_counter() - started
    now[0] += 6 * 3600
    started = time.perf_counter()
    quiet = await check().run()
    again = time.perf_counter() - started
    pending = await store.pending_alerts(["slack"])
    print(
        f"3. {database.description.split(' ')[0]}, {apps} apps + {categories} categories, App "
        f"Store answering at once: first check {baseline:.2f} s; check with {moved.alerts} "
        f"alerts for {len(pending)} channels {took:.2f} s; quiet re-check {again:.2f} s "
        f"({quiet.alerts} alerts); {moved.calls} calls a check"
    )
    await database.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    capacity(args.apps, args.categories)
    with FakeAppStore() as appstore, tempfile.TemporaryDirectory() as tmp:
        transport = AiohttpTransport()
        try:
            await pacing(appstore, transport, Path(tmp))
            await database_side(
                appstore, transport, args.database, Path(tmp), args.apps, args.categories
            )
        finally:
            await transport.aclose()


if __name__ == "__main__":
    asyncio.run(main())
