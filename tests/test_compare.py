"""`/scout compare`: 2–5 apps side by side through the real service against the fake App Store —
the grammar, the facts and top complaints, the model's verdict or the rule-based one, apps that
are not found, and the table on each platform."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.discord.markup import render as discord_render
from adapters.slack.markup import render as slack_render
from bot.commands.grammar import Command, CommandKind, UsageError, parse
from bot.report.report import ReportKind, Source
from bot.views import plain_text, reply_view
from tests.conftest import ServiceFactory
from tests.fake_appstore import FakeAppStore
from tests.fake_router import FakeRouter
from tests.fake_slack import block_problem
from tests.helpers import run_bot
from tests.slack_harness import SlackHarness


def compare(text: str) -> Command:
    command = parse(text)
    assert isinstance(command, Command) and command.kind is CommandKind.COMPARE, command
    return command


def test_compare_takes_two_to_five_apps_by_name_id_or_link() -> None:
    command = compare("compare PCalc, id:284882215 vs https://apps.apple.com/gb/app/x/id123")
    assert [(i.subject, i.track_id, i.country) for i in command.items] == [
        ("PCalc", None, None),
        ("id:284882215", 284882215, None),
        ("https://apps.apple.com/gb/app/id123", 123, "gb"),  # the link's store is kept
    ]
    assert parse(command.as_text()) == command  # what a Refresh button sends
    assert compare("compare Things, things, Soulver").subject == "Things, Soulver"  # once each
    for bad, problem in [
        ("compare PCalc", "2 to 5 apps, not 1"),
        ("compare a, b, c, d, e, f", "2 to 5 apps, not 6"),
        ("compare Things vs things", "the same app twice"),
        ("compare PCalc, https://example.com/app", "not an App Store app link"),
    ]:
        parsed = parse(bad)
        assert isinstance(parsed, UsageError) and problem in parsed.problem, bad
    # "vs" splits only after the verb: this is one app.
    plants = parse("Plants vs. Zombies")
    assert isinstance(plants, Command) and plants.kind is CommandKind.ANALYSIS


async def test_two_apps_side_by_side_with_the_models_verdict(
    make_grounded_service: ServiceFactory, router: FakeRouter, appstore: FakeAppStore
) -> None:
    router.answer = "**Verdict**\nWebster Bank is the better target.\n\n**Why**\n- Log-in pain"
    report = await make_grounded_service().handle(parse("compare Facebook, Webster Bank"))
    assert report.kind is ReportKind.COMPARE and report.source is Source.AI
    assert report.subject == "Facebook vs Webster Bank"
    facebook, webster = report.comparison
    assert facebook.app.track_id == 284882215 and webster.app.track_id == 1321994487
    assert facebook.top_complaint is None  # the fake store has no reviews for it
    assert webster.top_complaint is not None and webster.top_complaint.label == "crashes & bugs"
    assert report.text.startswith("**Verdict**")
    data = json.loads(
        router.completion_calls()[-1].body["messages"][1]["content"].split("DATA:\n")[1]
    )
    assert [app["name"] for app in data["apps"]] == ["Facebook", "Webster Bank"]
    assert data["apps"][1]["top_complaint"]["theme"] == "crashes & bugs"
    assert "clone_score" in data["apps"][0]
    # A typical compare: one search per app and one page of reviews each.
    searches = appstore.calls("/search")
    reviews = appstore.calls("/us/rss/customerreviews")
    assert len(searches) == 2 and len(reviews) <= 2 * 2  # JSON, then XML when JSON is empty


async def test_five_apps_and_an_unknown_one_is_named_while_the_rest_are_compared(
    make_grounded_service: ServiceFactory, router: FakeRouter, appstore: FakeAppStore
) -> None:
    appstore.any_app = True  # every name is some app
    five = await make_grounded_service().handle(parse("compare A1, B2, C3, D4, E5"))
    assert [row.app.name for row in five.comparison] == ["A1", "B2", "C3", "D4", "E5"]

    appstore.any_app = False
    report = await make_grounded_service().handle(parse("compare Facebook, zzqx nothing"))
    assert [row.app.name for row in report.comparison] == ["Facebook"]
    assert "Not found in the App Store: “zzqx nothing”" in report.notes
    nothing = await make_grounded_service().handle(parse("compare zzqx one, zzqx two"))
    assert nothing.kind is ReportKind.ERROR
    assert nothing.text == "None of “zzqx one”, “zzqx two” is an App Store app in the US store."


async def test_without_the_model_the_table_still_comes_with_a_rule_based_verdict(
    make_grounded_service: ServiceFactory,
) -> None:
    report = await make_grounded_service(api_key=None).handle(
        parse("compare Facebook, Webster Bank")
    )
    assert report.source is Source.FALLBACK and len(report.comparison) == 2
    best = max(report.comparison, key=lambda row: row.score.total)
    assert report.text.startswith(f"**Verdict**\n- **{best.app.name}** is the best target")
    assert "**The others**" in report.text


async def test_the_comparison_renders_as_a_table_on_every_platform(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    report = await make_grounded_service().handle(parse("compare Facebook, Webster Bank"))
    # Slack: one table block, header row then a row per app; fields where tables are refused.
    message = slack_render(reply_view(report, "compare Facebook, Webster Bank --fresh"))
    [table] = [b for b in message.blocks if b["type"] == "table"]
    header, *rows = table["rows"]
    assert [c["text"] for c in header][:2] == ["App", "Rating"]
    assert [row[0]["text"] for row in rows] == ["Facebook", "Webster Bank"]
    assert block_problem(message.blocks) is None
    assert block_problem(message.blocks, tables=False) is not None
    fields = slack_render(reply_view(report), table=False)
    assert block_problem(fields.blocks, tables=False) is None
    assert sum(b["type"] == "section" and "fields" in b for b in fields.blocks) == 2
    buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    best = max(report.comparison, key=lambda row: row.score.total)
    assert buttons[0]["value"] == f"build id:{best.app.track_id}"
    # Discord: a field per app.
    embed = discord_render(reply_view(report))[0].embeds[0]
    assert [f.name for f in embed.fields] == ["Facebook", "Webster Bank"]
    assert "Clone score: " in (embed.fields[1].value or "")
    # Console: aligned columns.
    lines = plain_text(reply_view(report)).splitlines()
    table_lines = [line for line in lines if line.startswith(("App ", "Facebook", "Webster"))]
    assert len(table_lines) == 3
    starts = {
        line.index(cell) for line, cell in zip(table_lines, ("Rating", "3.5★", "4."), strict=True)
    }
    assert len(starts) == 1  # the rating column lines up


def test_the_console_prints_the_table_and_json_carries_the_comparison(tmp_path: Path) -> None:
    with FakeAppStore() as appstore:
        env = {"APPSTORE_BASE_URL": appstore.base_url}
        text = run_bot("/scout compare Facebook, Webster Bank\n", tmp_path, **env)
        as_json = run_bot("/scout compare Facebook, Webster Bank\n", tmp_path, "--json", **env)
    assert text.returncode == 0 and as_json.returncode == 0, text.stderr + as_json.stderr
    assert "Facebook vs Webster Bank · comparison" in text.stdout
    assert "App           Rating" in text.stdout  # the aligned header
    [reply] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert reply["kind"] == "compare" and reply["source"] == "fallback"
    assert [row["app"]["name"] for row in reply["comparison"]] == ["Facebook", "Webster Bank"]
    assert reply["comparison"][1]["top_complaint"]["label"] == "crashes & bugs"


async def test_slack_gets_the_table_or_fields_where_tables_are_refused(
    harness: SlackHarness, router: FakeRouter
) -> None:
    await harness.slash("compare Facebook, Webster Bank")
    await harness.settled()
    [posted] = harness.slack.posted
    assert [b["type"] for b in posted.blocks].count("table") == 1

    harness.slack.tables = False  # a workspace without table blocks
    mention = harness.slack.mention("compare Facebook, Webster Bank --fresh", "EvCmp1")
    await harness.event(mention)
    await harness.settled()
    [stream] = harness.slack.live.streams()
    assert not stream.streaming  # the refused table did not leave the stream open
    assert "table" not in [b["type"] for b in stream.blocks]
    sections = [b for b in stream.blocks if b["type"] == "section" and "fields" in b]
    assert [s["text"]["text"] for s in sections] == ["*Facebook*", "*Webster Bank*"]
    stops = [r for r in harness.slack.requests if r.path.endswith("chat.stopStream")]
    assert len(stops) == 2  # the table, refused; then the fields
