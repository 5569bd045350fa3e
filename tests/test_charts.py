"""The data behind each chart is the report's (checked against the report, not pixels), the right
report gets the right chart, and a few real PNGs are drawn: a PNG's header, its dimensions, and
untrusted names drawn literally. matplotlib is imported only when a chart is drawn."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date

import pytest

from bot.advice import (
    ChartRanks,
    ComparedApp,
    Opportunity,
    ReviewEvidence,
    VersionStats,
    clone_score,
    opportunity_score,
)
from bot.appstore import AppInfo
from bot.charts import (
    LABELLED,
    HistoryChart,
    OpportunityMap,
    PartsComparison,
    ReviewMix,
    chart_data,
    chart_for,
    render_chart,
    render_png,
)
from bot.charts import render as chart_render
from bot.commands import parse
from bot.report import AppHistory, HistoryPoint, Report, ReportKind, Source
from bot.views import reply_view
from tests.conftest import ServiceFactory
from tests.fake_slack_files import png_problem, png_size
from tests.helpers import ROOT

TODAY = date(2026, 11, 23)
WIDTH, HEIGHT = 880, 495


def app(track_id: int, name: str, **facts: object) -> AppInfo:
    values: dict[str, object] = {
        "track_id": track_id,
        "name": name,
        "seller": "Someone",
        "category": "Finance",
        "rating": 3.9,
        "rating_count": 12_000,
        "current_version_rating": 3.1,
        "price": 0.0,
        "last_update": date(2024, 1, 1),
        **facts,
    }
    return AppInfo(**values)  # type: ignore[arg-type]


def evidence(stars: tuple[int, int, int, int, int] = (9, 3, 4, 10, 24)) -> ReviewEvidence:
    versions = (
        VersionStats("7.1", 14, 4.4),
        VersionStats("7.2", 20, 4.1),
        VersionStats("8.0", 16, 2.6, regressed=True),
    )
    return ReviewEvidence(
        count=sum(stars),
        recent=sum(stars),
        themed=sum(stars),
        first_day="2026-10-01",
        last_day="2026-11-20",
        average=3.7,
        overall=4.2,
        stars=stars,
        versions=versions,
        complaints=(),
        praise=(),
        requests=(),
        quotes=(),
    )


def ranked(count: int = 6) -> tuple[Opportunity, ...]:
    found = []
    for n in range(count):
        info = app(100 + n, f"Ledger {n}", rating=3.0 + n / 5, rating_count=1_000 * (n + 1))
        score = opportunity_score(info, TODAY, grossing_rank=n + 3)
        found.append(Opportunity(info, score, None, ChartRanks(free=n + 1), "why"))
    return tuple(sorted(found, key=lambda o: -o.score.exact_total))


def png_dimensions(png: bytes) -> tuple[int, int] | None:
    assert png_problem(png) is None
    return png_size(png)


# -- which report gets which chart -----------------------------------------------------------
def test_each_kind_of_report_gets_its_chart_and_private_replies_none() -> None:
    find = Report(ReportKind.FIND, "Finance", "", Source.FALLBACK, opportunities=ranked())
    score = clone_score(app(1, "A"), TODAY)
    rows = (ComparedApp(app(1, "A"), score), ComparedApp(app(2, "B"), score))
    compare = Report(ReportKind.COMPARE, "A, B", "", Source.FALLBACK, comparison=rows)
    analysis = Report(ReportKind.ANALYSIS, "A", "", Source.AI, app(1, "A"), reviews=evidence())
    history = AppHistory("A", 1, (HistoryPoint("2026-11-01", 4.1, 3.9, 12, 5),))
    alerts = Report(ReportKind.ALERTS, "Trend watch", "", history=history)
    assert isinstance(chart_for(find), OpportunityMap)
    assert isinstance(chart_for(compare), PartsComparison)
    assert isinstance(chart_for(analysis), ReviewMix)
    assert isinstance(chart_for(alerts), HistoryChart)
    assert reply_view(find).chart == chart_for(find)  # the view carries it to every platform
    no_reviews = Report(ReportKind.ANALYSIS, "A", "", Source.AI, app(1, "A"))
    assert chart_for(no_reviews) is None
    assert chart_for(Report(ReportKind.HELP, "", "usage")) is None
    assert reply_view(Report(ReportKind.ERROR, "", "no")).chart is None


# -- the data, against the report -------------------------------------------------------------
async def test_the_opportunity_map_places_each_pick_by_its_score_parts(
    make_grounded_service: ServiceFactory, appstore: object
) -> None:
    from tests.fake_market import build_market

    build_market().install(appstore)  # type: ignore[arg-type]
    report = await make_grounded_service().handle(parse("find Finance"))
    chart = chart_for(report)
    assert isinstance(chart, OpportunityMap)
    assert len(chart.points) == len(report.opportunities) > 0
    for rank, (point, found) in enumerate(zip(chart.points, report.opportunities, strict=True), 1):
        assert point.rank == rank and point.name == found.app.name[:28]
        assert point.x == found.score.part("demand").points
        assert point.y == found.score.part("dissatisfaction").points
        assert point.size == found.score.part("staleness").points
        assert point.score == found.score.total
        assert point.labelled == (rank <= LABELLED)
    assert chart.title == "Opportunities in Finance"
    assert chart.x.label == "Demand (score points, of 20)" and (chart.x.low, chart.x.high) == (
        0,
        20,
    )
    assert chart.y.label == "Dissatisfaction (score points, of 30)" and chart.y.high == 30
    assert "staleness" in chart.size_label and chart.size_max == 15
    top = report.opportunities[0]
    assert f"1. {top.app.name} (score {top.score.total}" in chart.alt_text
    assert len(chart.alt_text) <= 1000


def test_only_the_top_five_are_named_on_the_map() -> None:
    report = Report(ReportKind.FIND, "Finance", "", Source.FALLBACK, opportunities=ranked(7))
    chart = chart_for(report)
    assert isinstance(chart, OpportunityMap)
    assert [p.labelled for p in chart.points] == [True] * 5 + [False] * 2


async def test_compare_shows_each_apps_clone_score_parts_side_by_side(
    make_grounded_service: ServiceFactory,
) -> None:
    report = await make_grounded_service().handle(parse("compare Facebook, Webster Bank"))
    chart = chart_for(report)
    assert isinstance(chart, PartsComparison)
    assert chart.categories == ("demand", "dissatisfaction", "staleness", "build simplicity")
    assert [g.name for g in chart.groups] == [row.app.name for row in report.comparison]
    for group, row in zip(chart.groups, report.comparison, strict=True):
        assert group.values == tuple(part.points for part in row.score.parts)
        assert group.total == row.score.total
        assert f"{group.name} {group.total}/100" in chart.alt_text
    assert chart.y.label == "Score points (of 25 per part)" and chart.y.high == 25


async def test_an_analysis_shows_the_star_mix_and_the_rating_by_version(
    make_grounded_service: ServiceFactory,
) -> None:
    report = await make_grounded_service().handle(parse("Webster Bank"))
    assert report.reviews is not None
    chart = chart_for(report)
    assert isinstance(chart, ReviewMix)
    assert chart.stars == report.reviews.stars and sum(chart.stars) == report.reviews.count
    assert [v.version for v in chart.versions] == [v.version for v in report.reviews.versions][-8:]
    assert [v.average for v in chart.versions] == [
        round(v.average, 2) for v in report.reviews.versions
    ][-8:]
    assert chart.overall == report.reviews.overall
    assert chart.title == f"What Webster Bank's users say: {report.reviews.count} reviews read"
    assert chart.stars_axis.label == "Reviews (count)"
    assert chart.versions_axis.label == "Average rating (stars, 1–5)"
    assert f"Star mix of the {report.reviews.count} reviews read: 1★" in chart.alt_text


def test_the_history_chart_keeps_every_check_and_says_the_latest() -> None:
    points = (
        HistoryPoint("2026-11-02", 4.3, 4.2, 30, 12),
        HistoryPoint("2026-11-09", 4.2, 3.6, 55, None),
        HistoryPoint("2026-11-16", 4.1, 3.1, 80, 18),
    )
    report = Report(ReportKind.DIGEST, "Digest", "", history=AppHistory("PCalc", 1, points))
    chart = chart_for(report)
    assert isinstance(chart, HistoryChart)
    assert chart.points == points
    assert chart.reviews_axis.high == 80 and chart.rank_axis.high == 18
    assert "Latest: rated 4.1★ overall, 3.1★ for the current version, 80 new reviews" in (
        chart.alt_text
    )
    assert "#18 on its category's top chart" in chart.alt_text
    assert "went from 4.3★ to 4.1★" in chart.alt_text


def test_the_json_form_is_the_data_without_a_picture() -> None:
    chart = chart_for(
        Report(ReportKind.ANALYSIS, "A", "", Source.AI, app(1, "A"), reviews=evidence())
    )
    assert chart is not None
    data = chart_data(chart)
    assert data["type"] == "review_mix"
    assert data["stars"] == [9, 3, 4, 10, 24]
    assert data["versions"][-1] == {
        "version": "8.0",
        "average": 2.6,
        "count": 16,
        "regressed": True,
    }
    assert "filename" not in data and data["alt_text"] == chart.alt_text


# -- real pictures ------------------------------------------------------------------------------
def test_every_chart_draws_a_png_of_the_same_size_with_hostile_names() -> None:
    hostile = "$\\frac{1}{0}$ Bank \\ <@U1> $$"  # mathtext, backslashes, a mention
    score = clone_score(app(1, hostile), TODAY)
    charts = [
        chart_for(Report(ReportKind.FIND, "Fin$ance", "", opportunities=ranked())),
        chart_for(
            Report(
                ReportKind.COMPARE,
                "",
                "",
                comparison=(ComparedApp(app(1, hostile), score), ComparedApp(app(2, "B"), score)),
            )
        ),
        chart_for(
            Report(ReportKind.ANALYSIS, hostile, "", app=app(1, hostile), reviews=evidence())
        ),
        chart_for(
            Report(
                ReportKind.ALERTS,
                "",
                "",
                history=AppHistory(
                    hostile,
                    1,
                    (
                        HistoryPoint("2026-11-02", 4.3, None, None, None),
                        HistoryPoint("2026-11-09", 4.2, 3.6, 55, 7),
                    ),
                ),
            )
        ),
    ]
    for chart in charts:
        assert chart is not None
        png = render_png(chart)
        assert png_dimensions(png) == (WIDTH, HEIGHT)
        assert len(png) < 300_000


def test_a_review_mix_without_versions_or_reviews_still_draws() -> None:
    empty = ReviewEvidence(0, 0, 0, None, None, None, None, (0, 0, 0, 0, 0), (), (), (), (), ())
    chart = chart_for(
        Report(ReportKind.ANALYSIS, "A", "", app=app(1, "A"), reviews=evidence((0, 0, 0, 0, 1)))
    )
    assert chart is not None
    assert png_dimensions(render_png(chart)) == (WIDTH, HEIGHT)
    assert chart_for(Report(ReportKind.ANALYSIS, "A", "", app=app(1, "A"), reviews=empty)) is None


async def test_charts_are_drawn_on_their_own_thread_not_the_loop() -> None:
    drawn_on: list[str] = []
    original = chart_render.render_png

    def spy(chart: object) -> bytes:
        drawn_on.append(threading.current_thread().name)
        return original(chart)  # type: ignore[arg-type]

    chart = chart_for(Report(ReportKind.FIND, "Finance", "", opportunities=ranked(2)))
    assert chart is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart_render, "render_png", spy)
        png = await render_chart(chart)
    assert png.startswith(b"\x89PNG")
    assert drawn_on and drawn_on[0].startswith("charts")
    assert drawn_on[0] != threading.current_thread().name


def test_an_idle_worker_never_imports_matplotlib() -> None:
    """Every module a worker loads at start-up, and a reply view with a chart: no matplotlib
    until a chart is drawn."""
    code = (
        "import sys, bot.app, bot.charts, bot.views, adapters.slack, adapters.discord, "
        "adapters.console\n"
        "assert 'matplotlib' not in sys.modules, 'imported at start-up'\n"
        "from bot.charts import render_png\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_colour_blind_safe_palette_on_a_neutral_card() -> None:
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(chart_render.SERIES) <= okabe_ito
    assert set(chart_render.STAR_COLOURS) - {"#999999"} <= okabe_ito
    assert chart_render.CARD.startswith("#F")  # opaque and light: reads on both themes
