"""Pictures where people would rather look than read: a chart's data built from a report
(`chart_for`; values in `values`), drawn as a PNG by `render_chart` (matplotlib, Agg, on one
thread, imported on first use)."""

from bot.charts.data import (
    LABELLED,
    app_history,
    chart_for,
    opportunity_map,
    parts_comparison,
    review_mix,
)
from bot.charts.render import literal, render_chart, render_png
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
    chart_data,
)

__all__ = [
    "LABELLED",
    "Axis",
    "BarGroup",
    "Chart",
    "HistoryChart",
    "MapPoint",
    "OpportunityMap",
    "PartsComparison",
    "ReviewMix",
    "VersionPoint",
    "app_history",
    "chart_data",
    "chart_for",
    "literal",
    "opportunity_map",
    "parts_comparison",
    "render_chart",
    "render_png",
    "review_mix",
]
