"""Charts drawn as PNG bytes with matplotlib's Agg backend, off the event loop.

- matplotlib is imported on the first render only (`_draw`), so an idle worker neither loads it
  nor pays for it at start-up (`bench/charts_bench.py` measures both).
- Rendering runs on one dedicated thread (`render_chart`): a figure is a few tens of
  milliseconds of mostly C++ work on small data, so a process pool would cost a second
  interpreter with its own copy of matplotlib (~40 MB and a second of start-up) to save
  little; one thread keeps the loop free (it runs between the GIL's switch intervals) and
  serialises figures, as matplotlib's global state (font cache, rcParams) is not built for
  threads drawing at once. pyplot is never used: figures are plain `Figure`s on an Agg canvas.
- Readable on Slack's and Discord's light and dark themes: an opaque neutral card (off-white,
  near-black text) rather than a transparent background, and colour-blind-safe colours from
  the Okabe–Ito palette, never told apart by colour alone (markers, hatches, labels too).
"""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from bot.charts.values import (
    Chart,
    HistoryChart,
    OpportunityMap,
    PartsComparison,
    ReviewMix,
)

# Okabe & Ito (2008), without yellow (too faint on a light card).
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
)
SERIES = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY)
HATCHES = ("", "//", "..", "xx", "\\\\", "++")
MARKERS = ("o", "s", "^", "D", "v", "P")
CARD = "#F7F7F4"  # the picture's background: a light neutral card on any theme
INK = "#1B1B1B"
FAINT = "#6B6B6B"
GRID = "#D6D6D2"
STAR_COLOURS = (VERMILLION, ORANGE, "#999999", SKY, BLUE)  # 1★ … 5★
WIDTH, HEIGHT, DPI = 8.0, 4.5, 110  # inches and dots per inch: 880 × 495 pixels

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


async def render_chart(chart: Chart) -> bytes:
    """The chart as PNG bytes, drawn on the charts thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_charts_thread(), render_png, chart)


def _charts_thread() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
        return _executor


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (blocking: call it through `render_chart` on the loop)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Fixed margins, not a layout engine: the layouts are known, and measuring them would
    # draw every figure twice (a third of the time).
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=CARD)
    FigureCanvasAgg(figure)
    if isinstance(chart, OpportunityMap):
        figure.subplots_adjust(left=0.08, right=0.8, bottom=0.11, top=0.9)  # key on the right
        _opportunity_map(figure, chart)
    elif isinstance(chart, PartsComparison):
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.11, top=0.9)
        _parts_comparison(figure, chart)
    elif isinstance(chart, ReviewMix):
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.85, wspace=0.22)
        _review_mix(figure, chart)
    elif isinstance(chart, HistoryChart):
        figure.subplots_adjust(left=0.11, right=0.98, bottom=0.1, top=0.9, hspace=0.18)
        _history(figure, chart)
    figure.suptitle(literal(chart.title), color=INK, fontsize=13, fontweight="bold")
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD, metadata={"Software": None})
    return out.getvalue()


def literal(text: str) -> str:
    """Untrusted text drawn as it is: `$` would start mathtext."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _style(axes: Any, x_label: str, y_label: str) -> None:
    axes.set_facecolor("white")
    axes.set_xlabel(literal(x_label), color=INK, fontsize=10)
    axes.set_ylabel(literal(y_label), color=INK, fontsize=10)
    axes.tick_params(colors=INK, labelsize=9)
    axes.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(FAINT)


def _opportunity_map(figure: Any, chart: OpportunityMap) -> None:
    axes = figure.add_subplot()
    _style(axes, chart.x.label, chart.y.label)
    axes.set_xlim(chart.x.low - 1, chart.x.high + 1)
    axes.set_ylim(chart.y.low - 1, chart.y.high + 1)

    def area(size: float) -> float:
        return 40 + 560 * max(0.0, size) / chart.size_max

    points = sorted(chart.points, key=lambda p: -p.rank)  # the best drawn last, on top
    axes.scatter(
        [p.x for p in points],
        [p.y for p in points],
        s=[area(p.size) for p in points],
        c=[VERMILLION if p.rank == 1 else BLUE for p in points],
        alpha=0.8,
        edgecolors=INK,
        linewidths=0.8,
        zorder=3,
    )
    for p in points:
        if p.labelled:
            right_half = p.x > (chart.x.low + chart.x.high) / 2  # labelled towards the middle
            axes.annotate(
                literal(f"{p.rank}. {p.name} ({p.score})"),
                (p.x, p.y),
                xytext=(-10 if right_half else 10, 8),
                textcoords="offset points",
                ha="right" if right_half else "left",
                fontsize=9,
                color=INK,
                zorder=4,
            )
    axes.text(
        0.99,
        0.99,
        "better target ↗",
        transform=axes.transAxes,
        ha="right",
        va="top",
        fontsize=9,
        color=FAINT,
    )
    for value in (0.0, chart.size_max / 2, chart.size_max):  # the size key
        axes.scatter([], [], s=area(value), c="none", edgecolors=INK, label=f"{value:.0f}")
    axes.legend(
        title=literal(chart.size_label.replace(": ", ":\n", 1).replace(" (", "\n(", 1)),
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        fontsize=8,
        title_fontsize=8,
        labelspacing=1.6,
        borderpad=1,
        frameon=True,
    )


