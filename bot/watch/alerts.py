"""What moved between two checks: pure comparisons of a snapshot with what the App Store says
now. Each alert carries its numbers; a snapshot written with the alerts makes each fire once.

The thresholds: overall rating down by 0.1 or more, current-version rating down by 0.3 or more,
any new version or price, a surge of new 1–2★ reviews (at least SURGE_MIN, and at least twice
the usual rate), and chart moves (into or out of the top 10, or 5 places or more).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.appstore import AppInfo, Review
from bot.views import safe_links
from bot.watch.model import Alert, AlertKind

RATING_DROP = 0.1
VERSION_RATING_DROP = 0.3
SURGE_FACTOR = 2.0
SURGE_MIN = 3  # fewer new 1–2★ reviews than this is never a surge
TOP = 10
BIG_MOVE = 5
RELEASE_NOTES_SHOWN = 200
DAY = 86_400.0
CHART_NAMES = {"topfreeapplications": "free chart", "topgrossingapplications": "grossing chart"}


@dataclass(frozen=True)
class AppSnapshot:
    app: AppInfo
    checked_at: float
    review_ids: tuple[str, ...] | None = None  # None: its reviews were not read yet
    low_star_per_day: float | None = None  # the usual rate of 1–2★ reviews
    reviews_checked_at: float | None = None


@dataclass(frozen=True)
class ChartSnapshot:
    genre_id: int
    country: str
    chart: str
    ranks: tuple[tuple[int, str], ...]  # (track id, name), best first
    checked_at: float


def app_alerts(previous: AppInfo, current: AppInfo, country: str) -> list[Alert]:
    """Rating, current-version rating, version and price changes of one app."""
    found: list[Alert] = []

    def alert(kind: AlertKind, text: str, **numbers: float | int | str | None) -> None:
        found.append(Alert(kind, current.track_id, current.name, country, text, None, numbers))

    if previous.rating is not None and current.rating is not None:
        drop = round(previous.rating - current.rating, 3)
        if drop >= RATING_DROP:
            alert(
                AlertKind.RATING_DOWN,
                f"rating down {drop:.2f}: {previous.rating:.2f}★ → {current.rating:.2f}★"
                + _count(current.rating_count, "ratings"),
                before=previous.rating,
                after=current.rating,
                ratings=current.rating_count,
            )
    before_v, after_v = previous.current_version_rating, current.current_version_rating
    if before_v is not None and after_v is not None:
        drop = round(before_v - after_v, 3)
        if drop >= VERSION_RATING_DROP:
            alert(
                AlertKind.VERSION_RATING_DOWN,
                f"current-version rating down {drop:.2f}: {before_v:.2f}★ → {after_v:.2f}★"
                + _count(current.current_version_rating_count, "ratings of this version"),
                before=before_v,
                after=after_v,
                ratings=current.current_version_rating_count,
            )
    if current.version and previous.version and current.version != previous.version:
        # The developer's text: its links show their real target, read as written (lines and
        # all) and again once joined onto one line and cut, which can change how it reads.
        notes = _shorten(safe_links(current.release_notes or ""), RELEASE_NOTES_SHOWN)
        notes = safe_links(notes)
        alert(
            AlertKind.NEW_VERSION,
            f"new version {current.version} (was {previous.version})"
            + (f" — “{notes}”" if notes else ""),
            before=previous.version,
            after=current.version,
        )
    if previous.price is not None and current.price is not None and previous.price != current.price:
        alert(
            AlertKind.PRICE_CHANGE,
            f"price {_price(previous)} → {_price(current)}",
            before=previous.price,
            after=current.price,
        )
    return found


def low_star_rate(reviews: list[Review]) -> float:
    """1–2★ reviews a day over the span of days a reviews page covers (a day at least)."""
    days = [review.day for review in reviews if review.day is not None]
    span = (max(days) - min(days)).days + 1 if days else 1
    return sum(1 for review in reviews if review.stars <= 2) / span


def review_surge(
    previous: AppSnapshot, reviews: list[Review], now: float, country: str
) -> Alert | None:
    """New 1–2★ reviews since the last reviews check, when at least SURGE_MIN and at least
    twice what the usual rate would bring in that time (a day at least)."""
    if previous.review_ids is None or previous.reviews_checked_at is None:
        return None  # the first read only learns the usual rate
    seen = set(previous.review_ids)
    new_low = [r for r in reviews if r.review_id not in seen and r.stars <= 2]
    usual = previous.low_star_per_day or 0.0
    elapsed_days = max((now - previous.reviews_checked_at) / DAY, 1.0)
    expected = usual * elapsed_days
    if len(new_low) < SURGE_MIN or len(new_low) < SURGE_FACTOR * expected:
        return None
    app = previous.app
    return Alert(
        AlertKind.REVIEW_SURGE,
        app.track_id,
        app.name,
        country,
        f"{len(new_low)} new 1–2★ reviews since the last check (usually about {usual:.1f} a day)",
        None,
        {"new_low_star": len(new_low), "usual_per_day": round(usual, 2)},
    )


def chart_alerts(previous: ChartSnapshot, current: tuple[tuple[int, str], ...]) -> list[Alert]:
    """Apps entering or leaving the top 10 of a chart, or moving BIG_MOVE places or more."""
    chart = f"{CHART_NAMES.get(previous.chart, previous.chart)}"
    before = {track_id: rank for rank, (track_id, _name) in enumerate(previous.ranks, start=1)}
    after = {track_id: rank for rank, (track_id, _name) in enumerate(current, start=1)}
    names = {track_id: name for track_id, name in (*previous.ranks, *current)}
    depth = len(previous.ranks)
    found: list[Alert] = []

    def alert(kind: AlertKind, track_id: int, text: str, was: int | None, now: int | None) -> None:
        found.append(
            Alert(
                kind,
                track_id,
                names[track_id],
                previous.country,
                text,
                previous.genre_id,
                {"chart": previous.chart, "before": was, "after": now},
            )
        )

    for track_id in dict.fromkeys([*after, *before]):
        was, now = before.get(track_id), after.get(track_id)
        if now is not None and now <= TOP and (was is None or was > TOP):
            where = f"#{was}" if was is not None else f"outside the top {depth}"
            alert(
                AlertKind.CHART_ENTERED,
                track_id,
                f"entered the top {TOP} of the {chart} at #{now} (was {where})",
                was,
                now,
            )
        elif was is not None and was <= TOP and (now is None or now > TOP):
            where = f"#{now}" if now is not None else f"out of the top {len(current)}"
            alert(
                AlertKind.CHART_LEFT,
                track_id,
                f"left the top {TOP} of the {chart} (was #{was}, now {where})",
                was,
                now,
            )
        elif was is not None and now is not None and abs(was - now) >= BIG_MOVE:
            direction = "up" if now < was else "down"
            alert(
                AlertKind.CHART_MOVED,
                track_id,
                f"{direction} {abs(was - now)} places in the {chart}: #{was} → #{now}",
                was,
                now,
            )
    return found


def _count(count: int | None, what: str) -> str:
    return f" ({count:,} {what})" if count else ""


def _price(app: AppInfo) -> str:
    if app.price == 0:
        return "Free"
    return app.formatted_price or f"{app.price:.2f}"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
