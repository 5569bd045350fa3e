"""The data behind each chart, built from a report: which report gets which chart (`chart_for`)
and the builders themselves. Pure and fast; nothing here draws."""

from __future__ import annotations

from collections.abc import Sequence

from bot.advice import WEIGHTS, ComparedApp, Opportunity, ReviewEvidence
from bot.charts.values import (
    Axis,
    BarGroup,
    Chart,
    HistoryChart,
    MapPoint,
    OpportunityMap,
    PartsComparison,
    ReviewMix,
    VersionPoint,
)
from bot.report import HistoryPoint, Report, ReportKind

LABELLED = 5  # the opportunity map names its top 5
MAX_VERSIONS = 8  # the newest versions shown in the rating by version
NAME_MAX = 28  # characters of an app's name on a chart
ALT_MAX = 1000  # Slack's limit for a file's alt text; Discord's description is 1024
STARS_MAX = 5.0


def chart_for(report: Report) -> Chart | None:
    """The picture a reply carries, if any: the opportunity map after a market scan, the score
    parts after a compare, the review evidence after an analysis, the app's history in alerts,
    digests and `watch history`."""
    if report.is_reply_private:
        return None
    if report.kind is ReportKind.FIND and report.opportunities:
        return opportunity_map(report.subject, report.opportunities)
    if report.kind is ReportKind.COMPARE and report.comparison:
        return parts_comparison(report.comparison)
    if report.history is not None and report.history.points:
        return app_history(report.history.app, report.history.points)
    if report.kind is ReportKind.ANALYSIS and report.reviews is not None and report.reviews.count:
        name = report.app.name if report.app is not None else report.subject
        return review_mix(name, report.reviews)
    return None


