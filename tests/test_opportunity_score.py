"""The opportunity score holds to its formula and its stated directions (property-tested), and
explains itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.advice import WEIGHTS, OpportunityScore, ReviewEvidence, Theme, opportunity_score
from bot.advice.opportunity import (
    complaint_points,
    grossing_points,
    opportunity_dissatisfaction,
    price_points,
)
from bot.appstore import AppInfo

TODAY = date(2026, 11, 23)
PARTS = ["demand", "dissatisfaction", "staleness", "monetisation", "build simplicity"]
ratings = st.floats(min_value=1.0, max_value=5.0, allow_nan=False)
optional_ratings = st.none() | ratings
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
optional_shares = st.none() | shares
ranks = st.integers(min_value=1, max_value=200)
prices = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)

apps = st.builds(
    AppInfo,
    track_id=st.integers(1, 10**10),
    name=st.text(min_size=1, max_size=30),
    category=st.none() | st.sampled_from(["Finance", "Utilities", "Games", "Unknown Genre"]),
    rating=optional_ratings,
    rating_count=st.none() | st.integers(0, 50_000_000),
    current_version_rating=optional_ratings,
    price=st.none() | prices,
    last_update=st.none() | st.dates(date(2008, 1, 1), TODAY),
)


def evidence(stars: tuple[int, int, int, int, int], complaint: int = 0) -> ReviewEvidence:
    count = sum(stars)
    average = sum(n * (i + 1) for i, n in enumerate(stars)) / count if count else None
    themes = (Theme("crashes", "crashes & bugs", complaint),) if complaint else ()
    return ReviewEvidence(
        count=count,
        recent=count,
        themed=count,
        first_day=None,
        last_day=None,
        average=round(average, 2) if average is not None else None,
        overall=None,
        stars=stars,
        versions=(),
        complaints=themes,
        praise=(),
        requests=(),
        quotes=(),
    )


star_counts = st.tuples(*[st.integers(0, 40)] * 5)
reviews = st.none() | star_counts.flatmap(
    lambda stars: st.integers(0, sum(stars)).map(lambda n: evidence(stars, n))
)


@given(apps, st.none() | ranks, st.booleans(), reviews)
def test_score_is_bounded_and_explained(
    app: AppInfo, rank: int | None, read: bool, found: ReviewEvidence | None
) -> None:
    score = opportunity_score(app, TODAY, grossing_rank=rank, grossing_read=read, reviews=found)
    assert 0 <= score.total <= 100
    assert [part.name for part in score.parts] == PARTS
    for part in score.parts:
        assert 0 <= part.points <= OpportunityScore.out_of(part) + 1e-9
        assert part.reason
    assert abs(score.total - score.exact_total) <= 0.5
    assert sum(WEIGHTS.values()) == 100


@given(ratings, ratings, optional_ratings, optional_ratings, optional_shares, optional_shares)
def test_a_lower_overall_rating_means_more_dissatisfaction(
    a: float,
    b: float,
    cv: float | None,
    recent: float | None,
    low: float | None,
    complaint: float | None,
) -> None:
    worse, better = sorted((a, b))
    assert opportunity_dissatisfaction(
        worse, cv, recent, low, complaint
    ) >= opportunity_dissatisfaction(better, cv, recent, low, complaint)


@given(ratings, ratings, ratings, optional_ratings, optional_shares, optional_shares)
def test_a_lower_current_version_rating_means_more_dissatisfaction(
    overall: float,
    a: float,
    b: float,
    recent: float | None,
    low: float | None,
    complaint: float | None,
) -> None:
    worse, better = sorted((a, b))
    assert opportunity_dissatisfaction(
        overall, worse, recent, low, complaint
    ) >= opportunity_dissatisfaction(overall, better, recent, low, complaint)


@given(ratings, optional_ratings, ratings, ratings, optional_shares, optional_shares)
def test_a_lower_recent_average_means_more_dissatisfaction(
    overall: float,
    cv: float | None,
    a: float,
    b: float,
    low: float | None,
    complaint: float | None,
) -> None:
    worse, better = sorted((a, b))
    assert opportunity_dissatisfaction(
        overall, cv, worse, low, complaint
    ) >= opportunity_dissatisfaction(overall, cv, better, low, complaint)


@given(ratings, optional_ratings, optional_ratings, shares, shares, optional_shares)
def test_more_low_star_reviews_mean_more_dissatisfaction(
    overall: float, cv: float | None, recent: float | None, a: float, b: float, c: float | None
) -> None:
    fewer, more = sorted((a, b))
    assert opportunity_dissatisfaction(overall, cv, recent, more, c) >= (
        opportunity_dissatisfaction(overall, cv, recent, fewer, c)
    )


@given(ratings, optional_ratings, optional_ratings, optional_shares, shares, shares)
def test_more_complaints_mean_more_dissatisfaction(
    overall: float, cv: float | None, recent: float | None, low: float | None, a: float, b: float
) -> None:
    fewer, more = sorted((a, b))
    assert opportunity_dissatisfaction(overall, cv, recent, low, more) >= (
        opportunity_dissatisfaction(overall, cv, recent, low, fewer)
    )
    assert complaint_points(more) >= complaint_points(fewer)
    assert opportunity_dissatisfaction(overall, cv, recent, low, more) <= 30


@given(ranks, ranks)
def test_a_better_grossing_rank_earns_more_and_any_rank_beats_none(a: int, b: int) -> None:
    better, worse = sorted((a, b))
    assert grossing_points(better) >= grossing_points(worse) >= grossing_points(None) == 0
    assert grossing_points(1) == 14 and round(grossing_points(200), 6) == 4.2


@given(prices, prices)
def test_a_higher_price_earns_more(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 0 <= price_points(low) <= price_points(high) <= 6


@given(apps, st.integers(0, 5000), st.integers(0, 5000))
def test_an_older_update_is_staler(app: AppInfo, a: int, b: int) -> None:
    recent, older = sorted((a, b))

    def staleness(days: int) -> float:
        dated = replace(app, last_update=TODAY - timedelta(days=days))
        return opportunity_score(dated, TODAY).part("staleness").points

    assert staleness(recent) <= staleness(older) <= 15


@given(apps, ratings, ratings, st.none() | ranks, reviews)
def test_the_whole_score_never_rises_with_the_rating(
    app: AppInfo, a: float, b: float, rank: int | None, found: ReviewEvidence | None
) -> None:
    worse, better = sorted((a, b))
    rated = replace(app, rating_count=app.rating_count or 100)

    def total(rating: float) -> float:
        scored = replace(rated, rating=rating)
        return opportunity_score(scored, TODAY, grossing_rank=rank, reviews=found).exact_total

    assert total(worse) >= total(better) - 1e-9


def test_missing_inputs_are_neutral_and_marked_estimated() -> None:
    score = opportunity_score(
        AppInfo(track_id=1, name="Mystery", rating=None, rating_count=None),
        TODAY,
        grossing_read=False,
    )
    points = {part.name: part.points for part in score.parts}
    assert points == {
        "demand": 10,
        "dissatisfaction": 15,
        "staleness": 7.5,
        "monetisation": 7 + 3,
        "build simplicity": 7.5,
    }
    assert all(part.estimated for part in score.parts)
    assert score.total == 50


def test_reviews_not_read_count_as_neutral_complaints() -> None:
    app = AppInfo(track_id=1, name="Ledger", rating=4.0, rating_count=20_000, price=0.0)
    unread = opportunity_score(app, TODAY).part("dissatisfaction")
    assert unread.estimated and "reviews not read" in unread.reason
    content = opportunity_score(app, TODAY, reviews=evidence((0, 0, 5, 20, 25)))
    assert not content.part("dissatisfaction").estimated
    assert content.part("dissatisfaction").points < unread.points  # happy users: less room


def test_the_formula_as_documented_for_a_planted_opportunity() -> None:
    app = AppInfo(
        track_id=1,
        name="PennyWise Budget",
        category="Finance",
        rating=4.1,
        rating_count=38_400,
        current_version_rating=1.9,
        price=0.0,
        last_update=TODAY - timedelta(days=1130),
    )
    found = evidence((29, 9, 4, 4, 4), complaint=31)  # 1.9★ newest, 38 of 50 at 1–2★
    score = opportunity_score(app, TODAY, grossing_rank=38, reviews=found)
    points = {part.name: round(part.points, 2) for part in score.parts}
    # demand full (1k–50k ratings); D = min(25, 4.5 + max(5, 10) + 5) = 19.5, C = 5;
    # staleness full; G = 14 × (1 − 0.7 × log10 38 / log10 200); Finance 10/25 × 15.
    assert points == {
        "demand": 20.0,
        "dissatisfaction": 24.5,
        "staleness": 15.0,
        "monetisation": 7.27,
        "build simplicity": 6.0,
    }
    assert score.total == 73
    assert "31 of 50 report crashes & bugs" in score.part("dissatisfaction").reason


def test_a_fortress_scores_low_even_at_the_top_of_the_charts() -> None:
    fortress = AppInfo(
        track_id=2,
        name="Fortress Bank",
        category="Finance",
        rating=4.8,
        rating_count=3_200_000,
        current_version_rating=4.8,
        price=0.0,
        last_update=TODAY - timedelta(days=6),
    )
    loved = evidence((0, 0, 0, 5, 45))
    assert opportunity_score(fortress, TODAY, grossing_rank=1, reviews=loved).total < 35
