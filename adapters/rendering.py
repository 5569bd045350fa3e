"""The pieces of a `Report` that every platform renders alike: titles, the clone-score bar and
lines, fact fields, where the answer came from, plain text, and cutting or splitting text to a
platform's limits at word boundaries. Platform modules add only their markup."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.advice import PART_MAX, CloneScore, ComparedApp, Quote, ReviewEvidence, Theme
from bot.appstore import AppInfo
from bot.progress.feed import Step, StepStatus
from bot.report.report import Report, ReportKind, Source

TITLES = {
    ReportKind.ANALYSIS: "Opportunity analysis",
    ReportKind.GAPS: "Market gaps",
    ReportKind.BUILD: "Build guide",
    ReportKind.COMPARE: "Comparison",
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

Markup = Callable[[str], str]


def _same(text: str) -> str:
    return text


def score_bar(score: CloneScore, width: int = 10) -> str:
    filled = round(score.total / 100 * width)
    return "█" * filled + "░" * (width - filled)


def score_lines(
    score: CloneScore,
    strong: Markup = _same,
    emphasis: Markup = _same,
    clean: Markup = _same,
) -> list[str]:
    """One line per part of the score: "demand: **20**/25 — 1,467 ratings *(estimated)*"."""
    lines = []
    for part in score.parts:
        estimated = " " + emphasis("(estimated)") if part.estimated else ""
        points = strong(f"{part.points:.0f}")
        lines.append(f"{part.name}: {points}/{PART_MAX:.0f} — {clean(part.reason)}{estimated}")
    return lines


def top_app_lines(apps: tuple[AppInfo, ...], clean: Markup = _same) -> list[str]:
    return [f"{rank}. {clean(app.name)} — {app.rating_summary}" for rank, app in enumerate(apps, 1)]


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
    if evidence.themed < evidence.count:
        parts.append(f"{evidence.count - evidence.themed} not in English (counted, not themed)")
    return " · ".join(parts)


def _themes(themes: tuple[Theme, ...], limit: int) -> str:
    return ", ".join(f"{neutral(theme.label)} ({theme.count})" for theme in themes[:limit])


def evidence_quotes(evidence: ReviewEvidence, limit: int = EVIDENCE_QUOTES) -> list[str]:
    """A few verbatim quotes, neutralised: the top complaints', then the top praise; for
    reviews that could not be themed, a low and a high one. "“…” — 2★"."""
    chosen: list[Quote] = []
    for theme in (*evidence.complaints[: limit - 1], *evidence.praise[:1]):
        quote = theme.quotes[0] if theme.quotes else None
        if quote is not None and quote not in chosen:
            chosen.append(quote)
    if not chosen:
        chosen = list(evidence.quotes)
    return [f"“{neutral(quote.text)}” — {quote.stars}★" for quote in chosen[:limit]]


def competitors_line(competitors: tuple[AppInfo, ...]) -> str:
    """Who else is there: "Chase Mobile 4.8★ (8,960,431) Free · …"."""

    def one(app: AppInfo) -> str:
        rating = (
            f"{app.rating:.1f}★ ({app.rating_count:,})"
            if app.rating is not None and app.rating_count
            else "no ratings yet"
        )
        price = f" {neutral(app.formatted_price)}" if app.formatted_price else ""
        return f"{neutral(app.name)} {rating}{price}"

    return " · ".join(one(app) for app in competitors)


def comparison_cells(row: ComparedApp) -> tuple[str, ...]:
    """One compared app as table cells, in `COMPARISON_HEADER`'s order (unsanitised)."""
    app = row.app
    rating = (
        f"{app.rating:.1f}★ ({app.rating_count:,})"
        if app.rating is not None and app.rating_count
        else "no ratings yet"
    )
    version = (
        f"{app.current_version_rating:.1f}★" if app.current_version_rating is not None else "—"
    )
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


def comparison_table(rows: tuple[ComparedApp, ...]) -> list[str]:
    """The comparison as aligned lines of plain text (the console, plain-text fallbacks)."""
    table = [COMPARISON_HEADER, *(comparison_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COMPARISON_HEADER))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]


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


def render_text(
    report: Report, strong: Markup = _same, faint: Markup = _same, body: bool = True
) -> str:
    """A Report as plain text: the console's reply, and every platform's plain-text fallback.
    Without `body`, the answer's text is left out (the console streamed it already)."""
    text = safe_links(report.text)
    if strong is not _same:
        text = re.sub(r"\*\*(.+?)\*\*", lambda m: strong(m.group(1)), text)
    if report.is_reply_private:
        return text + "\n"

    lines = [strong(f"━━ {report.subject} · {TITLES[report.kind].lower()} ━━")]
    app = report.app
    if app is not None:
        facts = [app.category or "category unknown", app.rating_summary]
        if app.formatted_price:
            facts.append(app.formatted_price)
        if app.last_update:
            facts.append(f"updated {app.last_update.isoformat()}")
        lines.append(" · ".join(facts))
    if report.clone_score is not None:
        score = report.clone_score
        lines.append(f"Clone score {score.total}/100 {score_bar(score, 20)}")
        lines.extend(f"  {line}" for line in score_lines(score, emphasis=lambda t: t))
    if report.top_apps:
        lines.append("Top apps now:")
        lines.extend(f"  {line}" for line in top_app_lines(report.top_apps))
    if report.reviews is not None:
        lines.append("What users say: " + evidence_summary(report.reviews))
        lines.extend(f"  {quote}" for quote in evidence_quotes(report.reviews))
    if report.competitors:
        lines.append("Who else is there: " + competitors_line(report.competitors))
    if report.comparison:
        lines.extend(comparison_table(report.comparison))
    lines += ["", text, ""] if body else [""]
    lines.append(faint("── " + source_line(report)))
    lines.extend(faint(f"   {note}") for note in report.notes)
    return "\n".join(lines) + "\n"


