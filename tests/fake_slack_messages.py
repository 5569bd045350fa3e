"""The fake Slack's messages that change after they are posted: `chat.update`, and AI streaming
(`chat.startStream` / `chat.appendStream` / `chat.stopStream`), with Slack's errors and rate tiers.

What the fake enforces, as Slack documents it or answers in practice:
- startStream needs `channel` and `thread_ts` (`invalid_arguments`), and, in a channel, the
  recipient's team and user ids; `refuse_streams` makes it answer as a workspace or channel that
  cannot stream does (`not_allowed`, `method_not_supported_for_channel_type`, …).
- chunks are `markdown_text` (≤ 12,000 characters), `plan_update` or `task_update` (id, title,
  status pending|in_progress|complete|error); anything else is `invalid_chunks`.
- appendStream/stopStream on an unknown ts: `message_not_found`; on a stopped stream:
  `message_not_in_streaming_state`. stopStream's blocks are checked like a message's.
- Rate tiers per method per workspace in any 60 s: `chat.update` Tier 3 (50),
  `chat.appendStream` Tier 4 (100); start and stop as Tier 4 too (the issue leaves them open).
  Over a tier: HTTP 429, `Retry-After`, `{"ok": false, "error": "ratelimited"}` — counted.
Every change is kept with its time, so tests can assert what a user saw, and when.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.loopback import json_response

TIERS = {
    "chat.update": 50,
    "chat.appendStream": 100,
    "chat.startStream": 100,
    "chat.stopStream": 100,
}
MARKDOWN_CHUNK_MAX = 12_000
TASK_STATES = frozenset({"pending", "in_progress", "complete", "error"})


@dataclass
class Change:
    at: float  # time.monotonic() when Slack took it
    method: str
    text: str  # the message's markdown text after the change
    tasks: dict[str, dict[str, Any]]  # id → the task as shown after the change
    blocks: list[dict[str, Any]]


@dataclass
class LiveMessage:
    """A message that a user watches change: a stream, or a posted message being updated."""

    ts: str
    channel: str
    thread_ts: str | None
    kind: str  # "stream" or "message"
    text: str = ""
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    streaming: bool = False
    history: list[Change] = field(default_factory=list)

    def record(self, method: str) -> None:
        snapshot = Change(time.monotonic(), method, self.text, dict(self.tasks), list(self.blocks))
        self.history.append(snapshot)

    def calls(self, method: str) -> int:
        return sum(change.method == method for change in self.history)

    def all_text(self) -> str:
        tasks = json.dumps(list(self.tasks.values()), ensure_ascii=False)
        return self.text + tasks + json.dumps(self.blocks, ensure_ascii=False)


def chunk_problem(chunks: Any) -> str | None:
    if chunks is None:
        return None
    if not isinstance(chunks, list):
        return "invalid_chunks"
    for chunk in chunks:
        kind = chunk.get("type") if isinstance(chunk, dict) else None
        if kind == "markdown_text":
            text = chunk.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= MARKDOWN_CHUNK_MAX:
                return "invalid_chunks"
        elif kind == "plan_update":
            if not isinstance(chunk.get("title"), str) or not chunk["title"]:
                return "invalid_chunks"
        elif kind == "task_update":
            if not all(isinstance(chunk.get(k), str) and chunk[k] for k in ("id", "title")):
                return "invalid_chunks"
            if chunk.get("status") not in TASK_STATES:
                return "invalid_chunks"
        else:
            return "invalid_chunks"
    return None


class RateTiers:
    """Calls per method in the last 60 s (one workspace: the fake has one)."""

    def __init__(self) -> None:
        self.limits = dict(TIERS)
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self.limited: list[str] = []  # every 429 the fake answered, by method

    def admit(self, method: str) -> float | None:
        """None when the call fits; else the seconds until it would."""
        limit = self.limits.get(method)
        if limit is None:
            return None
        now = time.monotonic()
        calls = self._calls[method]
        while calls and calls[0] <= now - 60:
            calls.popleft()
        if len(calls) >= limit:
            self.limited.append(method)
            return max(1.0, calls[0] + 60 - now)
        calls.append(now)
        return None


class MessageStore:
    """The fake Slack's live messages, behind its Web API routes."""

    def __init__(self, block_problem: Any) -> None:
        self.messages: dict[str, LiveMessage] = {}
        self.tiers = RateTiers()
        self.refuse_streams: str | None = None  # the error startStream answers with, if set
        self._block_problem = block_problem
        self._ts = 0

    def new_ts(self) -> str:
        self._ts += 1
        return f"{int(time.time())}.{self._ts:06d}"

    def streams(self) -> list[LiveMessage]:
        return [m for m in self.messages.values() if m.kind == "stream"]

    def posted(self, ts: str, channel: str, thread_ts: str | None, body: dict[str, Any]) -> None:
        message = LiveMessage(ts, channel, thread_ts, "message")
        message.text, message.blocks = str(body.get("text") or ""), list(body.get("blocks") or [])
        message.record("chat.postMessage")
        self.messages[ts] = message

    def answer(self, method: str, body: dict[str, Any]) -> web.Response:
        wait = self.tiers.admit(method)
        if wait is not None:
            return json_response(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(round(wait))}
            )
        handler = {
            "chat.update": self._update,
            "chat.startStream": self._start,
            "chat.appendStream": self._append,
            "chat.stopStream": self._stop,
        }[method]
        result = handler(body)
        if isinstance(result, str):
            return json_response(200, {"ok": False, "error": result})
        return json_response(200, {"ok": True, **result})

    def _update(self, body: dict[str, Any]) -> dict[str, Any] | str:
        message = self.messages.get(str(body.get("ts")))
        if message is None or message.channel != body.get("channel"):
            return "message_not_found"
        blocks = body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None and (problem := self._block_problem(blocks)):
            return problem.split(":")[0]
        message.text = str(body.get("text") or "")
        message.blocks = list(blocks or [])
        message.record("chat.update")
        return {"channel": message.channel, "ts": message.ts}

    def _start(self, body: dict[str, Any]) -> dict[str, Any] | str:
        if self.refuse_streams:
            return self.refuse_streams
        channel, thread_ts = body.get("channel"), body.get("thread_ts")
        if not channel or not thread_ts:
            return "invalid_arguments"
        in_channel = str(channel).startswith(("C", "G"))
        if in_channel and not (body.get("recipient_team_id") and body.get("recipient_user_id")):
            return "invalid_arguments"
        if problem := chunk_problem(body.get("chunks")):
            return problem
        message = LiveMessage(self.new_ts(), str(channel), str(thread_ts), "stream", streaming=True)
        self._apply(message, body.get("chunks") or [])
        message.record("chat.startStream")
        self.messages[message.ts] = message
        return {"channel": channel, "ts": message.ts}

    def _streaming(self, body: dict[str, Any]) -> LiveMessage | str:
        message = self.messages.get(str(body.get("ts")))
        if message is None or message.kind != "stream" or message.channel != body.get("channel"):
            return "message_not_found"
        if not message.streaming:
            return "message_not_in_streaming_state"
        if problem := chunk_problem(body.get("chunks")):
            return problem
        return message

    def _append(self, body: dict[str, Any]) -> dict[str, Any] | str:
        message = self._streaming(body)
        if isinstance(message, str):
            return message
        if not body.get("chunks") and not body.get("markdown_text"):
            return "invalid_arguments"
        self._apply(message, body.get("chunks") or [], body.get("markdown_text"))
        message.record("chat.appendStream")
        return {"channel": message.channel, "ts": message.ts}

    def _stop(self, body: dict[str, Any]) -> dict[str, Any] | str:
        message = self._streaming(body)
        if isinstance(message, str):
            return message
        blocks = body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None and (problem := self._block_problem(blocks)):
            return problem.split(":")[0]
        self._apply(message, body.get("chunks") or [], body.get("markdown_text"))
        message.blocks = list(blocks or [])
        message.streaming = False
        message.record("chat.stopStream")
        return {"channel": message.channel, "ts": message.ts}

    @staticmethod
    def _apply(message: LiveMessage, chunks: list[Any], markdown: Any = None) -> None:
        for chunk in chunks:
            if chunk["type"] == "markdown_text":
                message.text += chunk["text"]
            elif chunk["type"] == "task_update":
                message.tasks[chunk["id"]] = chunk
        if isinstance(markdown, str):
            message.text += markdown
