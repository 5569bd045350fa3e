"""Charts as values: what a picture shows — its points or bars, labels, title, axes with their
units and its alt text — built in the core from a report and drawn by `render` alone.

Every chart is a frozen dataclass with `title`, `alt_text` and `filename`; `chart_data` is its
JSON form (what `--json` carries instead of the picture). Text in a chart that came from the App
Store (app names, versions) is untrusted: the renderer draws it literally.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.report import HistoryPoint, json_ready


@dataclass(frozen=True)
class Axis:
    label: str  # with its unit: "Demand (score points, of 20)"
    low: float
    high: float


@dataclass(frozen=True)
class MapPoint:
    """One app on the opportunity map."""

    rank: int  # 1 = the best opportunity
    name: str
    x: float  # demand points
    y: float  # dissatisfaction points
    size: float  # staleness points
    score: int  # the opportunity score, 0–100
    labelled: bool  # the top 5 carry their names


@dataclass(frozen=True)
class OpportunityMap:
    """`/scout find`: demand against dissatisfaction, point size for staleness."""

    title: str
    alt_text: str
    x: Axis
    y: Axis
    size_label: str  # what a point's size means, with its unit
    size_max: float  # the most the size part can score
    points: tuple[MapPoint, ...]
    filename: str = "opportunity-map.png"


@dataclass(frozen=True)
class BarGroup:
    """One app's bars: a value per category, in the chart's category order."""

    name: str
    values: tuple[float, ...]
    total: int  # its score, 0–100


@dataclass(frozen=True)
class PartsComparison:
    """`/scout compare`: each app's clone score parts side by side."""

    title: str
    alt_text: str
    categories: tuple[str, ...]  # the parts
    y: Axis
    groups: tuple[BarGroup, ...]
    filename: str = "compare.png"


@dataclass(frozen=True)
class VersionPoint:
    version: str
    average: float  # stars, 1–5
    count: int  # reviews of that version read
    regressed: bool  # at least half a star below the version before


@dataclass(frozen=True)
class ReviewMix:
    """An analysis' evidence: the star mix of the reviews read and the rating by version."""

    title: str
    alt_text: str
    stars: tuple[int, int, int, int, int]  # how many 1★ … 5★
    stars_axis: Axis  # reviews (count)
    versions: tuple[VersionPoint, ...]  # oldest first
    versions_axis: Axis  # average stars
    overall: float | None  # the App Store's overall rating, drawn as a reference line
    filename: str = "reviews.png"


@dataclass(frozen=True)
class HistoryChart:
    """A watched app over time: ratings, new reviews per week and chart rank."""

    title: str
    alt_text: str
    app: str
    ratings_axis: Axis
    reviews_axis: Axis
    rank_axis: Axis
    points: tuple[HistoryPoint, ...]  # oldest first
    filename: str = "history.png"


Chart = OpportunityMap | PartsComparison | ReviewMix | HistoryChart

CHART_TYPES: dict[type[Any], str] = {
    OpportunityMap: "opportunity_map",
    PartsComparison: "parts_comparison",
    ReviewMix: "review_mix",
    HistoryChart: "app_history",
}


def chart_data(chart: Chart) -> dict[str, Any]:
    """The chart's data for JSON: `{type, title, alt_text, …}`, no picture."""
    data: dict[str, Any] = json_ready(asdict(chart))
    data.pop("filename", None)
    return {"type": CHART_TYPES[type(chart)], **data}