def short(name: str, limit: int = NAME_MAX) -> str:
    """A name as a chart shows it: one line, at most `limit` characters."""
    flat = " ".join(name.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _alt(text: str) -> str:
    return text if len(text) <= ALT_MAX else text[: ALT_MAX - 1].rstrip() + "…"


def _points(value: float) -> str:
    return f"{value:.0f}"


# -- /scout find: the opportunity map ---------------------------------------------------------
def opportunity_map(market: str, ranked: Sequence[Opportunity]) -> OpportunityMap:
    """Each ranked app at (demand, dissatisfaction), sized by staleness; the top 5 named."""
    points = tuple(
        MapPoint(
            rank=rank,
            name=short(found.app.name),
            x=found.score.part("demand").points,
            y=found.score.part("dissatisfaction").points,
            size=found.score.part("staleness").points,
            score=found.score.total,
            labelled=rank <= LABELLED,
        )
        for rank, found in enumerate(ranked, 1)
    )
    where = short(market, 40) or "this market"
    described = "; ".join(
        f"{p.rank}. {p.name} (score {p.score}: demand {_points(p.x)}, dissatisfaction "
        f"{_points(p.y)}, staleness {_points(p.size)})"
        for p in points
    )
    alt = (
        f"Opportunity map of {where}: {len(points)} apps placed by demand (across, 0 to "
        f"{WEIGHTS['demand']:.0f} points) and dissatisfaction (up, 0 to "
        f"{WEIGHTS['dissatisfaction']:.0f} points); bigger dots have gone longer without an "
        f"update. Up and to the right is the better target. {described}."
    )
    return OpportunityMap(
        title=f"Opportunities in {where}",
        alt_text=_alt(alt),
        x=Axis(f"Demand (score points, of {WEIGHTS['demand']:.0f})", 0, WEIGHTS["demand"]),
        y=Axis(
            f"Dissatisfaction (score points, of {WEIGHTS['dissatisfaction']:.0f})",
            0,
            WEIGHTS["dissatisfaction"],
        ),
        size_label=f"Dot size: staleness (score points, of {WEIGHTS['staleness']:.0f})",
        size_max=WEIGHTS["staleness"],
        points=points,
    )


# -- /scout compare: the score parts side by side ---------------------------------------------
def parts_comparison(rows: Sequence[ComparedApp]) -> PartsComparison:
    """A group of bars per clone-score part, a bar per app in the asked order."""
    categories = tuple(part.name for part in rows[0].score.parts)
    groups = tuple(
        BarGroup(
            name=short(row.app.name),
            values=tuple(_part(row, name) for name in categories),
            total=row.score.total,
        )
        for row in rows
    )
    described = "; ".join(
        f"{group.name} {group.total}/100 ("
        + ", ".join(
            f"{name} {_points(value)}" for name, value in zip(categories, group.values, strict=True)
        )
        + ")"
        for group in groups
    )
    names = ", ".join(group.name for group in groups)
    alt = f"Clone score parts of {names}, side by side, each part out of 25 points: {described}."
    return PartsComparison(
        title="Clone score parts: " + " vs ".join(short(g.name, 20) for g in groups),
        alt_text=_alt(alt),
        categories=categories,
        y=Axis("Score points (of 25 per part)", 0, 25),
        groups=groups,
    )


def _part(row: ComparedApp, name: str) -> float:
    return next((part.points for part in row.score.parts if part.name == name), 0.0)


# -- an analysis: the evidence in reviews -----------------------------------------------------
def review_mix(app: str, evidence: ReviewEvidence) -> ReviewMix:
    """How many reviews gave each star, and the average rating of each recent version."""
    versions = tuple(
        VersionPoint(short(v.version, 12), round(v.average, 2), v.count, v.regressed)
        for v in evidence.versions[-MAX_VERSIONS:]
    )
    stars = "; ".join(f"{n}★ {count}" for n, count in enumerate(evidence.stars, 1))
    alt = f"Star mix of the {evidence.count} reviews read: {stars}."
    if versions:
        by_version = "; ".join(
            f"{v.version} {v.average:.1f}★ ({v.count} reviews"
            + (", worse than the version before)" if v.regressed else ")")
            for v in versions
        )
        alt += f" Average rating by version, oldest first: {by_version}."
    if evidence.overall is not None:
        alt += f" Overall App Store rating {evidence.overall:.1f}★."
    name = short(app)
    return ReviewMix(
        title=f"What {name}'s users say: {evidence.count} reviews read",
        alt_text=_alt(alt),
        stars=evidence.stars,
        stars_axis=Axis("Reviews (count)", 0, max(1, max(evidence.stars))),
        versions=versions,
        versions_axis=Axis("Average rating (stars, 1–5)", 1, STARS_MAX),
        overall=evidence.overall,
    )


# -- a watched app over time -------------------------------------------------------------------
def app_history(app: str, points: Sequence[HistoryPoint]) -> HistoryChart:
    """Ratings, new reviews per week and chart rank of a watched app, oldest check first."""
    ranks = [p.rank for p in points if p.rank is not None]
    reviews = [p.new_reviews for p in points if p.new_reviews is not None]
    name = short(app)
    first, last = (points[0].day, points[-1].day) if points else ("", "")
    alt = f"History of {name} from {first} to {last}, {len(points)} weekly checks."
    latest = points[-1] if points else None
    if latest is not None:
        alt += (
            f" Latest: rated {_stars(latest.rating)} overall, {_stars(latest.version_rating)} "
            f"for the current version, {_count(latest.new_reviews)} new reviews that week, "
            f"{_rank(latest.rank)} on its category's top chart."
        )
    if len(points) > 1 and points[0].rating is not None and latest and latest.rating is not None:
        alt += f" The overall rating went from {points[0].rating:.1f}★ to {latest.rating:.1f}★."
    return HistoryChart(
        title=f"{name}: ratings, reviews and chart rank",
        alt_text=_alt(alt),
        app=name,
        ratings_axis=Axis("Rating (stars, 1–5)", 1, STARS_MAX),
        reviews_axis=Axis("New reviews per week (count)", 0, max([1, *reviews])),
        rank_axis=Axis("Chart rank (#, 1 = top)", 1, max([10, *ranks])),
        points=tuple(points),
    )


def _stars(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f}★"


def _count(value: int | None) -> str:
    return "an unknown number of" if value is None else f"{value:,}"


def _rank(rank: int | None) -> str:
    return "not" if rank is None else f"#{rank}"
