"""`/scout find <category>` end to end, on every way in: the synthetic market of 600 chart
entries (tests/fake_market.py) served by the fake App Store, the real service, and what each
platform shows — the ranked table, a line of why with a quote per pick, the verdict (the model's,
or labelled rule-based advice), the buttons; live progress; `--json`'s `opportunities`."""

from __future__ import annotations

import json

import pytest

from adapters.discord.markup import render as discord_render
from bot.commands import parse
from bot.progress import StepKey, StepStatus
from bot.report import ReportKind, Source
from bot.runtime import Caller
from bot.views import reply_view
from tests.conftest import ServiceFactory
from tests.discord_harness import DiscordHarness
from tests.fake_appstore import FakeAppStore
from tests.fake_market import FORTRESS, OPPORTUNITY, SyntheticMarket, build_market
from tests.fake_router import FakeRouter
from tests.helpers import run_bot, wait_for
from tests.slack_harness import SlackHarness
from tests.test_progress import Watcher

ALICE = Caller("slack", "U1", "T1")


@pytest.fixture
def market(appstore: FakeAppStore) -> SyntheticMarket:
    built = build_market()
    built.install(appstore)
    return built


async def test_find_ranks_the_planted_opportunity_first_and_shows_its_progress(
    make_grounded_service: ServiceFactory, market: SyntheticMarket, appstore: FakeAppStore
) -> None:
    service = make_grounded_service()
    watcher = Watcher()
    report = await service.handle(parse("find finance"), ALICE, watcher)
    assert (report.kind, report.subject, report.source) == (ReportKind.FIND, "Finance", Source.AI)
    ranked = [found.app.track_id for found in report.opportunities]
    assert len(ranked) == 5 and ranked[0] == OPPORTUNITY and FORTRESS not in ranked
    best = report.opportunities[0]
    assert best.reviews is not None and best.reviews.complaints  # its users' words behind it
    assert "reviews" in best.why or "version" in best.why
    assert watcher.step(StepKey.CHARTS) == (StepStatus.DONE, f"{market.candidates} apps")
    assert watcher.step(StepKey.LOOKUPS) == (StepStatus.DONE, "3 calls")
    assert watcher.step(StepKey.REVIEWS)[1] == "10/10"
    assert any("16 App Store calls" in note for note in report.notes)
    # Every App Store call counted: 3 charts, 3 batched look-ups, 10 reviews pages.
    assert len(appstore.calls("/lookup")) == 3
    # A second user asking for the same market gets it without another scan.
    before = len(appstore.requests)
    again = await service.handle(parse("find Finance --fresh"), Caller("slack", "U2", "T1"))
    assert again.opportunities[0].app.track_id == OPPORTUNITY
    assert len(appstore.requests) == before


async def test_without_the_model_the_verdict_is_labelled_rule_based_advice(
    make_grounded_service: ServiceFactory, market: SyntheticMarket
) -> None:
    service = make_grounded_service(api_key=None)
    report = await service.handle(parse("find Finance --free"), ALICE)
    assert report.source is Source.FALLBACK
    assert report.text.startswith("**Build against first**")
    assert market.names[OPPORTUNITY] in report.text.split("\n")[1]
    assert any("rule-based advice" in note for note in report.notes)


async def test_an_unknown_category_gets_the_nearest_names_before_any_call(
    make_grounded_service: ServiceFactory, appstore: FakeAppStore
) -> None:
    report = await make_grounded_service().handle(parse("find finanse"), ALICE)
    assert report.kind is ReportKind.ERROR
    assert "“Finance”" in report.text and "`/scout find Finance`" in report.text
    assert appstore.requests == []


