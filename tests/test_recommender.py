"""The seed's Python API, as the seed shows it (only the import path differs), and the async API
under it — against the fake router and the fake App Store, through the bot's own service."""

from __future__ import annotations

import pytest

from bot import AIRecommender, TrendScout, TrendScoutError
from tests.conftest import ServiceFactory
from tests.fake_appstore import FakeAppStore
from tests.fake_market import OPPORTUNITY, build_market
from tests.fake_router import DEFAULT_KEY, FakeRouter


@pytest.fixture
def bot_env(
    router: FakeRouter, appstore: FakeAppStore, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The settings a user of the library has in their environment, pointed at the fakes."""
    env = {
        "HUGGING_FACE_API_KEY": DEFAULT_KEY,
        "AI_BASE_URL": router.url,
        "APPSTORE_BASE_URL": appstore.base_url,
        "DATA_DIR": str(tmp_path),
    }
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_the_seeds_snippet_works_as_written(bot_env: dict[str, str], router: FakeRouter) -> None:
    recommender = AIRecommender()  # reads the same settings as the bot
    try:
        app = {"name": "Facebook", "category": "Social Networking", "rating_avg": 3.5}
        recommendation = recommender.generate_recommendation(app)
        assert recommendation.improvement_summary == "- Faster input\n- History and widgets"
        assert recommendation.monetization == "- One-time Pro unlock at $4.99"
        assert recommendation.build_estimate == "- 4 weeks for one developer"
        assert recommendation.source == "ai"
        assert recommendation.app is not None and recommendation.app.track_id == 284882215
        assert recommendation.clone_score is not None
        # The same question again: the bot's cache answers, no second model call.
        again = recommender.generate_recommendation("Facebook")
        assert again.source == "cache" and len(router.completion_calls()) == 1
    finally:
        recommender.close()


def test_an_app_the_app_store_does_not_know_gets_advice_from_its_record(
    bot_env: dict[str, str],
) -> None:
    with AIRecommender() as recommender:
        record = {"name": "My Scraped App", "category": "Utilities", "rating_avg": 2.1, "total": 40}
        recommendation = recommender.generate_recommendation(record)
    assert recommendation.source == "fallback"
    assert recommendation.improvement_summary.startswith("- ")
    assert recommendation.app is not None and recommendation.app.rating == 2.1
    assert recommendation.notes == ("Not found in the App Store: advice from the record given",)


def test_without_a_key_the_answer_is_labelled_rule_based_advice(
    bot_env: dict[str, str], router: FakeRouter
) -> None:
    with AIRecommender(hf_api_key="") as recommender:
        recommendation = recommender.generate_recommendation(284882215)
    assert recommendation.source == "fallback" and recommendation.improvement_summary
    assert router.completion_calls() == []


async def test_the_async_api_finds_a_markets_best_opportunity(
    make_grounded_service: ServiceFactory, appstore: FakeAppStore
) -> None:
    build_market().install(appstore)
    async with TrendScout(make_grounded_service()) as scout:
        market = await scout.find("Finance")
        assert market.opportunities[0].app.track_id == OPPORTUNITY
        assert market.improvement_summary  # the verdict's "Do better"
        with pytest.raises(TrendScoutError, match="Finance"):
            await scout.find("finanse")
        gaps = await scout.gaps("Utilities")
        assert gaps.report.subject == "Utilities"
