"""Trend watch checks end to end on a real database (SQLite and PostgreSQL): the real iTunes
client reads the fake App Store, which the tests change between checks; what matters is what each
channel is posted — one message per check with every alert and its numbers, each change once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.commands.grammar import Command, parse
from bot.database import Database
from bot.runtime import Caller
from bot.watch import (
    MAX_WATCHES_PER_CHANNEL,
    MAX_WATCHES_PER_WORKSPACE,
    Watch,
    WatchChannel,
    WatchKind,
    WatchStore,
)
from tests.fake_appstore import FakeAppStore, Reply
from tests.helpers import wait_for
from tests.watch_harness import HOUR, WatchWorld

FACEBOOK = 284882215
WEBSTER = 1321994487
UTILITIES = 6002
CHANNEL = WatchChannel("slack", "T1", "C1")
OTHER = WatchChannel("slack", "T1", "C2")
ALICE = Caller("slack", "U1", workspace="T1")


async def command(world: WatchWorld, text: str, channel: WatchChannel = CHANNEL) -> str:
    parsed = parse(text)
    assert isinstance(parsed, Command)
    report = await world.watchlist().handle(parsed, ALICE, channel)
    return report.text


def chart(size: int, first: int = 900_000_000) -> list[tuple[int, str]]:
    return [(first + n, f"App {n}") for n in range(1, size + 1)]


async def test_each_change_of_a_watched_app_is_alerted_once_in_one_message(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    confirmation = await command(world, "watch Facebook")
    assert "Now watching **Facebook (US)**" in confirmation
    assert "every 6 hours" in confirmation and "Mondays at 09:00 UTC" in confirmation
    worker = world.worker()

    await worker.tick()  # the first check: nothing moved since the watch
    assert world.channels.posted == {}

    appstore.set_app(
        FACEBOOK,
        averageUserRating=3.3,
        averageUserRatingForCurrentVersion=1.1,
        version="16.0",
        releaseNotes="Reels <!channel> everywhere. " + "More. " * 80,
        price=2.99,
        formattedPrice="$2.99",
    )
    world.clock.now += 6 * HOUR
    await worker.tick()
    (message,) = world.channels.texts(CHANNEL)
    assert message.startswith("**Trend watch: 4 changes**")
    assert "**Facebook** (US)" in message
    assert "• rating down 0.20: 3.50★ → 3.30★" in message
    assert "• current-version rating down 0.40: 1.50★ → 1.10★" in message
    assert "• new version 16.0 (was 15.0) — “Reels <!channel> everywhere." in message
    assert len(message.split("“")[1].split("”")[0]) <= 200  # release notes shortened
    assert "• price Free → $2.99" in message
    (report,) = world.channels.posted[CHANNEL]
    assert [(b.label, b.command) for b in report.follow_ups] == [
        ("Analysis: Facebook", f"id:{FACEBOOK} --country=us"),
        ("Build guide: Facebook", f"build id:{FACEBOOK} --country=us"),
    ]

    world.clock.now += 6 * HOUR
    await worker.tick()  # nothing new: the snapshot was written with the alerts
    appstore.set_app(FACEBOOK, averageUserRating=3.25)  # less than 0.1 lower
    world.clock.now += 6 * HOUR
    await worker.tick()
    assert len(world.channels.texts(CHANNEL)) == 1


async def test_a_surge_of_bad_reviews_is_alerted_against_the_usual_rate(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    # Ten days of reviews, two of them 1–2★: usually 0.2 a day.
    usual = [
        (f"r{n}", 2 if n in (3, 7) else 5, f"2026-11-{20 + n % 10:02d}T10:00:00-07:00")
        for n in range(10)
    ]
    appstore.set_reviews(WEBSTER, usual)
    await command(world, "watch Webster Bank")
    worker = world.worker()
    await worker.tick()  # learns the usual rate

    fewer = [("n1", 1, "2026-11-30T09:00:00-07:00"), ("n2", 2, "2026-11-30T09:30:00-07:00")]
    appstore.set_reviews(WEBSTER, fewer + usual)
    world.clock.now += 6 * HOUR
    await worker.tick()
    assert world.channels.posted == {}  # two new bad reviews are no surge

    surge = [(f"s{n}", 1, "2026-11-30T12:00:00-07:00") for n in range(5)]
    appstore.set_reviews(WEBSTER, surge + fewer + usual)
    world.clock.now += 6 * HOUR
    await worker.tick()
    (message,) = world.channels.texts(CHANNEL)
    assert "• 5 new 1–2★ reviews since the last check (usually about" in message

    world.clock.now += 6 * HOUR
    await worker.tick()
    assert len(world.channels.texts(CHANNEL)) == 1  # the same reviews are not a second surge


async def test_chart_moves_of_a_watched_category(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    before = chart(25)
    appstore.set_chart("topfreeapplications", UTILITIES, before)
    confirmation = await command(world, "watch gaps Utilities")
    assert "Now watching **Utilities charts (US)**" in confirmation
    worker = world.worker()
    await worker.tick()
    assert world.channels.posted == {}

    # App 15: #15 → #4 (enters the top 10); App 3: #3 → #16 (leaves it); App 20: #20 → #12.
    order = [1, 2, 4, 15, 5, 6, 7, 8, 9, 10, 11, 20, 12, 13, 14, 3, 16, 17, 18, 19, *range(21, 26)]
    after = [before[n - 1] for n in order]
    appstore.set_chart("topfreeapplications", UTILITIES, after)
    world.clock.now += 6 * HOUR
    await worker.tick()
    (message,) = world.channels.texts(CHANNEL)
    assert "**Utilities charts** (US)" in message
    assert "• **App 15** entered the top 10 of the free chart at #4 (was #15)" in message
    assert "• **App 3** left the top 10 of the free chart (was #3, now #16)" in message
    assert "• **App 20** up 8 places in the free chart: #20 → #12" in message
    assert "grossing" not in message  # the grossing chart did not move

    world.clock.now += 6 * HOUR
    await worker.tick()
    assert len(world.channels.texts(CHANNEL)) == 1


async def test_every_channel_watching_gets_its_own_single_message(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    await command(world, "watch Facebook")
    await command(world, "watch Facebook", OTHER)
    await command(world, "watch Webster Bank")
    worker = world.worker()
    await worker.tick()
    appstore.set_app(FACEBOOK, price=0.99, formattedPrice="$0.99")
    appstore.set_app(WEBSTER, version="9.0")
    world.clock.now += 6 * HOUR
    await worker.tick()
    (mine,) = world.channels.texts(CHANNEL)
    (theirs,) = world.channels.texts(OTHER)
    assert "**Trend watch: 2 changes**" in mine and "new version 9.0" in mine
    assert "**Trend watch: 1 change**" in theirs and "Webster" not in theirs


async def test_two_workers_racing_run_one_check(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    await command(world, "watch Facebook")
    appstore.set_app(FACEBOOK, price=1.99, formattedPrice="$1.99")
    workers = [world.worker(f"worker-{n}") for n in range(3)]
    lookups = len(appstore.calls("/lookup"))
    await asyncio.gather(*(worker.tick() for worker in workers))
    assert sum(worker.checks_run for worker in workers) == 1
    assert len(appstore.calls("/lookup")) == lookups + 1  # one batched look-up for the check
    assert len(world.channels.texts(CHANNEL)) == 1
    await asyncio.gather(*(worker.tick() for worker in workers))
    assert sum(worker.checks_run for worker in workers) == 1  # not due again yet


async def test_a_worker_killed_mid_check_neither_loses_nor_repeats_alerts(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    await command(world, "watch Facebook")
    first, second = world.worker("first"), world.worker("second")
    await first.tick()
    world.clock.now += 6 * HOUR
    # The first worker claims the check and dies before writing anything.
    assert await first.leases.claim("watch-check", 300)
    appstore.set_app(FACEBOOK, price=4.99, formattedPrice="$4.99")
    await second.tick()
    assert second.checks_run == 0 and world.channels.posted == {}  # its lease still holds
    world.clock.now += 301
    # The second worker takes over; its platform is down right after the alerts are stored.
    world.channels.failing = True
    await second.tick()
    assert second.checks_run == 1 and world.channels.posted == {}
    world.channels.failing = False
    await first.tick()  # any worker posts what is pending: once
    await second.tick()
    (message,) = world.channels.texts(CHANNEL)
    assert "• price Free → $4.99" in message


async def test_a_check_cut_short_by_a_stopping_worker_is_taken_up_at_once(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    await command(world, "watch Facebook")
    stopping, other = world.worker("stopping"), world.worker("other")
    appstore.set_app(FACEBOOK, price=0.99, formattedPrice="$0.99")
    appstore.enqueue(Reply(hang=True), path="/lookup")
    lookups = len(appstore.calls("/lookup"))
    tick = asyncio.ensure_future(stopping.tick())
    await wait_for(lambda: len(appstore.calls("/lookup")) > lookups, what="the check's look-up")
    tick.cancel()  # SIGTERM: the worker stops its background work
    await asyncio.gather(tick, return_exceptions=True)
    await other.tick()  # no lease to wait out, no interval to wait for
    assert other.checks_run == 1
    (message,) = world.channels.texts(CHANNEL)
    assert "• price Free → $0.99" in message


async def test_caps_per_channel_and_per_workspace_are_refused_politely(
    watch_world: WatchWorld,
) -> None:
    world = watch_world
    for n in range(MAX_WATCHES_PER_CHANNEL):
        watch = Watch(CHANNEL, WatchKind.APP, 100 + n, "us", f"App {n}")
        await world.store.add(watch, "U1", world.clock())
    refused = await command(world, "watch Facebook")
    assert "already watches as much as it can" in refused
    assert f"up to {MAX_WATCHES_PER_CHANNEL} apps and categories" in refused
    for n in range(MAX_WATCHES_PER_WORKSPACE - MAX_WATCHES_PER_CHANNEL):
        channel = WatchChannel("slack", "T1", f"C{100 + n // 10}")
        await world.store.add(Watch(channel, WatchKind.APP, n, "us", "x"), "U1", world.clock())
    refused = await command(world, "watch Facebook", WatchChannel("slack", "T1", "C999"))
    assert "This workspace already watches as much as it can" in refused
    elsewhere = await command(world, "watch Facebook", WatchChannel("slack", "T2", "C1"))
    assert "Now watching" in elsewhere


async def test_watching_unwatch_and_bad_input(watch_world: WatchWorld) -> None:
    world = watch_world
    assert "watches nothing yet" in await command(world, "watching")
    await command(world, "watch Facebook")
    await command(world, "watch gaps utilities")
    again = await command(world, "watch id:284882215")
    assert "already watches **Facebook (US)**" in again
    listing = await command(world, "watching")
    assert (
        "**This channel watches 2** (of 20):\n• Facebook (US)\n• Utilities charts (US)" in listing
    )
    assert "not an App Store category" in await command(world, "watch gaps Flying Cars")
    assert "No App Store app matched “Nope Nothing”" in await command(world, "watch Nope Nothing")
    assert "does not watch “Twitter”" in await command(world, "unwatch Twitter")
    assert "Stopped watching **Facebook (US)**" in await command(world, "unwatch facebook")
    assert "Stopped watching **Utilities charts (US)**" in await command(
        world, "unwatch gaps Utilities"
    )
    assert "watches nothing yet" in await command(world, "watching")


async def test_a_channel_the_bot_cannot_post_in_is_told_when_it_watches(
    watch_world: WatchWorld,
) -> None:
    world = watch_world
    world.channels.unreachable.add("C1")
    confirmation = await command(world, "watch Facebook")
    assert "Now watching" in confirmation and "⚠️ not in this channel" in confirmation


async def test_watches_and_snapshots_survive_a_restart(
    database_url: str, tmp_path: Path, watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    await command(world, "watch Facebook")
    await world.worker().tick()
    await world.database.aclose()

    reopened = Database.open(database_url, tmp_path)
    await reopened.migrate()
    try:
        world.database, world.store = reopened, WatchStore(reopened)
        assert [w.name for w in await world.store.watches_in(CHANNEL)] == ["Facebook"]
        appstore.set_app(FACEBOOK, averageUserRating=3.0)
        world.clock.now += 6 * HOUR
        await world.worker("after-restart").tick()
        (message,) = world.channels.texts(CHANNEL)
        assert "rating down 0.50: 3.50★ → 3.00★" in message
    finally:
        await reopened.aclose()
