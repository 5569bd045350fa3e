"""A `ReplyView` as plain text: the console's reply (with its styles), and every platform's
fallback when its rich form is refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.views.view import (
    FactsSection,
    Line,
    LinesSection,
    NoteSection,
    ReplyView,
    Section,
    TableSection,
)

Markup = Callable[[str], str]


def _same(text: str) -> str:
    return text


def plain_text(
    view: ReplyView, strong: Markup = _same, faint: Markup = _same, body: bool = True
) -> str:
    """The reply as lines of text. `strong` and `faint` style it (the console's ANSI); without
    `body` the answer's text is left out (the console printed it as it was written)."""
    text = view.body
    if strong is not _same:
        text = re.sub(r"\*\*(.+?)\*\*", lambda m: strong(m.group(1)), text)
    if view.private:
        return text + "\n"
    lines = [strong(f"━━ {view.subject} · {view.title.lower()} ━━")]
    for section in view.sections:
        lines.extend(section_lines(section))
    lines += ["", text, ""] if body else [""]
    if view.footer:
        source, *notes = view.footer
        lines.append(faint("── " + source))
        lines.extend(faint(f"   {note}") for note in notes)
    return "\n".join(lines) + "\n"


def section_lines(section: Section) -> list[str]:
    if isinstance(section, FactsSection):
        known = [(label, value) for label, value in section.fields if value != "unknown"]
        return [" · ".join(_fact(label, value) for label, value in known)]
    if isinstance(section, LinesSection):
        head = section.title + (": " + line_text(section.headline) if section.headline else ":")
        return [
            head,
            *(f"  {line_text(line)}" for line in section.lines),
            *(f"  {quote}" for quote in section.quotes),
        ]
    if isinstance(section, TableSection):
        return table_lines(section)
    assert isinstance(section, NoteSection)
    return [f"{section.title}: {section.text}"]


def line_text(line: Line) -> str:
    return "".join(span.text for span in line)


def table_lines(table: TableSection) -> list[str]:
    """Aligned columns, as a terminal or a code block shows them."""
    rows = [table.header, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _fact(label: str, value: str) -> str:
    if label == "Last update":
        return f"updated {value}"
    if label == "Seller":
        return f"by {value}"
    return value