async def test_the_reply_view_table_buttons_and_json(
    make_grounded_service: ServiceFactory, market: SyntheticMarket
) -> None:
    report = await make_grounded_service().handle(parse("find Finance"), ALICE)
    view = reply_view(report, "find Finance --fresh")
    table = next(s for s in view.sections if getattr(s, "title", "") == "Opportunities")
    assert table.header[:4] == ("#", "App", "Score", "Parts")  # type: ignore[union-attr]
    first = table.rows[0]  # type: ignore[union-attr]
    assert first[0] == "1" and first[1] == market.names[OPPORTUNITY]
    assert first[2] == f"{report.opportunities[0].score.total}/100"
    why = next(s for s in view.sections if getattr(s, "title", "") == "Why")
    lines = ["".join(span.text for span in line) for line in why.lines]  # type: ignore[union-attr]
    assert len(lines) == 5 and lines[0].startswith(f"1. {market.names[OPPORTUNITY]} — ")
    assert report.opportunities[0].why in lines[0] and "“" in lines[0]  # with its users' words
    assert [a.label for a in view.actions] == [
        f"Analysis: {market.names[OPPORTUNITY]}",
        f"Build guide: {market.names[OPPORTUNITY]}",
        "Compare the top 3",
        "Watch Finance",
        "Refresh",
    ]
    assert view.actions[2].command.startswith(f"compare id:{OPPORTUNITY}, id:")
    data = json.loads(json.dumps(report.to_dict()))
    top = data["opportunities"][0]
    assert top["app"]["id"] == OPPORTUNITY and top["app"]["name"] == market.names[OPPORTUNITY]
    assert top["score"] == report.opportunities[0].score.total
    assert [p["name"] for p in top["parts"]] == [
        "demand",
        "dissatisfaction",
        "staleness",
        "monetisation",
        "build simplicity",
    ]
    assert top["why"] == report.opportunities[0].why
    # Discord: one inline field per pick, in rank order.
    [first_embed, *_] = discord_render(view)[0].embeds
    assert first_embed.fields[0].name == f"1. {market.names[OPPORTUNITY]}"
    assert (first_embed.fields[0].value or "").startswith("Score: ")


@pytest.mark.usefixtures("market")
async def test_slack_slash_find_posts_the_table_and_its_buttons(
    harness: SlackHarness, router: FakeRouter
) -> None:
    response, _ = await harness.slash("find Finance")
    assert response.status_code == 200
    await harness.settled()
    [reply] = [p for p in harness.slack.posted if p.where == "response_url"]
    blocks = reply.payload["blocks"]
    [table] = [b for b in blocks if b["type"] == "table"]
    header, first = table["rows"][0], table["rows"][1]
    assert [cell["text"] for cell in header][:3] == ["#", "App", "Score"]
    assert first[0]["text"] == "1"
    [actions] = [b for b in blocks if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels[2:4] == ["Compare the top 3", "Watch Finance"]
    assert "Finance · Opportunities" in reply.all_text()


@pytest.mark.usefixtures("market")
async def test_discord_find_command_answers_with_the_ranked_fields(
    discord_harness: DiscordHarness,
) -> None:
    discord_harness.slash("find", category="Finance")
    await wait_for(discord_harness.replied, what="the ranked reply")
    [reply] = discord_harness.fake.sent
    embed = reply.payload["embeds"][0]
    assert embed["title"] == "Finance · Opportunities"
    names = [field["name"] for field in embed["fields"]]
    assert names[0].startswith("1. ") and names[1].startswith("2. ")  # the picks, in rank order
    assert reply.payload["components"]


def test_the_console_prints_columns_and_json(tmp_path: object, appstore: FakeAppStore) -> None:
    market = build_market()
    market.install(appstore)
    base = appstore.base_url
    out = run_bot("find Finance\n", tmp_path, APPSTORE_BASE_URL=base)  # type: ignore[arg-type]
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = next(line for line in lines if line.startswith("#  App"))
    assert "Score" in header and "Top complaint" in header
    first = lines[lines.index(header) + 1]
    assert first.startswith("1 ") and market.names[OPPORTUNITY] in first
    assert "Rule-based advice" in out.stdout  # no model key in the console here
    data = run_bot("find Finance\n", tmp_path, "--json", APPSTORE_BASE_URL=base)  # type: ignore[arg-type]
    [reply] = [json.loads(line) for line in data.stdout.splitlines() if line.startswith("{")]
    assert reply["opportunities"][0]["app"]["id"] == OPPORTUNITY
