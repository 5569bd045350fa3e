"""`WatchCheck`: one pass over everything watched, compared with the last snapshots.

Apple allows about 20 calls a minute and users' commands need them too, so a check paces itself
at CHECK_SHARE of that rate and queues patiently for each call. Per check: one batched look-up per
country for every 100 watched apps, the newest reviews page of each app (the ones read longest
ago first, as many as the check's budget allows — the rest are read by the next check), and two
charts per watched category. Everything a check learns is written in one transaction with the
alerts it produced (see `WatchStore`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.appstore import AppInfo, ChartEntry, RateLimiter, Review
from bot.watch.alerts import (
    AppSnapshot,
    ChartSnapshot,
    app_alerts,
    chart_alerts,
    low_star_rate,
    review_surge,
)
from bot.watch.history import CheckPoint
from bot.watch.model import Alert, WatchChannel, WatchKind
from bot.watch.store import WatchStore

log = logging.getLogger(__name__)

CHECK_SHARE = 0.5  # of Apple's calls per minute: the rest stays for users' commands
LOOKUP_BATCH = 100  # app ids per look-up
CHARTS = ("topfreeapplications", "topgrossingapplications")
CHART_DEPTH = 25  # enough to see an app leave the top 10 and where it went
PATIENCE = 120.0  # seconds a check queues for one App Store call before skipping it


class WatchSource(Protocol):
    """The App Store as a check reads it (`ITunesCatalog`)."""

    async def lookup_many(
        self, track_ids: Sequence[int], country: str, max_wait: float
    ) -> dict[int, AppInfo] | None: ...

    async def newest_reviews(
        self, track_id: int, country: str, max_wait: float
    ) -> list[Review] | None: ...

    async def chart(
        self, genre_id: int, country: str, chart: str, limit: int, max_wait: float
    ) -> list[ChartEntry] | None: ...


@dataclass(frozen=True)
class CheckResult:
    apps: int  # watched apps looked up
    reviews_read: int
    charts_read: int
    alerts: int  # alerts stored for posting (one per channel that watches what moved)
    calls: int  # App Store calls made
    unavailable: int  # calls that failed or were skipped (throttled, down)


def calls_per_check(interval_seconds: float, calls_per_minute: float) -> int:
    """How many App Store calls one check may make: its share of the rate, over its interval."""
    return max(1, int(interval_seconds / 60 * calls_per_minute * CHECK_SHARE))


class WatchCheck:
    def __init__(
        self,
        store: WatchStore,
        source: WatchSource,
        calls_per_minute: float,
        budget: int,
        clock: Callable[[], float] = time.time,
        keep_alive: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.budget = budget  # App Store calls this check may make
        self._pace = RateLimiter(calls_per_minute * CHECK_SHARE, burst=1)
        self._clock = clock
        self._keep_alive = keep_alive  # renews the check's lease while it runs
        self._calls = self._unavailable = 0

    async def _call(self) -> None:
        """Wait for this check's share of the rate (and keep the lease)."""
        self._calls += 1
        await self._pace.acquire(float("inf"))
        if self._keep_alive is not None:
            await self._keep_alive()

    async def run(self) -> CheckResult:
        now = self._clock()
        watched = await self.store.all_watches()
        apps: dict[tuple[int, str], list[WatchChannel]] = {}
        categories: dict[tuple[int, str], list[WatchChannel]] = {}
        for watch in watched:
            group = apps if watch.kind is WatchKind.APP else categories
            group.setdefault((watch.target, watch.country), []).append(watch.channel)
        previous = await self.store.app_snapshots()
        found: list[tuple[WatchChannel, Alert]] = []

        def tell(alert: Alert, channels: list[WatchChannel]) -> None:
            found.extend((channel, alert) for channel in dict.fromkeys(channels))

        snapshots = await self._look_up(apps, previous, now, tell)
        chart_calls = len(categories) * len(CHARTS)
        new_reviews: dict[tuple[int, str], int] = {}
        reviews_read = await self._read_reviews(
            apps, snapshots, now, tell, chart_calls, new_reviews
        )
        charts = await self._read_charts(categories, now, tell)
        points = history_points(snapshots, new_reviews, charts, now)
        await self.store.save_check(snapshots, charts, found, now, points)
        result = CheckResult(
            len(snapshots), reviews_read, len(charts), len(found), self._calls, self._unavailable
        )
        log.info(
            "watch check: %d apps, %d reviews pages, %d charts, %d alerts, %d App Store calls",
            result.apps,
            result.reviews_read,
            result.charts_read,
            result.alerts,
            result.calls,
        )
        return result

    async def _look_up(
        self,
        apps: dict[tuple[int, str], list[WatchChannel]],
        previous: dict[tuple[int, str], AppSnapshot],
        now: float,
        tell: Callable[[Alert, list[WatchChannel]], None],
    ) -> dict[tuple[int, str], AppSnapshot]:
        by_country: dict[str, list[int]] = {}
        for track_id, country in apps:
            by_country.setdefault(country, []).append(track_id)
        snapshots: dict[tuple[int, str], AppSnapshot] = {}
        for country, ids in sorted(by_country.items()):
            for start in range(0, len(ids), LOOKUP_BATCH):
                batch = ids[start : start + LOOKUP_BATCH]
                await self._call()
                found = await self.source.lookup_many(batch, country, PATIENCE)
                if found is None:
                    self._unavailable += 1
                    continue  # unavailable: these apps keep their snapshots for the next check
                for track_id in batch:
                    app = found.get(track_id)
                    if app is None:
                        continue  # gone from this store (or not yet in it): nothing to compare
                    key = (track_id, country)
                    before = previous.get(key)
                    if before is None:
                        snapshots[key] = AppSnapshot(app, now)
                        continue
                    for alert in app_alerts(before.app, app, country):
                        tell(alert, apps[key])
                    snapshots[key] = replace(before, app=app, checked_at=now)
        return snapshots

    async def _read_reviews(
        self,
        apps: dict[tuple[int, str], list[WatchChannel]],
        snapshots: dict[tuple[int, str], AppSnapshot],
        now: float,
        tell: Callable[[Alert, list[WatchChannel]], None],
        reserved: int,
        new_reviews: dict[tuple[int, str], int],
    ) -> int:
        """Reviews pages within the budget, keeping `reserved` calls for the charts; the reviews
        new since the page read before go into `new_reviews`."""
        left = self.budget - self._calls - reserved
        # The apps whose reviews were read longest ago (or never) first.
        order = sorted(snapshots, key=lambda key: snapshots[key].reviews_checked_at or 0.0)
        read = 0
        for key in order:
            if left <= 0:
                break
            left -= 1
            track_id, country = key
            await self._call()
            reviews = await self.source.newest_reviews(track_id, country, PATIENCE)
            if reviews is None:
                self._unavailable += 1
                continue
            read += 1
            snapshot = snapshots[key]
            if (surge := review_surge(snapshot, reviews, now, country)) is not None:
                tell(surge, apps[key])
            if snapshot.review_ids is not None:  # a page's worth at most: Apple serves 50
                seen = set(snapshot.review_ids)
                new_reviews[key] = sum(review.review_id not in seen for review in reviews)
            snapshots[key] = replace(
                snapshot,
                review_ids=tuple(review.review_id for review in reviews),
                low_star_per_day=low_star_rate(reviews),
                reviews_checked_at=now,
            )
        return read

    async def _read_charts(
        self,
        categories: dict[tuple[int, str], list[WatchChannel]],
        now: float,
        tell: Callable[[Alert, list[WatchChannel]], None],
    ) -> list[ChartSnapshot]:
        previous = await self.store.chart_snapshots()
        charts: list[ChartSnapshot] = []
        for (genre_id, country), channels in sorted(categories.items()):
            for chart in CHARTS:
                await self._call()
                entries = await self.source.chart(genre_id, country, chart, CHART_DEPTH, PATIENCE)
                if entries is None:
                    self._unavailable += 1
                    continue
                ranks = tuple((entry.track_id, entry.name) for entry in entries)
                before = previous.get((genre_id, country, chart))
                if before is not None:
                    for alert in chart_alerts(before, ranks):
                        tell(alert, channels)
                charts.append(ChartSnapshot(genre_id, country, chart, ranks, now))
        return charts


def history_points(
    snapshots: dict[tuple[int, str], AppSnapshot],
    new_reviews: dict[tuple[int, str], int],
    charts: list[ChartSnapshot],
    now: float,
) -> list[CheckPoint]:
    """One history point for each app this check looked up; its rank from its category's top
    free chart when this check read it (a watched category)."""
    free = {
        (chart.genre_id, chart.country): [track_id for track_id, _name in chart.ranks]
        for chart in charts
        if chart.chart == CHARTS[0]
    }
    points = []
    for (track_id, country), snapshot in snapshots.items():
        if snapshot.checked_at != now:
            continue  # not looked up this time: its last point stands
        app = snapshot.app
        ranked = free.get((app.genre_id or 0, country))
        rank = ranked.index(track_id) + 1 if ranked and track_id in ranked else None
        points.append(
            CheckPoint(
                track_id,
                country,
                now,
                app.rating,
                app.rating_count,
                app.current_version_rating,
                new_reviews.get((track_id, country)),
                rank,
            )
        )
    return points
