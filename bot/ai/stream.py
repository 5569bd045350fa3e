"""Reading a streamed chat completion (server-sent events) as providers send it.

`data: {chunk}` lines carry `choices[0].delta.content` (the answer, shown as it grows),
`delta.reasoning` / `reasoning_content` (chain of thought, never shown), a `finish_reason`, and
at the end a usage chunk with `choices: []`; `data: [DONE]` closes the stream — except when it
does not: a stream may just end, or carry `data: {"error": …}` half-way. Inline `<think>` blocks
are hidden as they stream. Pure with respect to the network: it reads the bytes it is given.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field

from bot.ai.tools import ToolCallPieces
from bot.ai.wire import TokenUsage, error_details, token_usage, visible_text


@dataclass
class StreamedAnswer:
    text: str = ""  # what users may see, so far
    finish_reason: str | None = None
    model: str | None = None  # the provider's own id
    usage: TokenUsage | None = None
    failure: str | None = None  # why it stopped early: an error event, or no [DONE]
    done: bool = False  # [DONE] arrived
    tool_calls: ToolCallPieces = field(default_factory=ToolCallPieces)


async def read_stream(
    chunks: AsyncIterable[bytes], on_text: Callable[[str], None]
) -> StreamedAnswer:
    """Follow the events until `[DONE]` (or the end); `on_text` gets each new piece of
    visible text. Reads the body as it comes off the socket and splits its lines itself: one
    await per network read instead of one per line, which halved the CPU of a stream."""
    reader = _EventReader(on_text)
    async for chunk in chunks:
        if reader.feed(chunk):
            break
    else:  # the stream just ended: fine once the answer was finished, else cut off
        reader.feed(b"\n")  # a last line without its line break
        if not reader.stopped and reader.answer.finish_reason is None:
            reader.answer.failure = "the stream ended before the answer did"
    return reader.answer


class _EventReader:
    def __init__(self, on_text: Callable[[str], None]) -> None:
        self.answer = StreamedAnswer()
        self.stopped = False  # [DONE], an error event or a malformed one
        self._on_text = on_text
        self._partial = b""  # the start of a line whose end has not arrived
        self._raw = ""  # content as sent, <think> blocks included

    def feed(self, chunk: bytes) -> bool:
        """Take more of the body; True once the stream is over."""
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.startswith(b"data:") and self._event(line[5:].strip()):
                self.stopped = True
                return True
        return False

    def _event(self, data: bytes) -> bool:
        """One `data:` event (comments, event names and blank separators are skipped before
        this); True when it ends the stream."""
        answer = self.answer
        if data == b"[DONE]":
            answer.done = True
            return True
        try:
            event = json.loads(data)
        except ValueError:
            answer.failure = "malformed event"
            return True
        if not isinstance(event, dict):
            return False
        if "error" in event:
            _code, message = error_details(data)
            answer.failure = f"error event: {message or 'no message'}"
            return True
        if isinstance(event.get("model"), str):
            answer.model = event["model"]
        if isinstance(event.get("usage"), dict):
            answer.usage = token_usage(event["usage"])
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return False
        choice = choices[0]
        if isinstance(choice.get("finish_reason"), str):
            answer.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if isinstance(delta, dict) and "tool_calls" in delta:
            answer.tool_calls.add(delta["tool_calls"])
        content = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, str) and content:
            self._raw += content
            shown = visible_text(self._raw)
            if shown.startswith(answer.text) and len(shown) > len(answer.text):
                self._on_text(shown[len(answer.text) :])
                answer.text = shown
        return False
