"""The pieces of a `Report` that every platform renders alike: titles, the clone-score bar and
lines, fact fields, where the answer came from, plain text, and cutting or splitting text to a
platform's limits at word boundaries. Platform modules add only their markup."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.advice import PART_MAX, CloneScore
from bot.appstore import AppInfo
from bot.report import Report, ReportKind, Source

TITLES = {
    ReportKind.ANALYSIS: "Opportunity analysis",
    ReportKind.GAPS: "Market gaps",
    ReportKind.BUILD: "Build guide",
}

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
    if report.source is Source.FALLBACK:
        return f"Rule-based advice · {seconds}"
    model = clean(report.model or "AI model")
    via = f" via {clean(report.provider)}" if report.provider else ""
    answer = "Cached AI answer" if report.source is Source.CACHE else "AI answer"
    return f"{answer} · {model}{via} · {seconds}"


def render_text(report: Report, strong: Markup = _same, faint: Markup = _same) -> str:
    """A Report as plain text: the console's reply, and every platform's plain-text fallback."""
    body = safe_links(report.text)
    if strong is not _same:
        body = re.sub(r"\*\*(.+?)\*\*", lambda m: strong(m.group(1)), body)
    if report.is_reply_private:
        return body + "\n"

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
    lines += ["", body, "", faint("── " + source_line(report))]
    lines.extend(faint(f"   {note}") for note in report.notes)
    return "\n".join(lines) + "\n"


# A link target may hold one level of parentheses, as Wikipedia's and `javascript:f(1)` do.
_TARGET = r"<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?"
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
_INLINE_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
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
    return markdown


def _same_place(shown: str, target: str) -> bool:
    def bare(url: str) -> str:
        url = url.lower()
        for scheme in _SAFE_SCHEMES:
            url = url.removeprefix(scheme)
        return url.rstrip("/")

    return bare(shown) == bare(target)


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
