"""The clone score: a transparent 0–100 heuristic of how attractive it is to build a better rival.

Four parts of 0–25 points each, every one with a one-line reason:

- demand: rating count on a log scale, rising to full marks at 1k ratings, flat to 50k, then
  falling for giants (a market with millions of ratings is hard to enter);
- dissatisfaction: 20 points scaled from 5★ (0) down to 1★ (20), plus up to 5 when the current
  version rates below the overall rating (users are unhappy *now*). With the newest reviews
  (at least 10) it listens to them too: a recent average a below the overall rating r adds
  5 × (r − a), up to 10 (the larger of this and the current-version bonus counts), and a share s
  of 1–2★ reviews above a usual 10 % adds up to 5 (full at 50 %); the part stays within 25.
  So an app rated 4.7★ whose newest reviews average 3.3★ scores by how it is rated now;
- staleness: days since the last update, full marks at two years;
- build simplicity: a fixed figure per category.

A missing input takes the neutral middle (12.5) and is marked estimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bot.advice.evidence import ReviewEvidence
from bot.appstore import AppInfo

PART_MAX = 25.0
NEUTRAL = PART_MAX / 2
STALE_DAYS = 730
DEMAND_PEAK_LOW = 1_000
DEMAND_PEAK_HIGH = 50_000
DEMAND_GIANT = 10_000_000  # at and past this count demand bottoms out
MIN_RECENT_REVIEWS = 10  # fewer newest reviews than this say nothing about "now"
USUAL_LOW_SHARE = 0.10  # the share of 1–2★ reviews a well-liked app gets anyway
FULL_LOW_SHARE = 0.50  # a share of 1–2★ reviews that earns the whole bonus
MAX_REVIEW_DROP = 2.0  # stars below the overall rating the newest reviews can count for (10 points)

# How simple a credible v1 is, by App Store category (higher = simpler).
BUILD_SIMPLICITY: dict[str, float] = {
    "Stickers": 24,
    "Utilities": 22,
    "Reference": 19,
    "Weather": 18,
    "Productivity": 18,
    "Lifestyle": 17,
    "Developer Tools": 16,
    "Education": 15,
    "Health & Fitness": 15,
    "Books": 14,
    "Business": 14,
    "Food & Drink": 14,
    "Magazines & Newspapers": 14,
    "News": 14,
    "Photo & Video": 13,
    "Entertainment": 12,
    "Graphics & Design": 12,
    "Kids": 12,
    "Sports": 12,
    "Travel": 12,
    "Finance": 10,
    "Music": 10,
    "Shopping": 10,
    "Games": 8,
    "Medical": 8,
    "Navigation": 8,
    "Social Networking": 6,
}


@dataclass(frozen=True)
class ScorePart:
    name: str
    points: float  # 0..PART_MAX
    reason: str
    estimated: bool = False


@dataclass(frozen=True)
class CloneScore:
    total: int  # 0..100
    parts: tuple[ScorePart, ...]

    @property
    def estimated(self) -> bool:
        return any(part.estimated for part in self.parts)


def demand_points(rating_count: int) -> float:
    n = max(0, rating_count)
    if n <= DEMAND_PEAK_LOW:
        return PART_MAX * math.log10(1 + n) / math.log10(1 + DEMAND_PEAK_LOW)
    if n <= DEMAND_PEAK_HIGH:
        return PART_MAX
    span = math.log10(DEMAND_GIANT) - math.log10(DEMAND_PEAK_HIGH)
    fall = min(1.0, (math.log10(n) - math.log10(DEMAND_PEAK_HIGH)) / span)
    return PART_MAX * (1 - 0.7 * fall)


def dissatisfaction_points(
    rating: float,
    current_version_rating: float | None,
    recent_average: float | None = None,
    low_share: float | None = None,
) -> float:
    """0–25: lower ratings (overall, current version, newest reviews) and a larger share of
    1–2★ newest reviews all mean more (without review figures: the level and the version gap)."""
    r = _stars(rating)
    points = 20 * (5 - r) / 4
    if current_version_rating is not None:
        points += min(5.0, max(0.0, (r - _stars(current_version_rating)) * 2.5))
    if recent_average is not None:
        # level + min(10, 5(r − a)) is the level of the rating users give now (a), but at most
        # 2★ below the overall one: computed so, a higher overall rating never scores more.
        now = max(r - MAX_REVIEW_DROP, min(r, _stars(recent_average)))
        points = max(points, 20 * (5 - now) / 4)
    if low_share is not None:
        points += 5 * _unit((low_share - USUAL_LOW_SHARE) / (FULL_LOW_SHARE - USUAL_LOW_SHARE))
    return min(PART_MAX, points)


def recent_figures(reviews: ReviewEvidence | None) -> tuple[float | None, float | None]:
    """The newest reviews' average and the share of 1–2★ among the reviews read, when there are
    enough of them to count (10)."""
    if reviews is None or reviews.count < MIN_RECENT_REVIEWS:
        return None, None
    average = reviews.average if reviews.recent >= MIN_RECENT_REVIEWS else None
    return average, (reviews.stars[0] + reviews.stars[1]) / reviews.count


def _stars(value: float) -> float:
    return min(5.0, max(1.0, value))


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def staleness_points(days: int) -> float:
    return PART_MAX * min(1.0, max(0, days) / STALE_DAYS)


def clone_score(app: AppInfo, today: date, reviews: ReviewEvidence | None = None) -> CloneScore:
    """The score of `app`; with `reviews` (its newest reviews' evidence) dissatisfaction also
    weighs what users say now."""
    parts = (
        _demand(app),
        _dissatisfaction(app, reviews),
        _staleness(app, today),
        _simplicity(app),
    )
    total = round(sum(part.points for part in parts))
    return CloneScore(total=max(0, min(100, total)), parts=parts)


def _demand(app: AppInfo) -> ScorePart:
    if app.rating_count is None:
        return ScorePart("demand", NEUTRAL, "rating count unknown", estimated=True)
    n = app.rating_count
    if n < 50:
        why = f"only {n:,} ratings: little proven demand"
    elif n <= DEMAND_PEAK_HIGH:
        why = f"{n:,} ratings: proven demand, not yet a giant"
    else:
        why = f"{n:,} ratings: huge demand but an entrenched leader"
    return ScorePart("demand", demand_points(n), why)


def _dissatisfaction(app: AppInfo, reviews: ReviewEvidence | None = None) -> ScorePart:
    if app.rating is None or not app.rating_count:
        return ScorePart("dissatisfaction", NEUTRAL, "no ratings yet", estimated=True)
    average, low_share = recent_figures(reviews)
    points = dissatisfaction_points(app.rating, app.current_version_rating, average, low_share)
    why = f"rated {app.rating:.1f}★"
    cv = app.current_version_rating
    if cv is not None and cv < app.rating:
        why += f", current version only {cv:.1f}★"
    if reviews is not None and low_share is not None:
        low = reviews.stars[0] + reviews.stars[1]
        if average is not None:
            why += f"; newest {reviews.recent} reviews average {average:.1f}★"
        why += f", {low} of {reviews.count} give 1–2★"
    return ScorePart("dissatisfaction", points, why)


def _staleness(app: AppInfo, today: date) -> ScorePart:
    days = app.days_since_update(today)
    if days is None:
        return ScorePart("staleness", NEUTRAL, "last update unknown", estimated=True)
    why = f"last updated {days:,} days ago"
    return ScorePart("staleness", staleness_points(days), why)


def _simplicity(app: AppInfo) -> ScorePart:
    if app.category is None or app.category not in BUILD_SIMPLICITY:
        label = app.category or "unknown category"
        return ScorePart("build simplicity", NEUTRAL, f"{label}: typical effort", estimated=True)
    points = BUILD_SIMPLICITY[app.category]
    effort = "simple" if points >= 17 else "moderate" if points >= 11 else "demanding"
    return ScorePart("build simplicity", points, f"{app.category} apps are {effort} to build")
