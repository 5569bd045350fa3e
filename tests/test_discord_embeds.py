"""Embed rendering: any Report renders to messages Discord accepts, and nothing can ping."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.markup import render, sanitise, split
from bot.advice.scoring import clone_score
from bot.report.report import Report
from bot.views import reply_view
from tests.fake_discord import embed_problem
from tests.strategies import reports


def payload(message: Any) -> dict[str, Any]:
    return {"content": message.content, "embeds": [e.to_dict() for e in message.embeds]}


@settings(max_examples=300, deadline=None)
@given(reports)
def test_every_report_renders_to_messages_discord_accepts(report: Report) -> None:
    if report.app is not None:
        report = Report(**{**report.__dict__, "clone_score": clone_score(report.app, date.today())})
    for message in render(reply_view(report)):
        assert embed_problem(payload(message)) is None
        shown = json.dumps(payload(message), ensure_ascii=False)
        assert "@everyone" not in shown and "](http://evil" not in shown


@given(st.text(max_size=20_000), st.integers(min_value=50, max_value=4096))
def test_split_keeps_every_word_whole_and_in_order(text: str, limit: int) -> None:
    pieces = split(text, limit)
    assert all(1 <= len(piece) <= limit for piece in pieces)
    words = [w for w in text.split() if len(w) <= limit]
    joined = " ".join(pieces).split()
    assert [w for w in joined if len(w) <= limit] == words or any(
        len(w) > limit for w in text.split()
    )


@given(st.text())
def test_sanitised_text_cannot_ping(text: str) -> None:
    safe = sanitise(text).lower()
    assert "@everyone" not in safe and "@here" not in safe
    assert "<@1" not in safe and "<@&" + "1" not in safe
