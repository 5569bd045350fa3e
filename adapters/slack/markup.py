"""Block Kit rendering of a `Report`, always within Slack's limits.

Limits kept (Slack's documented ones, and one learnt the hard way): 50 blocks, header 150
characters, section text 3,000, 10 fields of 2,000, button text 75 and value 2,000, 10 context
elements, and `markdown` blocks at most 12,000 characters *together* — Slack answers
`msg_blocks_too_long` near 13k of block text in one payload (slackapi/bolt-js#2509), so the
analysis is kept under 11,000 and split into blocks at paragraph boundaries.

Everything that came from users, the App Store or the model is sanitised: no `<!channel>`,
`<!here>`, `<!everyone>`, user or group mentions can survive into a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.progress import Progress, Step, StepStatus
from bot.report import Report
from bot.views import (
    Action,
    ActionKind,
    FactsSection,
    Line,
    LinesSection,
    NoteSection,
    ReplyView,
    Section,
    Style,
    TableSection,
    cut,
    neutral,
    plain_text,
    safe_links,
    split,
    step_line,
)

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
CONTEXT_ELEMENTS_MAX = 10
MARKDOWN_BLOCK_MAX = 3000  # per block, well under the 12,000 a block may hold
MARKDOWN_TOTAL_MAX = 11_000  # all markdown blocks of one message together
NOTIFICATION_MAX = 300

ACTION_GAPS = "scout_gaps"
ACTION_BUILD = "scout_build"
ACTION_REFRESH = "scout_refresh"
ACTION_RUN = "scout_run"  # + an index: a follow-up of an alert or digest (ids must differ)
ACTION_FEEDBACK = "scout_feedback"  # the 👍/👎 under a model's answer; value "up:<id>"/"down:<id>"

_MASS_MENTION = re.compile(r"@(?=(channel|here|everyone)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification fallback: what push notifications and screen readers show
    blocks: list[dict[str, Any]]

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def sanitise(text: str) -> str:
    """Neutralise Slack's control sequences: escape &, <, > (which disables `<!here>`, `<@U1>`,
    `<!subteam^…>` and links-with-labels) and break bare @channel/@here/@everyone."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MASS_MENTION.sub("@\u200b", escaped)


def escape(text: str) -> str:
    """Untrusted text for a plain Slack message (e.g. the "Scouting …" ack)."""
    return sanitise(text).replace("@", "@\u200b")


def mrkdwn(markdown: str) -> str:
    """Slack's own markup for the Markdown the core writes: **bold** becomes *bold*."""
    return re.sub(r"\*\*(.+?)\*\*", r"*\1*", markdown)


def render(view: ReplyView, body: bool = True, table: bool = True) -> SlackMessage:
    """The reply for a view. Without `body`, the answer's text is left out: it was streamed
    into the message already. A table section is a `table` block, or (`table=False`, for
    workspaces that refuse tables) a section of fields per row."""
    if view.private:
        text = mrkdwn(sanitise(view.body))
        summary = cut(text, NOTIFICATION_MAX).strip() or "Trend Scout"
        return SlackMessage(summary, [_section(cut(text, SECTION_MAX))])

    blocks: list[dict[str, Any]] = []
    if body:
        header = cut(sanitise(view.heading), HEADER_MAX)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": header}})
    for section in view.sections:
        blocks.extend(_section_blocks(section, table))
    if body:
        blocks.append({"type": "divider"})
        blocks.extend(_markdown_blocks(sanitise(view.body)))
    blocks.append(_context(view.footer))
    tail = 1
    if view.actions:
        blocks.append(_actions(view.actions))
        tail += 1
    if view.feedback_id:
        blocks.append(feedback_block(view.feedback_id))
        tail += 1
    if len(blocks) > MAX_BLOCKS:  # cannot happen with the caps above; kept as a hard guarantee
        blocks = [*blocks[: MAX_BLOCKS - tail], *blocks[-tail:]]
    return SlackMessage(cut(sanitise(view.summary), NOTIFICATION_MAX), blocks)


def _section_blocks(section: Section, table: bool) -> list[dict[str, Any]]:
    if isinstance(section, FactsSection):
        return [_facts(section)]
    if isinstance(section, LinesSection):
        head = f"*{sanitise(section.title)}*"
        if section.headline:
            head += " " + _spans(section.headline)
        lines = [head, *map(_spans, section.lines)]
        lines.extend(f"> {sanitise(quote)}" for quote in section.quotes)
        return [_section(cut("\n".join(lines), SECTION_MAX))]
    if isinstance(section, TableSection):
        return _table(section, table)
    assert isinstance(section, NoteSection)
    note = f"*{sanitise(section.title)}:* {sanitise(section.text)}"
    return [{"type": "context", "elements": [_mrkdwn(cut(note, FIELD_MAX))]}]


_STYLES = {
    Style.PLAIN: "{}",
    Style.STRONG: "*{}*",
    Style.EMPHASIS: "_{}_",
    Style.CODE: "`{}`",
}


def _spans(line: Line) -> str:
    return "".join(_STYLES[span.style].format(sanitise(span.text)) for span in line)


# Slack's task states for a plan step; a skipped step is as finished as a done one.
TASK_STATUS = {
    StepStatus.RUNNING: "in_progress",
    StepStatus.DONE: "complete",
    StepStatus.SKIPPED: "complete",
    StepStatus.UNAVAILABLE: "error",
}
TASK_TITLE_MAX = 256


def streamed_text(markdown: str, shown: str = "") -> str:
    """Model text for a stream's `markdown_text`, made safe like the analysis blocks — also
    joined to what the stream `shown` already: where the two together would read differently
    (a code block opened above, a link's text begun above), the new text's markup is
    neutralised, so no link can hide its target across appends."""
    chunk = sanitise(safe_links(markdown))
    joined = shown + chunk
    return chunk if safe_links(joined) == joined else neutral(chunk)


