"""A watched app's history: every check writes a point (both databases), `/scout watching <app>`
reads it back a week at a time with its chart, and alerts and digests carry the moving app's
history chart."""

from __future__ import annotations

from bot.charts import HistoryChart
from bot.commands import Command, parse
from bot.report import Report, ReportKind
from bot.runtime import Caller
from bot.views import reply_view
from bot.watch import WatchChannel
from bot.watch.history import WEEK, CheckPoint, weekly
from tests.fake_appstore import FakeAppStore
from tests.watch_harness import HOUR, WatchWorld

FACEBOOK = 284882215
SOCIAL = 6005
CHANNEL = WatchChannel("slack", "T1", "C1")
ALICE = Caller("slack", "U1", workspace="T1")


async def run(world: WatchWorld, text: str, channel: WatchChannel = CHANNEL) -> Report:
    parsed = parse(text)
    assert isinstance(parsed, Command)
    return await world.watchlist().handle(parsed, ALICE, channel)


def reviews(prefix: str, count: int) -> list[tuple[str, int, str]]:
    return [(f"{prefix}{n}", 4, "2026-11-30T10:00:00-07:00") for n in range(count)]


def test_checks_become_one_point_a_week_with_the_weeks_new_reviews_summed() -> None:
    now = 100 * WEEK
    checks = [
        CheckPoint(1, "us", now - 2 * WEEK - 10, 4.0, 100, 3.0, None, None),  # two weeks ago
        CheckPoint(1, "us", now - WEEK - 10, 4.1, 110, 3.5, 5, 9),  # last week, early
        CheckPoint(1, "us", now - WEEK + 10, 4.2, 120, 3.6, 7, 8),  # this week
        CheckPoint(1, "us", now - 10, 4.3, 130, 3.7, 2, None),  # this week, latest
    ]
    points = weekly(checks, now)
    assert [(p.rating, p.version_rating, p.new_reviews, p.rank) for p in points] == [
        (4.0, 3.0, None, None),
        (4.1, 3.5, 5, 9),
        (4.3, 3.7, 9, None),  # the week's last ratings; its reviews summed
    ]


async def test_a_watched_apps_history_is_drawn_on_request_and_in_its_alerts(
    watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    world = watch_world
    appstore.set_chart(
        "topfreeapplications", SOCIAL, [(1, "Other"), (FACEBOOK, "Facebook")], "Social Networking"
    )
    appstore.set_reviews(FACEBOOK, reviews("a", 10))
    await run(world, "watch Facebook")
    await run(world, "watch gaps Social Networking")
    empty = await run(world, "watching Facebook")
    assert empty.kind is ReportKind.WATCH and empty.history is None
    assert empty.text.startswith("No history of **Facebook (US)** yet")

    worker = world.worker()
    await worker.tick()  # week 1: the first point
    appstore.set_reviews(FACEBOOK, reviews("b", 4) + reviews("a", 10))
    appstore.set_app(FACEBOOK, averageUserRating=3.3)
    world.clock.now += WEEK
    await worker.tick()  # week 2: 4 new reviews, the rating down: an alert with the chart

    (alert,) = world.channels.posted[CHANNEL]
    assert alert.kind is ReportKind.ALERTS and alert.history is not None
    assert [p.rating for p in alert.history.points] == [3.5, 3.3]
    chart = reply_view(alert).chart
    assert isinstance(chart, HistoryChart) and chart.title.startswith("Facebook")

    asked = await run(world, "watching facebook")
    assert asked.history is not None and asked.subject == "Facebook"
    points = asked.history.points
    assert [(p.rating, p.new_reviews, p.rank) for p in points] == [
        (3.5, None, 2),  # the first read of its reviews counts none as new
        (3.3, 4, 2),
    ]
    assert asked.text == (
        f"**Facebook (US)** over 2 weeks (to {points[-1].day}): rated 3.5★ → 3.3★ overall; "
        "1.5★ for the current version; 4 new reviews in the last week; "
        "#2 on its category's top free chart."
    )
    assert isinstance(reply_view(asked).chart, HistoryChart)

    unknown = await run(world, "watching Webster Bank")
    assert unknown.kind is ReportKind.ERROR and "does not watch “Webster Bank”" in unknown.text


async def test_the_weekly_digest_carries_the_history_of_a_watched_app(
    watch_world: WatchWorld,
) -> None:
    world = watch_world
    await run(world, "watch Facebook")
    worker = world.worker()
    for _ in range(3):  # checks every 6 hours, past Monday 09:00
        await worker.tick()
        world.clock.now += 6 * HOUR
    world.clock.now += 5 * 24 * HOUR
    await worker.tick()
    digests = [r for r in world.channels.posted[CHANNEL] if r.kind is ReportKind.DIGEST]
    (digest,) = digests
    assert digest.history is not None and digest.history.app == "Facebook"
    assert isinstance(reply_view(digest).chart, HistoryChart)
