"""The plain-text pieces of a `Report` that every adapter renders alike: titles, the clone-score
bar, where the answer came from, and cutting text to a platform's limit at a word boundary."""

from __future__ import annotations

from collections.abc import Callable

from bot.advice.scoring import CloneScore
from bot.report import Report, ReportKind, Source

TITLES = {
    ReportKind.ANALYSIS: "Opportunity analysis",
    ReportKind.GAPS: "Market gaps",
    ReportKind.BUILD: "Build guide",
}


def score_bar(score: CloneScore, width: int = 10) -> str:
    filled = round(score.total / 100 * width)
    return "█" * filled + "░" * (width - filled)


def source_line(report: Report, clean: Callable[[str], str] = str) -> str:
    """Where the answer came from and how long it took, e.g. "AI answer · gpt-oss-120b via
    novita · 3.2 s". `clean` makes upstream-supplied names safe for the platform."""
    seconds = f"{report.latency_ms / 1000:.1f} s"
    if report.source is Source.FALLBACK:
        return f"Rule-based advice · {seconds}"
    model = clean(report.model or "AI model")
    via = f" via {clean(report.provider)}" if report.provider else ""
    answer = "Cached AI answer" if report.source is Source.CACHE else "AI answer"
    return f"{answer} · {model}{via} · {seconds}"


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary with "…" when it had to be cut."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit - 1)
    return text[: space if space > limit // 2 else limit - 1] + "…"
