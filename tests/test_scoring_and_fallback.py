"""The clone score holds to its stated directions; fallback advice quotes only real facts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.advice.fallback import advise
from bot.advice.playbooks import PLAYBOOKS, category_guessed_from
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
from bot.appstore.catalog import AppInfo
from bot.appstore.categories import category_named
from bot.commands import Command, CommandKind

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


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text))


def test_fallback_numbers_all_come_from_the_facts() -> None:
    app = AppInfo(
        track_id=1,
        name="Old Calc",
        category="Utilities",
        rating=2.8,
        rating_count=1_234,
        current_version_rating=1.9,
        price=2.99,
        formatted_price="$2.99",
        last_update=TODAY - timedelta(days=800),
    )
    advice = advise(Command(CommandKind.ANALYSIS, "Old Calc"), app, today=TODAY)
    text = advice.text
    assert "2.8★ from 1,234 ratings" in text
    assert "current version rates 1.9★" in text
    assert "800 days ago" in text
    assert "$2.99 up front" in text
    allowed = _numbers(
        " ".join(
            [
                "2.8 1,234 1.9 800 2.99 1 2",
                PLAYBOOKS["Utilities"].monetization,
                PLAYBOOKS["Utilities"].stack,
                *PLAYBOOKS["Utilities"].improvements,
                f"{PLAYBOOKS['Utilities'].weeks[0]} {PLAYBOOKS['Utilities'].weeks[1]}",
            ]
        )
    )
    assert _numbers(text) <= allowed


def test_fallback_without_facts_guesses_the_category_and_says_so() -> None:
    advice = advise(Command(CommandKind.ANALYSIS, "Calculator Pro"), today=TODAY)
    assert advice.category == "Utilities"
    assert advice.category_guessed
    assert "_Category guessed from the name: Utilities._" in advice.text
    assert PLAYBOOKS["Utilities"].monetization in advice.text


def test_each_use_case_has_its_own_advice() -> None:
    analysis = advise(Command(CommandKind.ANALYSIS, "Zzz"), today=TODAY).text
    build = advise(Command(CommandKind.BUILD, "Zzz"), today=TODAY).text
    gaps = advise(Command(CommandKind.GAPS, "health"), today=TODAY).text
    assert "**Monetization**" in analysis and "**Build estimate**" in analysis
    assert "**Stack**" in build and "**Timeline**" in build
    assert "**Market gaps in Health & Fitness**" in gaps
    assert PLAYBOOKS["Health & Fitness"].gaps[0] in gaps


def test_gaps_advice_names_weak_top_apps_with_their_numbers() -> None:
    top = (
        AppInfo(track_id=1, name="Meh Scanner", rating=2.9, rating_count=3_210),
        AppInfo(track_id=2, name="Great Timer", rating=4.8, rating_count=99_000),
    )
    text = advise(Command(CommandKind.GAPS, "Utilities"), top_apps=top, today=TODAY).text
    unhappy = text.split("**Leaders users are unhappy with**")[1]
    assert "- Meh Scanner (2.9★ from 3,210 ratings)" in unhappy
    assert "Great Timer" not in text


def test_category_names_and_guesses() -> None:
    assert category_named("utilities") == "Utilities"
    assert category_named("Health & Fitness") == "Health & Fitness"
    assert category_named("health and fitness") == "Health & Fitness"
    assert category_named("photo") == "Photo & Video"
    assert category_named("nonsense") is None
    assert category_guessed_from("Super Workout Timer") == "Utilities"  # first rule wins
    assert category_guessed_from("Yoga Daily") == "Health & Fitness"
    assert category_guessed_from("Zzz") is None