# A link target may hold one level of parentheses, as Wikipedia's and `javascript:f(1)` do.
_TARGET = r"<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?"
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
_INLINE_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
_IMAGE_OPENER = re.compile(r"!(\[[^\]\n]*\]\()")
_SLACK_LINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^|>\s]*)\|([^>\n]*)>")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_REFERENCE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*<?(\S+?)>?(?:[ \t].*)?$", re.MULTILINE)
_SAFE_SCHEMES = ("https://", "http://")


def safe_links(markdown: str) -> str:
    """Links in untrusted Markdown (the model's answer) shown only as what they are: images are
    never embedded (their alt text stays), a link whose visible text is not its target becomes
    "text (target)", Slack's `<target|text>` the same, and targets other than http(s) are
    dropped, leaving the text."""

    def link(text: str, target: str) -> str:
        target = target.strip()
        if not target.lower().startswith(_SAFE_SCHEMES):
            return text
        shown = text.strip()
        if not shown or _same_place(shown, target):
            return target
        return f"{shown} ({target})"

    # Until nothing changes: taking out an inner link can leave an outer one ("[[a](x)](y)").
    for _ in range(10):
        before = markdown
        markdown = _IMAGE.sub(lambda m: m.group(1), markdown)
        markdown = _INLINE_LINK.sub(lambda m: link(m.group(1), m.group(2)), markdown)
        markdown = _SLACK_LINK.sub(lambda m: link(m.group(2), m.group(1)), markdown)
        markdown = _AUTOLINK.sub(lambda m: link("", m.group(1)), markdown)
        # A reference definition would turn "[text][ref]" into a link: show it as text.
        markdown = _REFERENCE.sub(
            lambda m: f"{m.group(1)}{m.group(2)}: {link('', m.group(3))}", markdown
        )
        if markdown == before:
            break
    # An image opener with no end yet ("![x](http://…" of a growing answer) loses its "!":
    # whatever follows, it cannot become an embedded image.
    return _IMAGE_OPENER.sub(r"\1", markdown)


def _same_place(shown: str, target: str) -> bool:
    def bare(url: str) -> str:
        url = url.lower()
        for scheme in _SAFE_SCHEMES:
            url = url.removeprefix(scheme)
        return url.rstrip("/")

    return bare(shown) == bare(target)


STEP_MARKS = {
    StepStatus.RUNNING: "…",
    StepStatus.DONE: "✓",
    StepStatus.SKIPPED: "–",
    StepStatus.UNAVAILABLE: "✗",
}
WORKING = "Working…"


def step_line(step: Step, clean: Markup = _same) -> str:
    """One plan step as a line: "✓ Reading customer reviews — 150 reviews"."""
    line = f"{STEP_MARKS[step.status]} {clean(step.title)}"
    return line + (f" — {clean(step.detail)}" if step.detail else "")


def whole_lines(text: str) -> str:
    """The text up to its last line break: what can be shown of a growing answer for good (a
    link or mention is never split across lines, so each line is sanitised on its own)."""
    return text[: text.rfind("\n") + 1]


def continuation(shown: str, final: str) -> str | None:
    """What `final` adds to the `shown` start of it, or None when it does not go on from it
    (the stream broke and something else is the answer)."""
    if final.startswith(shown):
        return final[len(shown) :]
    if final == shown.rstrip():
        return ""
    return None


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary with "…" when it had to be cut."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit - 1)
    return text[: space if space > limit // 2 else limit - 1] + "…"


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, packing whole paragraphs together; a paragraph too
    long alone is cut at a line, then a word, and only as a last resort mid-word."""
    pieces: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text.strip())):
        while len(paragraph) > limit:
            at = paragraph.rfind("\n", 0, limit)
            if at <= 0:
                at = paragraph.rfind(" ", 0, limit)
            if at <= 0:
                at = limit  # one unbroken "word" longer than a whole piece
            head, paragraph = paragraph[:at].rstrip(), paragraph[at:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if not paragraph:
            continue
        if current and len(current) + 2 + len(paragraph) <= limit:
            current += "\n\n" + paragraph
        else:
            if current:
                pieces.append(current)
            current = paragraph
    if current:
        pieces.append(current)
    return pieces