def _parts_comparison(figure: Any, chart: PartsComparison) -> None:
    axes = figure.add_subplot()
    _style(axes, "Clone score part", chart.y.label)
    axes.set_ylim(chart.y.low, chart.y.high * 1.22)  # room for the legend above the bars
    count = len(chart.groups)
    width = 0.8 / max(1, count)
    for index, group in enumerate(chart.groups):
        offsets = [i - 0.4 + width * (index + 0.5) for i in range(len(chart.categories))]
        bars = axes.bar(
            offsets,
            group.values,
            width,
            label=literal(f"{group.name} ({group.total}/100)"),
            color=SERIES[index % len(SERIES)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor=INK,
            linewidth=0.6,
        )
        axes.bar_label(bars, fmt="%.0f", fontsize=8, color=INK, padding=2)
    axes.set_xticks(range(len(chart.categories)), [literal(c) for c in chart.categories])
    axes.legend(loc="upper right", fontsize=8, frameon=True, ncols=min(3, count))


def _review_mix(figure: Any, chart: ReviewMix) -> None:
    stars, versions = figure.subplots(1, 2, width_ratios=(2, 3))
    _style(stars, chart.stars_axis.label, "Stars given")
    labels = [f"{n}★" for n in range(1, 6)]
    bars = stars.barh(labels, chart.stars, color=STAR_COLOURS, edgecolor=INK, linewidth=0.6)
    stars.bar_label(bars, fontsize=8, color=INK, padding=2)
    stars.set_xlim(0, chart.stars_axis.high * 1.2)
    stars.set_title("Star mix", fontsize=10, color=INK)
    _style(versions, "App version (oldest first)", chart.versions_axis.label)
    versions.set_ylim(chart.versions_axis.low - 0.2, chart.versions_axis.high + 0.3)
    versions.set_title("Rating by version", fontsize=10, color=INK)
    if not chart.versions:
        versions.text(
            0.5,
            0.5,
            "No version had enough reviews",
            transform=versions.transAxes,
            ha="center",
            color=FAINT,
        )
        versions.set_xticks([])
    else:
        xs = range(len(chart.versions))
        averages = [v.average for v in chart.versions]
        versions.plot(xs, averages, color=BLUE, marker="o", linewidth=2, label="average")
        worse = [(x, v.average) for x, v in zip(xs, chart.versions, strict=True) if v.regressed]
        if worse:
            versions.scatter(
                [x for x, _ in worse],
                [y for _, y in worse],
                marker="v",
                s=110,
                color=VERMILLION,
                edgecolors=INK,
                zorder=4,
                label="worse than the version before",
            )
        versions.set_xticks(list(xs), [literal(v.version) for v in chart.versions])
        versions.tick_params(axis="x", labelrotation=30)
    if chart.overall is not None:
        versions.axhline(
            chart.overall,
            color=FAINT,
            linestyle="--",
            linewidth=1.2,
            label=f"overall {chart.overall:.1f}★",
        )
    if chart.versions or chart.overall is not None:
        versions.legend(loc="lower left", fontsize=8, frameon=True)


def _history(figure: Any, chart: HistoryChart) -> None:
    ratings, reviews, ranks = figure.subplots(3, 1, sharex=True, height_ratios=(3, 2, 2))
    days = [date.fromisoformat(p.day) for p in chart.points]
    _style(ratings, "", chart.ratings_axis.label)
    ratings.set_ylim(chart.ratings_axis.low - 0.2, chart.ratings_axis.high + 0.2)
    series = (
        ("overall", [p.rating for p in chart.points], BLUE, "o", "-"),
        ("current version", [p.version_rating for p in chart.points], VERMILLION, "s", "--"),
    )
    for label, values, colour, marker, line in series:
        shown = [(d, v) for d, v in zip(days, values, strict=True) if v is not None]
        if shown:
            ratings.plot(
                [d for d, _ in shown],
                [v for _, v in shown],
                color=colour,
                marker=marker,
                linestyle=line,
                linewidth=2,
                label=label,
            )
    ratings.legend(loc="lower left", fontsize=8, frameon=True, ncols=2)
    _style(reviews, "", chart.reviews_axis.label.replace(" per week (count)", "\nper week"))
    weeks = zip(days, chart.points, strict=True)
    counted = [(d, p.new_reviews) for d, p in weeks if p.new_reviews is not None]
    reviews.bar(
        [d for d, _ in counted],
        [n for _, n in counted],
        width=4,
        color=GREEN,
        edgecolor=INK,
        linewidth=0.6,
    )
    reviews.set_ylim(0, chart.reviews_axis.high * 1.15)
    rank_label = chart.rank_axis.label.replace(" (#, 1 = top)", "\n(#1 = top)")
    _style(ranks, "Week of the check", rank_label)
    placed = [(d, p.rank) for d, p in zip(days, chart.points, strict=True) if p.rank is not None]
    if placed:
        ranks.plot(
            [d for d, _ in placed], [r for _, r in placed], color=PURPLE, marker="D", linewidth=2
        )
    else:
        ranks.text(
            0.5, 0.5, "Not on the top chart", transform=ranks.transAxes, ha="center", color=FAINT
        )
    ranks.set_ylim(chart.rank_axis.high * 1.1 + 1, 0)  # #1 on top