def task_chunks(steps: tuple[Step, ...]) -> list[dict[str, Any]]:
    """Plan steps as the `task_update` chunks of a Slack stream."""
    chunks = []
    for step in steps:
        chunk = {
            "type": "task_update",
            "id": step.id,
            "title": cut(escape(step.title), TASK_TITLE_MAX),
            "status": TASK_STATUS[step.status],
        }
        if step.detail:
            chunk["output"] = cut(escape(step.detail), TASK_TITLE_MAX)
        chunks.append(chunk)
    return chunks


def progress_message(subject: str, progress: Progress) -> SlackMessage:
    """Progress as one ordinary message (edited with `chat.update`, or sent through a
    `response_url`): the plan, then the text so far."""
    heading = f"Scouting {escape(subject)}…"
    lines = [f"*{heading}*", *(sanitise(step_line(step)) for step in progress.steps)]
    blocks = [_section(cut("\n".join(lines), SECTION_MAX))]
    if progress.text.strip():
        blocks.extend(_markdown_blocks(streamed_text(progress.text)))
    blocks.append({"type": "context", "elements": [_mrkdwn("_Working… the full answer follows._")]})
    return SlackMessage(cut(heading, NOTIFICATION_MAX), blocks)


def plain(view: ReplyView) -> SlackMessage:
    """The reply as plain text, for when Slack refuses its blocks."""
    text = cut(sanitise(plain_text(view)).strip() or "—", SECTION_MAX)
    summary = f"{view.title}: {view.subject}".strip(": ")
    block = {"type": "section", "text": {"type": "plain_text", "text": text}}
    return SlackMessage(cut(sanitise(summary), NOTIFICATION_MAX), [block])


def apology(report: Report | None) -> SlackMessage:
    """What a user sees when posting the real reply failed: short, private, still useful."""
    text = "Sorry — Slack would not take the full reply."
    blocks = [_section(text)]
    if report is not None and report.text:
        blocks.append(_section(cut(sanitise(report.text), SECTION_MAX)))
    return SlackMessage(text, blocks)


def _facts(facts: FactsSection) -> dict[str, Any]:
    name = sanitise(facts.name)
    title = f"<{facts.url}|{name}>" if facts.url else name
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": cut(f"*{title}*", SECTION_MAX)},
        "fields": [
            {"type": "mrkdwn", "text": cut(f"*{label}*\n{sanitise(value)}", FIELD_MAX)}
            for label, value in facts.fields[:10]
        ],
    }
    if facts.artwork_url:
        image = {"type": "image", "image_url": facts.artwork_url, "alt_text": name[:100]}
        block["accessory"] = image
    return block


def _table(section: TableSection, table: bool) -> list[dict[str, Any]]:
    if table:
        cells = [section.header, *section.rows]
        return [
            {
                "type": "table",
                "rows": [
                    [{"type": "raw_text", "text": _MASS_MENTION.sub("@\u200b", c)} for c in line]
                    for line in cells
                ],
            }
        ]
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{sanitise(row[0])}*"},
            "fields": [
                {"type": "mrkdwn", "text": f"*{label}*\n{sanitise(value)}"}
                for label, value in zip(section.header[1:], row[1:], strict=True)
            ],
        }
        for row in section.rows
    ]


def _markdown_blocks(text: str) -> list[dict[str, Any]]:
    """Paragraph-sized markdown blocks, never cutting mid-paragraph unless one paragraph alone is
    too long (then at a line, then at a word)."""
    chunks: list[str] = []
    used = 0
    for chunk in split(text, MARKDOWN_BLOCK_MAX):
        if used + len(chunk) > MARKDOWN_TOTAL_MAX:
            chunks.append("_…the rest was too long for one Slack message._")
            break
        chunks.append(chunk)
        used += len(chunk)
    return [{"type": "markdown", "text": chunk} for chunk in chunks or ["_(no text)_"]]


def _context(footer: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [
            _mrkdwn(cut(sanitise(text), FIELD_MAX)) for text in footer[:CONTEXT_ELEMENTS_MAX]
        ],
    }


ACTION_IDS = {
    ActionKind.GAPS: ACTION_GAPS,
    ActionKind.BUILD: ACTION_BUILD,
    ActionKind.REFRESH: ACTION_REFRESH,
}


def _actions(actions: tuple[Action, ...]) -> dict[str, Any]:
    """Follow-up buttons. Their values are plain commands, so they work after a restart; ids
    differ within the block (Slack requires it)."""
    buttons = []
    for index, action in enumerate(actions):
        action_id = ACTION_IDS.get(action.kind) or f"{ACTION_RUN}_{index}"
        buttons.append(_button(sanitise(action.label), action_id, action.command))
    return {"type": "actions", "block_id": "scout_actions", "elements": buttons}


def feedback_block(answer_id: str) -> dict[str, Any]:
    """Slack's own 👍/👎 under an AI answer (`feedback_buttons` in a `context_actions` block);
    each button's value names the vote and the answer."""
    return {
        "type": "context_actions",
        "block_id": "scout_feedback",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ACTION_FEEDBACK,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "👍"},
                    "accessibility_label": "This answer was useful",
                    "value": f"up:{answer_id}",
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "👎"},
                    "accessibility_label": "This answer was not useful",
                    "value": f"down:{answer_id}",
                },
            }
        ],
    }


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": cut(text, BUTTON_TEXT_MAX)},
        "value": cut(value, BUTTON_VALUE_MAX),
    }


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text if text.strip() else "—"}}
