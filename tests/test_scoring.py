"""The clone score holds to its stated directions (property-tested) and explains itself."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.advice import ReviewEvidence, Theme, summarise
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
from bot.appstore import AppInfo, Review

TODAY = date(2026, 11, 23)
counts = st.integers(min_value=0, max_value=50_000_000)
ratings = st.floats(min_value=1.0, max_value=5.0, allow_nan=False)
optional_ratings = st.none() | ratings
days = st.integers(min_value=0, max_value=20_000)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
optional_shares = st.none() | shares

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


# -- the clone score listens to reviews ------------------------------------------------------
def evidence(stars: tuple[int, int, int, int, int], overall: float | None = None) -> ReviewEvidence:
    """The evidence of newest reviews with these counts of 1★ … 5★."""
    count = sum(stars)
    average = sum(n * (i + 1) for i, n in enumerate(stars)) / count if count else None
    return ReviewEvidence(
        count=count,
        recent=count,
        themed=count,
        first_day=None,
        last_day=None,
        average=round(average, 2) if average is not None else None,
        overall=overall,
        stars=stars,
        versions=(),
        complaints=(Theme("crashes", "crashes & bugs", stars[0]),) if stars[0] else (),
        praise=(),
        requests=(),
        quotes=(),
    )


star_counts = st.tuples(*[st.integers(0, 60)] * 5).filter(lambda s: sum(s) >= 10)


def dissatisfaction(app: AppInfo, reviews: ReviewEvidence | None = None) -> float:
    return next(p for p in clone_score(app, TODAY, reviews).parts if p.name == "dissatisfaction")


def test_an_app_loved_overall_but_panned_now_is_not_scored_as_content() -> None:
    app = AppInfo(track_id=1, name="Slipping", rating=4.7, rating_count=80_000)
    # The 50 newest reviews average 3.3★: 18 of them give 1–2★.
    now = evidence((12, 6, 4, 11, 17), overall=4.7)
    assert now.average == 3.3
    before = dissatisfaction(app)
    after = dissatisfaction(app, now)
    assert before.points < 2  # what the overall rating alone says
    assert after.points >= 10  # what users say now
    assert "newest 50 reviews average 3.3★" in after.reason
    assert "18 of 50 give 1–2★" in after.reason
    assert clone_score(app, TODAY, now).total > clone_score(app, TODAY).total


def test_reviews_from_real_feeds_count_through_summarise() -> None:
    reviews = [
        Review(str(n), 1 if n < 30 else 5, "Crashes", "It crashes on launch") for n in range(50)
    ]
    app = AppInfo(track_id=1, name="Crashy", rating=4.5, rating_count=5_000)
    part = dissatisfaction(app, summarise(reviews, overall=4.5))
    assert part.points > dissatisfaction(app).points
    assert "30 of 50 give 1–2★" in part.reason


def test_reviews_that_agree_with_the_rating_change_little() -> None:
    app = AppInfo(track_id=1, name="Steady", rating=4.5, rating_count=5_000)
    agreeing = evidence((2, 1, 3, 10, 34))  # 4.46★, 6 % at 1–2★
    assert abs(dissatisfaction(app, agreeing).points - dissatisfaction(app).points) < 0.5


def test_too_few_reviews_say_nothing_and_no_reviews_keep_the_old_score() -> None:
    app = AppInfo(track_id=1, name="Quiet", rating=4.6, rating_count=900)
    assert dissatisfaction(app, evidence((5, 0, 0, 0, 0))) == dissatisfaction(app)
    assert clone_score(app, TODAY, None) == clone_score(app, TODAY)


@given(apps, star_counts)
def test_score_with_reviews_is_bounded_and_explained(app: AppInfo, stars: tuple[int, ...]) -> None:
    score = clone_score(app, TODAY, evidence(stars))  # type: ignore[arg-type]
    assert 0 <= score.total <= 100
    for part in score.parts:
        assert 0 <= part.points <= PART_MAX
        assert part.reason
    assert abs(score.total - sum(p.points for p in score.parts)) <= 0.5


@given(ratings, ratings, optional_ratings, optional_ratings, optional_shares)
def test_with_reviews_a_lower_overall_rating_still_means_more(
    a: float, b: float, cv: float | None, recent: float | None, share: float | None
) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(low, cv, recent, share) >= dissatisfaction_points(
        high, cv, recent, share
    )


@given(ratings, optional_ratings, ratings, ratings, optional_shares)
def test_a_lower_recent_average_means_more_dissatisfaction(
    overall: float, cv: float | None, a: float, b: float, share: float | None
) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(overall, cv, low, share) >= dissatisfaction_points(
        overall, cv, high, share
    )


@given(ratings, optional_ratings, optional_ratings, shares, shares)
def test_more_one_and_two_star_reviews_mean_more_dissatisfaction(
    overall: float, cv: float | None, recent: float | None, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(overall, cv, recent, high) >= dissatisfaction_points(
        overall, cv, recent, low
    )


@given(ratings, ratings, ratings, optional_ratings, optional_shares)
def test_with_reviews_a_lower_current_version_rating_means_more(
    overall: float, a: float, b: float, recent: float | None, share: float | None
) -> None:
    low, high = sorted((a, b))
    assert dissatisfaction_points(overall, low, recent, share) >= dissatisfaction_points(
        overall, high, recent, share
    )
    assert 0 <= dissatisfaction_points(overall, low, recent, share) <= PART_MAX
