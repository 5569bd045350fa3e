"""Replies as the core decides them: a `Report` becomes a `ReplyView` (heading, ordered sections,
the answer, footer, follow-up actions) that every platform maps to its own markup; plain text
for the console and fallbacks; and the text pieces those maps share."""

from bot.views.build import reply_view
from bot.views.links import safe_links
from bot.views.plain import line_text, plain_text, section_lines, table_lines
from bot.views.report_text import TITLES, neutral
from bot.views.text import WORKING, continuation, cut, split, step_line, whole_lines
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
)

__all__ = [
    "TITLES",
    "WORKING",
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
    "continuation",
    "cut",
    "line_text",
    "neutral",
    "plain_text",
    "reply_view",
    "safe_links",
    "section_lines",
    "split",
    "step_line",
    "table_lines",
    "whole_lines",
]
