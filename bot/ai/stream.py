"""Reading a streamed chat completion (server-sent events) as providers send it.

`data: {chunk}` lines carry `choices[0].delta.content` (the answer, shown as it grows),
`delta.reasoning` / `reasoning_content` (chain of thought, never shown), a `finish_reason`, and
at the end a usage chunk with `choices: []`; `data: [DONE]` closes the stream — except when it
does not: a stream may just end, or carry `data: {"error": …}` half-way. Inline `<think>` blocks
are hidden as they stream. Pure with respect to the network: it reads lines it is given.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from bot.ai.wire import TokenUsage, error_details, token_usage, visible_text


@dataclass
class StreamedAnswer:
    text: str = ""  # what users may see, so far
    finish_reason: str | None = None
    model: str | None = None  # the provider's own id
    usage: TokenUsage | None = None
    failure: str | None = None  # why it stopped early: an error event, or no [DONE]
    done: bool = False  # [DONE] arrived


async def read_stream(lines: AsyncIterator[str], on_text: Callable[[str], None]) -> StreamedAnswer:
    """Follow the events until `[DONE]` (or the end); `on_text` gets each new piece of
    visible text."""
    answer = StreamedAnswer()
    raw = ""  # content as sent, <think> blocks included
    async for line in lines:
        if not line.startswith("data:"):
            continue  # comments (": keep-alive"), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            answer.done = True
            break
        try:
            event = json.loads(data)
        except ValueError:
            answer.failure = "malformed event"
            break
        if not isinstance(event, dict):
            continue
        if "error" in event:
            _code, message = error_details(data.encode())
            answer.failure = f"error event: {message or 'no message'}"
            break
        if isinstance(event.get("model"), str):
            answer.model = event["model"]
        if isinstance(event.get("usage"), dict):
            answer.usage = token_usage(event["usage"])
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            continue
        choice = choices[0]
        if isinstance(choice.get("finish_reason"), str):
            answer.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        content = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str) or not content:
            continue
        raw += content
        shown = visible_text(raw)
        if shown.startswith(answer.text) and len(shown) > len(answer.text):
            on_text(shown[len(answer.text) :])
            answer.text = shown
    else:  # the stream just ended: fine once the answer was finished, else cut off
        if answer.finish_reason is None:
            answer.failure = "the stream ended before the answer did"
    return answer
