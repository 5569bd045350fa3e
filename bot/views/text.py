"""Plain-text pieces every platform's markup uses: plan-step lines, cutting and splitting text to
a platform's limits at word boundaries, and what a growing answer adds."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.progress import Step, StepStatus

Markup = Callable[[str], str]


def _same(text: str) -> str:
    return text


STEP_MARKS = {
    StepStatus.RUNNING: "…",
    StepStatus.DONE: "✓",
    StepStatus.SKIPPED: "–",
    StepStatus.UNAVAILABLE: "✗",
}


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
