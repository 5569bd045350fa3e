"""Block Kit rendering: any Report renders to blocks Slack accepts, and nothing can ping."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack_blocks import render, sanitise
from bot.advice.scoring import clone_score
from bot.appstore.catalog import AppInfo
from bot.report import FallbackReason, Report, ReportKind, Source
from tests.fake_slack import block_problem

texts = st.text(max_size=400)
long_texts = st.text(min_size=0, max_size=30_000) | st.builds(
    lambda words: " ".join(words), st.lists(st.text(max_size=30), max_size=3000)
)
apps = st.builds(
    AppInfo,
    track_id=st.integers(1, 10**10),
    name=st.text(min_size=1, max_size=300),
    seller=st.none() | texts,
    category=st.none() | st.text(max_size=200),
    rating=st.none() | st.floats(1, 5),
    rating_count=st.none() | st.integers(0, 10**8),
    formatted_price=st.none() | texts,
    last_update=st.none() | st.dates(date(2008, 1, 1), date(2026, 11, 1)),
    url=st.none() | st.just("https://apps.apple.com/us/app/x/id1") | texts,
    artwork_url=st.none() | st.just("https://is1.mzstatic.com/a.png") | texts,
)
reports = st.builds(
    Report,
    kind=st.sampled_from(list(ReportKind)),
    subject=st.text(max_size=300),
    text=long_texts,
    source=st.sampled_from(list(Source)),
    app=st.none() | apps,
    top_apps=st.lists(apps, max_size=12).map(tuple),
    model=st.none() | texts,
    provider=st.none() | texts,
    latency_ms=st.integers(0, 10**7),
    fallback_reason=st.none() | st.sampled_from(list(FallbackReason)),
    notes=st.lists(texts, max_size=15).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(reports, st.text(max_size=600))
def test_every_report_renders_to_blocks_slack_accepts(report: Report, typed: str) -> None:
    if report.app is not None:
        report = Report(**{**report.__dict__, "clone_score": clone_score(report.app, date.today())})
    message = render(report, typed)
    assert block_problem(message.blocks) is None
    assert 1 <= len(message.text) <= 300


@given(st.text())
def test_sanitised_text_cannot_ping(text: str) -> None:
    safe = sanitise(text)
    assert "<" not in safe and ">" not in safe
    for word in ("@channel", "@here", "@everyone"):
        assert word not in safe.lower()


def test_a_long_category_still_fits_its_button() -> None:
    app = AppInfo(track_id=1, name="X", category="C" * 200)
    message = render(Report(ReportKind.ANALYSIS, "X", "text", Source.AI, app=app), "X")
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"])
    assert block_problem(message.blocks) is None
