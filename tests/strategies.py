"""Hypothesis strategies for the platform-free values that renderers must always handle."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from bot.advice import Quote, ReviewEvidence, Theme, VersionStats
from bot.appstore import AppInfo
from bot.report.report import FallbackReason, Report, ReportKind, Source

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
# Review text is written by anyone: pings, links, markup, escapes and very long text included.
hostile_texts = texts | st.sampled_from(
    [
        "@everyone <!channel> <@U999> [https://apps.apple.com](http://evil.example) ``` **x**",
        "<http://evil.example|apps.apple.com> ![](http://evil.example/p.gif) > # _~|",
        "\x1b[31mred\x1b[0m \u202eevil\u202c " + "w" * 500,
    ]
)
quotes = st.builds(
    Quote, stars=st.integers(1, 5), text=hostile_texts, version=st.none() | st.text(max_size=40)
)
themes = st.builds(
    Theme,
    key=st.text(max_size=20),
    label=hostile_texts,
    count=st.integers(0, 500),
    quotes=st.lists(quotes, max_size=2).map(tuple),
    apps=st.lists(hostile_texts, max_size=3).map(tuple),
)
evidence = st.builds(
    ReviewEvidence,
    count=st.integers(0, 500),
    recent=st.integers(0, 500),
    themed=st.integers(0, 500),
    first_day=st.none() | st.just("2020-07-10"),
    last_day=st.none() | st.just("2020-08-12"),
    average=st.none() | st.floats(1, 5),
    overall=st.none() | st.floats(1, 5),
    stars=st.tuples(*[st.integers(0, 100)] * 5),
    versions=st.lists(
        st.builds(
            VersionStats,
            version=hostile_texts,
            count=st.integers(1, 100),
            average=st.floats(1, 5),
            regressed=st.booleans(),
        ),
        max_size=8,
    ).map(tuple),
    complaints=st.lists(themes, max_size=14).map(tuple),
    praise=st.lists(themes, max_size=14).map(tuple),
    requests=st.lists(quotes, max_size=5).map(tuple),
    quotes=st.lists(quotes, max_size=2).map(tuple),
    apps=st.lists(hostile_texts, max_size=3).map(tuple),
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
    reviews=st.none() | evidence,
    competitors=st.lists(apps, max_size=5).map(tuple),
)
