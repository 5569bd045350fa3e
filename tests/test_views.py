"""One reply view, decided in the core: every platform shows the same sections in the same order
and the same buttons with the same labels, because Slack blocks, Discord embeds and console
text are maps of one `ReplyView`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings

from adapters.discord.markup import render as discord_render
from adapters.discord.outbox import buttons_for
from adapters.slack.markup import render as slack_render
from bot.advice import clone_score
from bot.appstore.records import parse_apps
from bot.report import FollowUp, Report, ReportKind, Source
from bot.views import (
    ActionKind,
    FactsSection,
    LinesSection,
    NoteSection,
    TableSection,
    plain_text,
    reply_view,
)
from tests.fake_appstore import FIXTURES
from tests.strategies import reports

TITLED = (LinesSection, NoteSection)


@pytest.fixture
def facebook_report() -> Report:
    [app] = parse_apps((FIXTURES / "lookup-facebook.json").read_bytes())
    score = clone_score(app, date(2026, 12, 1))
    return Report(ReportKind.ANALYSIS, app.name, "**Improvements**", Source.AI, app, score)


@settings(max_examples=150, deadline=None)
@given(reports)
def test_every_platform_shows_the_views_sections_in_its_order(report: Report) -> None:
    if report.app is not None:
        report = replace(report, clone_score=clone_score(report.app, date.today()))
    view = reply_view(report, "Facebook --fresh")
    titles = [s.title for s in view.sections if isinstance(s, TITLED)]
    # Slack: one block per section after the header, titles in bold in that order.
    blocks = slack_render(view).blocks
    slack_titles = [
        title
        for block in blocks
        for title in [_slack_title(block)]
        if title is not None and title in titles
    ]
    assert slack_titles == titles
    # Discord: the titled sections are fields of the first embed, in that order.
    first = discord_render(view)[0].embeds[0]
    assert [f.name for f in first.fields if f.name in titles] == titles
    # The console: each titled section starts a line, in that order.
    text = plain_text(view)
    positions = [text.index(f"\n{title}:") for title in titles]
    assert positions == sorted(positions)


def test_buttons_are_decided_once_with_the_same_labels_everywhere(
    facebook_report: Report,
) -> None:
    view = reply_view(facebook_report, "Facebook --fresh")
    assert [(a.kind, a.label, a.command) for a in view.actions] == [
        (ActionKind.GAPS, "Market gaps in Social Networking", "gaps Social Networking"),
        (ActionKind.BUILD, "Build guide", "build id:284882215"),
        (ActionKind.REFRESH, "Refresh", "Facebook --fresh"),
    ]
    labels = [a.label for a in view.actions]
    [actions] = [b for b in slack_render(view).blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == labels
    assert [e["value"] for e in actions["elements"]] == [a.command for a in view.actions]
    buttons = buttons_for(view)
    assert buttons is not None
    assert [item.item.label for item in buttons.children] == labels  # type: ignore[attr-defined]
    assert [item.item.custom_id for item in buttons.children] == [  # type: ignore[attr-defined]
        "scout:gaps:Social Networking",
        "scout:build:id:284882215",
        "scout:refresh:Facebook --fresh",
    ]


def test_alert_follow_ups_are_buttons_after_the_reports_own(facebook_report: Report) -> None:
    alert = replace(
        facebook_report,
        kind=ReportKind.ALERTS,
        follow_ups=(FollowUp("Build guide: Facebook", "build id:284882215 --country=us"),),
    )
    view = reply_view(alert)
    assert [(a.kind, a.label) for a in view.actions] == [
        (ActionKind.GAPS, "Market gaps in Social Networking"),
        (ActionKind.RUN, "Build guide: Facebook"),
    ]
    [actions] = [b for b in slack_render(view).blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == ["scout_gaps", "scout_run_1"]


def test_private_replies_have_no_sections_and_no_buttons() -> None:
    view = reply_view(Report(ReportKind.HELP, "", "**How to use Trend Scout**"), "help")
    assert view.private and view.sections == () and view.actions == ()
    assert [b["type"] for b in slack_render(view).blocks] == ["section"]
    assert buttons_for(view) is None
    assert plain_text(view) == "**How to use Trend Scout**\n"


def test_the_facts_come_first_and_carry_the_apps_page(facebook_report: Report) -> None:
    view = reply_view(facebook_report)
    facts = view.sections[0]
    assert isinstance(facts, FactsSection)
    assert facts.url == "https://itunes.apple.com/us/app/facebook/id284882215?mt=8&uo=4"
    assert dict(facts.fields)["Category"] == "Social Networking"
    assert not any(isinstance(s, TableSection) for s in view.sections)


def _slack_title(block: dict[str, object]) -> str | None:
    text = block.get("text") if block.get("type") == "section" else None
    if block.get("type") == "context":
        elements = block.get("elements")
        text = elements[0] if isinstance(elements, list) and elements else None
    if not isinstance(text, dict):
        return None
    match = re.match(r"\*([^*]+?):?\*", str(text.get("text", "")))
    return match.group(1) if match else None
