"""Replies as the core decides them: a `Report` becomes a `ReplyView` (heading, ordered sections,
the answer, footer, follow-up actions) that every platform maps to its own markup; plain text
for the console and fallbacks; and the text pieces those maps share."""

from bot.views.build import reply_view
from bot.views.links import safe_links
from bot.views.plain import plain_text
from bot.views.report_text import neutral
from bot.views.text import continuation, cut, split, step_line, whole_lines
from bot.views.view import (
    Action,
    ActionKind,
    FactsSection,
    Line,
    LinesSection,
    NoteSection,
    ReplyView,
    Section,
    Span,
    Style,
    TableSection,
    Tone,
    chart_problem,
)

__all__ = [
    "Action",
    "ActionKind",
    "FactsSection",
    "Line",
    "LinesSection",
    "NoteSection",
    "ReplyView",
    "Section",
    "Span",
    "Style",
    "TableSection",
    "Tone",
    "chart_problem",
    "continuation",
    "cut",
    "neutral",
    "plain_text",
    "reply_view",
    "safe_links",
    "split",
    "step_line",
    "whole_lines",
]
