"""The clone score holds to its stated directions (property-tested) and explains itself."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.advice.scoring import (
    BUILD_SIMPLICITY,
    DEMAND_PEAK_HIGH,
    DEMAND_PEAK_LOW,
    NEUTRAL,
    PART_MAX,
    clone_score,
    demand_points,
    dissatisfaction_points,
    staleness_points,
)
from bot.appstore import AppInfo

TODAY = date(2026, 11, 23)
counts = st.integers(min_value=0, max_value=50_000_000)
ratings = st.floats(min_value=1.0, max_value=5.0, allow_nan=False)
optional_ratings = st.none() | ratings
days = st.integers(min_value=0, max_value=20_000)

apps = st.builds(
    AppInfo,
    track_id=st.integers(1, 10**10),
    name=st.text(min_size=1, max_size=30),
    category=st.none() | st.sampled_from([*BUILD_SIMPLICITY, "Unknown Genre"]),
    rating=optional_ratings,
    rating_count=st.none() | counts,
    current_version_rating=optional_ratings,
    last_update=st.none() | st.dates(date(2008, 1, 1), TODAY),
)


@given(apps)
def test_score_is_bounded_and_explained(app: AppInfo) -> None:
    score = clone_score(app, TODAY)
    assert 0 <= score.total <= 100
    assert [p.name for p in score.parts] == [
        "demand",
        "dissatisfaction",
        "staleness",
        "build simplicity",
    ]
    for part in score.parts:
        assert 0 <= part.points <= PART_MAX
        assert part.reason
    assert abs(score.total - sum(p.points for p in score.parts)) <= 0.5


@given(counts, counts)
def test_demand_rises_to_the_plateau_then_falls_for_giants(a: int, b: int) -> None:
    low, high = sorted((a, b))
    if high <= DEMAND_PEAK_LOW:
        assert demand_points(low) <= demand_points(high)
    if low >= DEMAND_PEAK_HIGH:
        assert demand_points(low) >= demand_points(high)
    if DEMAND_PEAK_LOW <= low <= high <= DEMAND_PEAK_HIGH:
        assert demand_points(low) == demand_points(high) == PART_MAX


@given(ratings, ratings, optional_ratings)
def test_lower_rating_means_more_dissatisfaction(a: float, b: float, cv: float | None) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(low, cv) >= dissatisfaction_points(high, cv)


@given(ratings, ratings, ratings)
def test_lower_current_version_rating_means_more_dissatisfaction(
    overall: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(overall, low) >= dissatisfaction_points(overall, high)


@given(days, days)
def test_older_apps_are_staler(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert staleness_points(low) <= staleness_points(high)


def test_missing_inputs_are_neutral_and_marked_estimated() -> None:
    score = clone_score(AppInfo(track_id=1, name="Mystery", rating=0.0, rating_count=0), TODAY)
    by_name = {p.name: p for p in score.parts}
    for name in ("dissatisfaction", "staleness", "build simplicity"):
        assert by_name[name].estimated
        assert by_name[name].points == NEUTRAL
    assert by_name["dissatisfaction"].reason == "no ratings yet"
    assert score.estimated


