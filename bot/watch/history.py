"""A watched app's history: each check writes one point per app it looked up (ratings, rating
count, reviews new since the check before, rank on its category's top free chart), and the
history chart reads them back a week at a time — the last values of each week, the new reviews
summed over it. Points older than `KEEP_SECONDS` are purged by the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.database import Database, app_history
from bot.report import AppHistory, HistoryPoint, Report

log = logging.getLogger(__name__)

WEEK = 7 * 24 * 3600.0
HISTORY_WEEKS = 12  # drawn: about a quarter
KEEP_SECONDS = 26 * WEEK


@dataclass(frozen=True)
class CheckPoint:
    """What one check saw of one app."""

    track_id: int
    country: str
    checked_at: float
    rating: float | None
    rating_count: int | None
    version_rating: float | None
    new_reviews: int | None  # reviews new since the check before; None: not read this time
    rank: int | None  # on its category's top free chart; None: not on it, or not read


async def save_points(
    connection: AsyncConnection, points: Sequence[CheckPoint], now: float
) -> None:
    """A check's points, in the check's transaction, and the oldest ones purged."""
    if points:
        await connection.execute(
            insert(app_history),
            [
                {
                    "track_id": point.track_id,
                    "country": point.country,
                    "checked_at": point.checked_at,
                    "rating": point.rating,
                    "rating_count": point.rating_count,
                    "version_rating": point.version_rating,
                    "new_reviews": point.new_reviews,
                    "rank": point.rank,
                }
                for point in points
            ],
        )
    await connection.execute(
        delete(app_history).where(app_history.c.checked_at < now - KEEP_SECONDS)
    )


class AppHistories:
    """Reads watched apps' histories, a week a point."""

    def __init__(self, database: Database, clock: Callable[[], float]) -> None:
        self.database = database
        self._clock = clock

    async def history(
        self, track_id: int, country: str, name: str, weeks: int = HISTORY_WEEKS
    ) -> AppHistory:
        now = self._clock()
        query = (
            select(app_history)
            .where(
                and_(
                    app_history.c.track_id == track_id,
                    app_history.c.country == country,
                    app_history.c.checked_at > now - weeks * WEEK,
                )
            )
            .order_by(app_history.c.checked_at)
        )
        async with self.database.transaction() as connection:
            rows = list(await connection.execute(query))
        points = [
            CheckPoint(
                row.track_id,
                row.country,
                row.checked_at,
                row.rating,
                row.rating_count,
                row.version_rating,
                row.new_reviews,
                row.rank,
            )
            for row in rows
        ]
        return AppHistory(name, track_id, weekly(points, now))


def weekly(points: Iterable[CheckPoint], now: float) -> tuple[HistoryPoint, ...]:
    """One point a week (weeks end at `now`), oldest first: the week's last ratings and rank,
    and the reviews new in it (None when no check of that week read them)."""
    weeks: dict[int, list[CheckPoint]] = {}
    for point in points:
        weeks.setdefault(int((now - point.checked_at) // WEEK), []).append(point)
    shown = []
    for age in sorted(weeks, reverse=True):
        checks = sorted(weeks[age], key=lambda point: point.checked_at)
        last = checks[-1]
        counted = [point.new_reviews for point in checks if point.new_reviews is not None]
        shown.append(
            HistoryPoint(
                day=datetime.fromtimestamp(last.checked_at, UTC).date().isoformat(),
                rating=last.rating,
                version_rating=last.version_rating,
                new_reviews=sum(counted) if counted else None,
                rank=last.rank,
            )
        )
    return tuple(shown)


async def with_history(
    report: Report, histories: AppHistories, app: tuple[int, str, str] | None
) -> Report:
    """`report` carrying the history of `app` (track id, country, name) when there is one to
    draw; a failure to read it costs the picture, never the message (logged)."""
    if app is None:
        return report
    track_id, country, name = app
    try:
        history = await histories.history(track_id, country, name)
    except Exception as exc:
        log.warning("app history unavailable (%s); posting without its chart", type(exc).__name__)
        return report
    return replace(report, history=history) if history.points else report


def history_text(history: AppHistory, label: str, schedule: str) -> str:
    """`/scout watching <app>`: the history in words, the chart beside it."""
    points = history.points
    if not points:
        return (
            f"No history of **{label}** yet: each check adds a point, the first with the next "
            f"one. {schedule}"
        )
    first, last = points[0], points[-1]
    weeks = f"{len(points)} week{'s' * (len(points) != 1)}"
    parts = []
    if first.rating is not None and last.rating is not None:
        was = f"{first.rating:.1f}★ → " if len(points) > 1 else ""
        parts.append(f"rated {was}{last.rating:.1f}★ overall")
    if last.version_rating is not None:
        parts.append(f"{last.version_rating:.1f}★ for the current version")
    if last.new_reviews is not None:
        parts.append(f"{last.new_reviews} new reviews in the last week")
    if last.rank is not None:
        parts.append(f"#{last.rank} on its category's top free chart")
    said = "; ".join(parts) or "no figures yet"
    return f"**{label}** over {weeks} (to {last.day}): {said}."
