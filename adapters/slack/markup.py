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

from adapters.rendering import (
    COMPARISON_HEADER,
    TITLES,
    comparison_cells,
    competitors_line,
    cut,
    evidence_quotes,
    evidence_summary,
    fact_fields,
    render_text,
    safe_links,
    score_bar,
    score_lines,
    source_line,
    split,
    step_line,
    top_app_lines,
)
from bot.advice import best_target
from bot.appstore import AppInfo
from bot.progress.feed import Progress, Step, StepStatus
from bot.report.report import Report, ReportKind, Source

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
BAR_WIDTH = 10

ACTION_GAPS = "scout_gaps"
ACTION_BUILD = "scout_build"
ACTION_REFRESH = "scout_refresh"
ACTION_RUN = "scout_run"  # + an index: a follow-up of an alert or digest (ids must differ)

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


def render(
    report: Report, refresh: str = "", body: bool = True, table: bool = True
) -> SlackMessage:
    """The reply for a Report. `refresh` is the command a Refresh button sends ("" for none).
    Without `body`, the answer's text is left out: it was streamed into the message already.
    A comparison is a `table` block, or (`table=False`, for workspaces that refuse tables) a
    section of fields per app."""
    if report.is_reply_private:
        body = cut(mrkdwn(sanitise(report.text)), SECTION_MAX)
        summary = cut(mrkdwn(sanitise(report.text)), NOTIFICATION_MAX).strip() or "Trend Scout"
        return SlackMessage(summary, [_section(body)])

    title = TITLES[report.kind]
    blocks: list[dict[str, Any]] = []
    if body:
        header = cut(sanitise(f"{report.subject} · {title}"), HEADER_MAX)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": header}})
    if report.app is not None:
        blocks.append(_facts(report.app))
    if report.clone_score is not None:
        score = report.clone_score
        lines = [f"*Clone score {score.total}/100*  `{score_bar(score, BAR_WIDTH)}`"]
        lines.extend(f"• {line}" for line in score_lines(score, _bold, _italic, sanitise))
        blocks.append(_section("\n".join(lines)))
    if report.top_apps:
        lines = ["*Top apps now*", *top_app_lines(report.top_apps, sanitise)]
        blocks.append(_section(cut("\n".join(lines), SECTION_MAX)))
    if report.reviews is not None:
        lines = ["*What users say*", sanitise(evidence_summary(report.reviews))]
        lines.extend(f"> {sanitise(quote)}" for quote in evidence_quotes(report.reviews))
        blocks.append(_section(cut("\n".join(lines), SECTION_MAX)))
    if report.comparison:
        blocks.extend(_comparison(report, table))
    if report.competitors:
        who = "*Who else is there:* " + sanitise(competitors_line(report.competitors))
        blocks.append({"type": "context", "elements": [_mrkdwn(cut(who, FIELD_MAX))]})
    if body:
        blocks.append({"type": "divider"})
        blocks.extend(_markdown_blocks(sanitise(safe_links(report.text))))
    blocks.append(_context(report))
    actions = _actions(report, refresh)
    if actions is not None:
        blocks.append(actions)
    if len(blocks) > MAX_BLOCKS:  # cannot happen with the caps above; kept as a hard guarantee
        blocks = [*blocks[: MAX_BLOCKS - 2], blocks[-2], blocks[-1]]

    summary = f"{title}: {report.subject}".strip()
    if report.source is Source.FALLBACK:
        summary += " (rule-based advice)"
    return SlackMessage(cut(sanitise(summary), NOTIFICATION_MAX), blocks)


# Slack's task states for a plan step; a skipped step is as finished as a done one.
TASK_STATUS = {
    StepStatus.RUNNING: "in_progress",
    StepStatus.DONE: "complete",
    StepStatus.SKIPPED: "complete",
    StepStatus.UNAVAILABLE: "error",
}
TASK_TITLE_MAX = 256


def streamed_text(markdown: str) -> str:
    """Model text for a stream's `markdown_text`, made safe like the analysis blocks."""
    return sanitise(safe_links(markdown))


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


