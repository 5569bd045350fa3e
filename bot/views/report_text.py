"""The pieces of a `Report` that read the same everywhere: titles, the clone-score bar and
lines, fact fields, what users say, who else is there, the comparison's cells, where the answer
came from."""

from __future__ import annotations

from collections.abc import Callable

from bot.advice import CloneScore, ComparedApp, Opportunity, Quote, ReviewEvidence, Theme
from bot.appstore import AppInfo
from bot.report import Report, ReportKind, Source
from bot.views.text import cut

TITLES = {
    ReportKind.ANALYSIS: "Opportunity analysis",
    ReportKind.GAPS: "Market gaps",
    ReportKind.BUILD: "Build guide",
    ReportKind.COMPARE: "Comparison",
    ReportKind.FIND: "Opportunities",
    ReportKind.ANSWER: "Answer",
    ReportKind.WATCH: "Watchlist",
    ReportKind.ALERTS: "Alerts",
    ReportKind.DIGEST: "Weekly digest",
}
COMPARISON_HEADER = (
    "App",
    "Rating",
    "This version",
    "Price",
    "Updated",
    "Clone score",
    "Top complaint",
)
CELL_MAX = 40
OPPORTUNITY_HEADER = (
    "#",
    "App",
    "Score",
    "Parts",
    "Rating",
    "This version",
    "Updated",
    "Top complaint",
)
PARTS_KEY = "Parts: demand · dissatisfaction · staleness · monetisation · build simplicity"

Markup = Callable[[str], str]


def _same(text: str) -> str:
    return text


def score_bar(score: CloneScore, width: int = 10) -> str:
    filled = round(score.total / 100 * width)
    return "█" * filled + "░" * (width - filled)


# Markup characters in quoted reviews and App Store names become look-alikes: a quote can then
# neither format the reply (bold, code, quotes, headings) nor open a link or a Slack control
# sequence, on any platform. The text still reads the same.
_NEUTRAL = str.maketrans(
    {
        "*": "∗",
        "_": "ˍ",
        "~": "∼",
        "`": "ʹ",
        "|": "ǀ",
        ">": "›",
        "<": "‹",
        "#": "＃",
        "[": "［",
        "]": "］",
        "\\": "⧵",
    }
)
EVIDENCE_QUOTES = 3


def neutral(text: str) -> str:
    """Untrusted text shown as a quote: no markup of any platform survives in it."""
    return text.translate(_NEUTRAL)


def evidence_summary(evidence: ReviewEvidence, limit: int = 3) -> str:
    """One line of what users say: "100 reviews read · 3.3★ recent vs 4.7★ overall · version
    8.0.9: 3.1★ · top complaints: log-in & accounts (14), crashes & bugs (10) · 2 requests"."""
    read = f"{evidence.count} reviews read"
    if evidence.apps:
        read = f"{evidence.count} reviews of {', '.join(neutral(a) for a in evidence.apps)}"
    if evidence.first_day and evidence.last_day:
        read += f" ({evidence.first_day} to {evidence.last_day})"
    parts = [read]
    if evidence.average is not None and evidence.overall is not None:
        parts.append(f"{evidence.average:.1f}★ recent vs {evidence.overall:.1f}★ overall")
    elif evidence.average is not None:
        parts.append(f"{evidence.average:.1f}★ on average")
    if (worse := evidence.regression) is not None:
        parts.append(f"version {neutral(worse.version)} made it worse ({worse.average:.1f}★)")
    elif evidence.versions:
        latest = evidence.versions[-1]
        parts.append(f"version {neutral(latest.version)}: {latest.average:.1f}★")
    shared = evidence.shared_complaints
    if shared:
        parts.append("complaints they share: " + _themes(shared, limit))
    elif evidence.complaints:
        parts.append("top complaints: " + _themes(evidence.complaints, limit))
    if evidence.praise:
        parts.append("praised for " + _themes(evidence.praise, 2))
    if evidence.requests:
        count = len(evidence.requests)
        parts.append(f"{count} feature request" + ("s" if count > 1 else ""))
    if evidence.model_themed:
        parts.append(f"{evidence.model_themed} in other languages themed by the AI model (AI)")
    if evidence.themed < evidence.count:
        unread = evidence.count - evidence.themed
        parts.append(f"{unread} in languages without theme rules (counted, not themed)")
    return " · ".join(parts)


def _themes(themes: tuple[Theme, ...], limit: int) -> str:
    return ", ".join(f"{neutral(theme.label)} ({_count(theme)})" for theme in themes[:limit])


def _count(theme: Theme) -> str:
    """How many reviews raise it, and how many of those the model read: "12, 5 by AI"."""
    return f"{theme.count}, {theme.from_model} by AI" if theme.from_model else str(theme.count)


