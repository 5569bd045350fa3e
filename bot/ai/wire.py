"""The wire format of OpenAI-compatible chat completions, as Hugging Face's router and its
providers actually send it: pure functions, no I/O.

Error bodies come as a string or an object; `Retry-After` as seconds, milliseconds or a date;
content as a string, a list of parts or null; chain-of-thought in `reasoning`,
`reasoning_content` or inline `<think>` blocks, none of which may reach a user.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0


_THINK_BLOCK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)


def first_choice(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict) or "error" in data:
        return None
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    return choices[0]


def visible_text(content: Any) -> str:
    """The user-visible answer: content without any inline chain-of-thought."""
    if isinstance(content, list):  # some providers send content parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        return ""
    if "<think" in content or "<THINK" in content:
        content = _THINK_BLOCK.sub("", content)
    return content.strip()


def token_usage(raw: Any) -> TokenUsage:
    if not isinstance(raw, dict):
        return TokenUsage()

    def count(value: Any) -> int:
        return value if isinstance(value, int) and value >= 0 else 0

    details = raw.get("completion_tokens_details")
    reasoning = count(details.get("reasoning_tokens")) if isinstance(details, dict) else 0
    return TokenUsage(
        count(raw.get("prompt_tokens")), count(raw.get("completion_tokens")), reasoning
    )


def error_details(raw: bytes) -> tuple[str, str]:
    """(code, message) of an error body: `{"error": "…"}`, `{"error": {…}}`, HTML, anything."""
    try:
        data = json.loads(raw)
    except ValueError:
        snippet = re.sub(r"<[^>]*>|\s+", " ", raw[:300].decode("utf-8", "replace")).strip()
        return "", snippet[:120]
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error", data)
    if isinstance(error, str):
        return "", error[:200]
    if isinstance(error, dict):
        code = error.get("code") or error.get("type") or ""
        message = error.get("message") or ""
        return str(code)[:60], str(message)[:200]
    return "", ""


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """`retry-after-ms` (OpenAI style) first, then `retry-after` as seconds or an HTTP date."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def cut_at_last_line(text: str) -> str:
    """Drop the unfinished last line of a length-capped answer (the whole text if it is one line:
    then cut after the last full sentence, or the last whole word)."""
    head, newline, _tail = text.rpartition("\n")
    if newline and head.strip():
        return head.rstrip()
    for end in (". ", "! ", "? "):
        cut = text.rfind(end)
        if cut > 0:
            return text[: cut + 1]
    space = text.rfind(" ")
    return text[:space].rstrip() + "…" if space > 0 else text
