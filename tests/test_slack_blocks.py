"""Block Kit rendering: any Report renders to blocks Slack accepts, and nothing can ping."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.markup import render, sanitise, streamed_text
from bot.advice.scoring import clone_score
from bot.appstore import AppInfo
from bot.report.report import Report, ReportKind, Source
from bot.views import reply_view
from tests.fake_slack import block_problem
from tests.strategies import reports


@settings(max_examples=300, deadline=None)
@given(reports, st.text(max_size=600))
def test_every_report_renders_to_blocks_slack_accepts(report: Report, typed: str) -> None:
    if report.app is not None:
        report = Report(**{**report.__dict__, "clone_score": clone_score(report.app, date.today())})
    message = render(reply_view(report, typed))
    assert block_problem(message.blocks) is None
    assert 1 <= len(message.text) <= 300
    # Whatever the model, the App Store or the reviews said: no ping, no Slack control
    # sequence, no masked link — in the reply and in its review evidence.
    shown = json.dumps([message.text, *message.blocks[:-1]], ensure_ascii=False)
    assert "<!" not in shown and "<@" not in shown and "@everyone" not in shown
    assert "](http://evil" not in shown and "|apps.apple.com>" not in shown


@given(st.text())
def test_sanitised_text_cannot_ping(text: str) -> None:
    safe = sanitise(text)
    assert "<" not in safe and ">" not in safe
    for word in ("@channel", "@here", "@everyone"):
        assert word not in safe.lower()


def test_a_long_category_still_fits_its_button() -> None:
    app = AppInfo(track_id=1, name="X", category="C" * 200)
    message = render(reply_view(Report(ReportKind.ANALYSIS, "X", "text", Source.AI, app=app), "X"))
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"])
    assert block_problem(message.blocks) is None


def test_a_streamed_append_cannot_finish_a_link_begun_or_hidden_above() -> None:
    """Each append is made safe on its own and joined to what the stream shows: a code fence
    closed by the new text (turning code into a live link) or a link text begun above is
    neutralised instead."""
    shown = streamed_text("```\n")
    chunk = streamed_text("```\n[Verify your account](http://evil.example)\n", shown)
    assert "](http" not in shown + chunk
    assert "Verify your account" in chunk.replace("［", "[").replace("］", "]")
    ordinary = streamed_text("- Faster input\n", streamed_text("**Improvements**\n"))
    assert ordinary == "- Faster input\n"  # nothing to neutralise: left as written