def evidence_quotes(evidence: ReviewEvidence, limit: int = EVIDENCE_QUOTES) -> list[str]:
    """A few verbatim quotes, neutralised: the top complaints', then the top praise; for
    reviews that could not be themed, a low and a high one. "“…” — 2★"."""
    chosen: list[Quote] = []
    for theme in (*evidence.complaints[: limit - 1], *evidence.praise[:1]):
        # A review can raise two themes: quote the theme's next review rather than none.
        quote = next((quote for quote in theme.quotes if quote not in chosen), None)
        if quote is not None:
            chosen.append(quote)
    if not chosen:
        chosen = list(evidence.quotes)
    return [f"“{neutral(quote.text)}” — {quote.stars}★" for quote in chosen[:limit]]


def competitors_line(competitors: tuple[AppInfo, ...]) -> str:
    """Who else is there: "Chase Mobile 4.8★ (8,960,431) Free · …"."""

    def one(app: AppInfo) -> str:
        rating, _ = rating_cells(app)
        price = f" {neutral(app.formatted_price)}" if app.formatted_price else ""
        return f"{neutral(app.name)} {rating}{price}"

    return " · ".join(one(app) for app in competitors)


def rating_cells(app: AppInfo) -> tuple[str, str]:
    """ "3.5★ (2,840,784)" and this version's "1.5★" — or what stands in for them."""
    rating = (
        f"{app.rating:.1f}★ ({app.rating_count:,})"
        if app.rating is not None and app.rating_count
        else "no ratings yet"
    )
    version = (
        f"{app.current_version_rating:.1f}★" if app.current_version_rating is not None else "—"
    )
    return rating, version


def comparison_cells(row: ComparedApp) -> tuple[str, ...]:
    """One compared app as table cells, in `COMPARISON_HEADER`'s order (unsanitised)."""
    app = row.app
    rating, version = rating_cells(app)
    complaint = (
        f"{row.top_complaint.label} ({row.top_complaint.count}/{row.reviews_read})"
        if row.top_complaint is not None
        else "—"
    )
    cells = (
        app.name,
        rating,
        version,
        app.formatted_price or "—",
        app.last_update.isoformat() if app.last_update else "unknown",
        f"{row.score.total}/100",
        complaint,
    )
    return tuple(cut(neutral(cell), CELL_MAX) for cell in cells)


def fact_fields(app: AppInfo) -> list[tuple[str, str]]:
    """The App Store facts shown as labelled fields (values unsanitised)."""
    fields = [
        ("Category", app.category or "unknown"),
        ("Rating", app.rating_summary),
        ("Price", app.formatted_price or "unknown"),
        ("Last update", app.last_update.isoformat() if app.last_update else "unknown"),
    ]
    if app.seller:
        fields.append(("Seller", app.seller))
    return fields


def source_line(report: Report, clean: Markup = _same) -> str:
    """Where the answer came from and how long it took, e.g. "AI answer · gpt-oss-120b via
    novita · 3.2 s". `clean` makes upstream-supplied names safe for the platform."""
    seconds = f"{report.latency_ms / 1000:.1f} s"
    if report.kind is ReportKind.DIGEST:
        summary = "rule-based summary" if report.source is Source.FALLBACK else "AI summary"
        return f"Trend Scout trend watch · {summary}"
    if report.source is None:  # trend watch: App Store facts, no model
        return "Trend Scout trend watch · App Store data"
    if report.source is Source.FALLBACK:
        return f"Rule-based advice · {seconds}"
    model = clean(report.model or "AI model")
    via = f" via {clean(report.provider)}" if report.provider else ""
    answer = "Cached AI answer" if report.source is Source.CACHE else "AI answer"
    return f"{answer} · {model}{via} · {seconds}"


def opportunity_cells(rank: int, found: Opportunity) -> tuple[str, ...]:
    """One ranked opportunity as table cells, in `OPPORTUNITY_HEADER`'s order (unsanitised)."""
    app = found.app
    rating, version = rating_cells(app)
    evidence = found.reviews
    complaint = "—"
    if evidence is not None and evidence.complaints:
        top = evidence.complaints[0]
        complaint = f"{top.label} ({top.count}/{evidence.count})"
    cells = (
        str(rank),
        app.name,
        f"{found.score.total}/100",
        "·".join(f"{part.points:.0f}" for part in found.score.parts),
        rating,
        version,
        app.last_update.isoformat() if app.last_update else "unknown",
        complaint,
    )
    return tuple(cut(neutral(cell), CELL_MAX) for cell in cells)


def opportunity_quote(found: Opportunity) -> str | None:
    """One short verbatim quote behind a pick: its top complaint's, neutralised."""
    evidence = found.reviews
    if evidence is None or not evidence.complaints or not evidence.complaints[0].quotes:
        return None
    quote = evidence.complaints[0].quotes[0]
    return f"“{neutral(quote.text)}” — {quote.stars}★"
