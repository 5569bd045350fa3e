"""Block Kit as the fake Slack checks it: why Slack would refuse a message's blocks
(`invalid_blocks`, or `msg_blocks_too_long` past 12,000 characters of markdown blocks together),
or its text (`no_text`, `msg_too_long` past 40,000 characters).

What `block_problem` enforces, as Slack documents it: at most 50 blocks (100 in a Home tab);
headers plain_text ≤ 150; section text ≤ 3000 and ≤ 10 fields of ≤ 2000, an accessory image by
URL; markdown ≤ 12,000; context 1–10 text elements; actions 1–25 buttons (text ≤ 75, value
≤ 2000, unique action_ids); `context_actions` of `feedback_buttons` / `icon_button`; dividers;
one table per message (1–100 rows of the same 1–20 raw_text or rich_text cells), unless the
workspace has no table blocks yet."""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
TEXT_MAX = 40_000
BLOCK_TEXT_TOTAL_MAX = 12_000  # markdown blocks together; Slack says msg_blocks_too_long past it


def _plain(obj: Any, limit: int) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return "must be plain_text"
    if not isinstance(obj.get("text"), str) or not 1 <= len(obj["text"]) <= limit:
        return f"text must be 1–{limit} characters"
    return None


def _text(obj: Any, limit: int) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return "must be a text object"
    if not isinstance(obj.get("text"), str) or not 1 <= len(obj["text"]) <= limit:
        return f"text must be 1–{limit} characters"
    return None


def block_problem(blocks: Any, tables: bool = True, max_blocks: int = MAX_BLOCKS) -> str | None:
    """Why Slack would answer `invalid_blocks` (or `msg_blocks_too_long`), or None. Without
    `tables`, as a workspace that has no table blocks yet."""
    if not isinstance(blocks, list):
        return "invalid_blocks: blocks must be a list"
    if len(blocks) > max_blocks:
        return f"invalid_blocks: no more than {max_blocks} items allowed"
    markdown_total = 0
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        problem: str | None = None
        if kind == "header":
            problem = _plain(block.get("text"), 150)
        elif kind == "section":
            if "text" in block:
                problem = _text(block["text"], 3000)
            elif "fields" not in block:
                problem = "section needs text or fields"
            fields = block.get("fields", [])
            if not problem and (not isinstance(fields, list) or len(fields) > 10):
                problem = "fields: no more than 10 items allowed"
            for field in fields if not problem else []:
                problem = problem or _text(field, 2000)
            accessory = block.get("accessory")
            image_url = str((accessory or {}).get("image_url", ""))
            if not problem and accessory is not None and not image_url.startswith("http"):
                problem = "accessory image_url must be a URL"
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 12_000:
                problem = "markdown text must be 1–12000 characters"
            else:
                markdown_total += len(text)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problem = "context: 1–10 elements"
            for element in elements or []:
                problem = problem or _text(element, 2000)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                problem = "actions: 1–25 elements"
            for element in elements or []:
                if problem:
                    break
                problem = _plain(element.get("text"), 75)
                action_id = element.get("action_id", "")
                if action_id in action_ids:
                    problem = "action_id must be unique"
                action_ids.add(action_id)
                if len(str(element.get("value", ""))) > 2000:
                    problem = "button value must be at most 2000 characters"
        elif kind == "context_actions":
            problem = _context_actions_problem(block.get("elements"), action_ids)
        elif kind == "divider":
            pass
        elif kind == "table" and tables:
            problem = _table_problem(block.get("rows"))
            tables = False  # one table per message
        else:
            problem = f"unknown block type {kind!r}"
        if problem:
            return f"invalid_blocks: [{i}] {problem}"
    if markdown_total > BLOCK_TEXT_TOTAL_MAX:
        return "msg_blocks_too_long"
    return None


def _context_actions_problem(elements: Any, action_ids: set[str]) -> str | None:
    """Slack's `context_actions` block: 1–5 `feedback_buttons` or `icon_button` elements; a
    feedback element needs an action_id and two buttons, each with plain_text (≤ 75) and a
    value (≤ 2000)."""
    if not isinstance(elements, list) or not 1 <= len(elements) <= 5:
        return "context_actions: 1–5 elements"
    for element in elements:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in ("feedback_buttons", "icon_button"):
            return f"context_actions: unknown element {kind!r}"
        action_id = str(element.get("action_id") or "")
        if not action_id or action_id in action_ids or len(action_id) > 255:
            return "action_id must be present and unique"
        action_ids.add(action_id)
        if kind != "feedback_buttons":
            continue
        for side in ("positive_button", "negative_button"):
            button = element.get(side)
            if not isinstance(button, dict):
                return f"feedback_buttons: {side} is required"
            problem = _plain(button.get("text"), 75)
            value = button.get("value")
            if problem or not isinstance(value, str) or not 1 <= len(value) <= 2000:
                return f"feedback_buttons: {side} needs text and a value"
    return None


def _table_problem(rows: Any) -> str | None:
    if not isinstance(rows, list) or not 1 <= len(rows) <= 100:
        return "table: 1–100 rows"
    widths = {len(row) if isinstance(row, list) else -1 for row in rows}
    if len(widths) != 1 or not 1 <= widths.pop() <= 20:
        return "table: every row needs the same 1–20 cells"
    for row in rows:
        for cell in row:
            if not isinstance(cell, dict) or cell.get("type") not in ("raw_text", "rich_text"):
                return "table: cells must be raw_text or rich_text"
            if cell["type"] == "raw_text" and not isinstance(cell.get("text"), str):
                return "table: raw_text cells need text"
    return None


def message_problem(body: dict[str, Any], tables: bool = True) -> str | None:
    """Why Slack would refuse a message's `text` and `blocks` (as `chat.postMessage` or a
    response_url does), or None."""
    text = body.get("text")
    blocks = body.get("blocks")
    if not text and not blocks:
        return "no_text"
    if isinstance(text, str) and len(text) > TEXT_MAX:
        return "msg_too_long"
    if blocks is not None:
        return block_problem(blocks, tables)
    return None