def plain(report: Report) -> SlackMessage:
    """The reply as plain text, for when Slack refuses its blocks."""
    text = cut(sanitise(render_text(report)).strip() or "—", SECTION_MAX)
    summary = f"{TITLES.get(report.kind, 'Trend Scout')}: {report.subject}".strip(": ")
    block = {"type": "section", "text": {"type": "plain_text", "text": text}}
    return SlackMessage(cut(sanitise(summary), NOTIFICATION_MAX), [block])


def apology(report: Report | None) -> SlackMessage:
    """What a user sees when posting the real reply failed: short, private, still useful."""
    text = "Sorry — Slack would not take the full reply."
    blocks = [_section(text)]
    if report is not None and report.text:
        blocks.append(_section(cut(sanitise(report.text), SECTION_MAX)))
    return SlackMessage(text, blocks)


def _facts(app: AppInfo) -> dict[str, Any]:
    fields = fact_fields(app)
    name = sanitise(app.name)
    title = f"<{app.url}|{name}>" if app.url and app.url.startswith("https://") else name
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": cut(f"*{title}*", SECTION_MAX)},
        "fields": [
            {"type": "mrkdwn", "text": cut(f"*{label}*\n{sanitise(value)}", FIELD_MAX)}
            for label, value in fields[:10]
        ],
    }
    if app.artwork_url and app.artwork_url.startswith("http"):
        block["accessory"] = {"type": "image", "image_url": app.artwork_url, "alt_text": name[:100]}
    return block


def _comparison(report: Report, table: bool) -> list[dict[str, Any]]:
    rows = [comparison_cells(row) for row in report.comparison]
    if table:
        cells = [COMPARISON_HEADER, *rows]
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
            "text": {"type": "mrkdwn", "text": f"*{sanitise(cells[0])}*"},
            "fields": [
                {"type": "mrkdwn", "text": f"*{label}*\n{sanitise(value)}"}
                for label, value in zip(COMPARISON_HEADER[1:], cells[1:], strict=True)
            ],
        }
        for cells in rows
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


def _context(report: Report) -> dict[str, Any]:
    texts = [source_line(report, sanitise), *(sanitise(n) for n in report.notes if n.strip())]
    return {
        "type": "context",
        "elements": [_mrkdwn(cut(text, FIELD_MAX)) for text in texts[:CONTEXT_ELEMENTS_MAX]],
    }


def _actions(report: Report, refresh: str) -> dict[str, Any] | None:
    """Follow-up buttons. Their values are plain commands, so they work after a restart."""
    buttons = []
    if report.kind is ReportKind.COMPARE and report.comparison:
        best = best_target(report.comparison).app
        buttons.append(
            _button(f"Build guide: {best.name}", ACTION_BUILD, f"build id:{best.track_id}")
        )
        if refresh:
            buttons.append(_button("Refresh", ACTION_REFRESH, refresh))
        return {"type": "actions", "block_id": "scout_actions", "elements": buttons}
    category = report.app.category if report.app is not None else None
    if report.kind is ReportKind.GAPS:
        category = report.subject
    if category and report.kind is not ReportKind.GAPS:
        buttons.append(_button(f"Market gaps in {category}", ACTION_GAPS, f"gaps {category}"))
    if report.kind is ReportKind.ANALYSIS:
        target = f"id:{report.app.track_id}" if report.app is not None else report.subject
        buttons.append(_button("Build guide", ACTION_BUILD, f"build {target}"))
    if refresh:
        buttons.append(_button("Refresh", ACTION_REFRESH, refresh))
    for index, follow_up in enumerate(report.follow_ups):
        buttons.append(
            _button(sanitise(follow_up.label), f"{ACTION_RUN}_{index}", follow_up.command)
        )
    if not buttons:
        return None
    return {"type": "actions", "block_id": "scout_actions", "elements": buttons}


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": cut(text, BUTTON_TEXT_MAX)},
        "value": cut(value, BUTTON_VALUE_MAX),
    }


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _bold(text: str) -> str:
    return f"*{text}*"


def _italic(text: str) -> str:
    return f"_{text}_"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text if text.strip() else "—"}}
