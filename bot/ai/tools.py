"""Function calling on the router's OpenAI-compatible API: the tools offered to the model, the
calls it answers with, and how a streamed call is put together from its pieces.

Wire facts: tools go out as `{"type": "function", "function": {name, description, parameters}}`
with `tool_choice`; the model answers with `message.tool_calls` (`finish_reason: "tool_calls"`,
usually no content), each `{id, type: "function", function: {name, arguments}}` where
`arguments` is a JSON *string* the model wrote — it may be malformed, or name a tool nobody
offered. Streamed, `delta.tool_calls` carry an `index`, the id and name in the first piece and the
arguments in pieces. Results go back as `{"role": "tool", "tool_call_id", "content"}` after the
assistant message that made the calls. Providers that cannot use tools answer 400 naming them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call."""

    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of its arguments

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for. `arguments` is the model's raw JSON text: untrusted."""

    id: str
    name: str
    arguments: str

    def parsed(self) -> dict[str, Any] | None:
        """The arguments as an object, or None when the model wrote something else."""
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


def tool_calls(raw: Any) -> tuple[ToolCall, ...]:
    """The calls of a whole message's `tool_calls` (entries that are not calls are dropped)."""
    if not isinstance(raw, list):
        return ()
    calls = []
    for index, entry in enumerate(raw):
        function = entry.get("function") if isinstance(entry, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            continue
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # some providers send an object, not its JSON text
            arguments = json.dumps(arguments)
        call_id = entry.get("id") if isinstance(entry.get("id"), str) else f"call_{index}"
        text = arguments if isinstance(arguments, str) else ""
        calls.append(ToolCall(call_id, function["name"], text))
    return tuple(calls)


@dataclass
class ToolCallPieces:
    """Streamed `delta.tool_calls`, put together by their `index`."""

    _calls: dict[int, dict[str, str]] = field(default_factory=dict)

    def add(self, deltas: Any) -> None:
        if not isinstance(deltas, list):
            return
        for delta in deltas:
            if not isinstance(delta, dict):
                continue
            index = delta.get("index", 0)
            call = self._calls.setdefault(index if isinstance(index, int) else 0, {})
            if isinstance(delta.get("id"), str):
                call["id"] = delta["id"]
            function = delta.get("function")
            if isinstance(function, dict):
                if isinstance(function.get("name"), str):
                    call["name"] = call.get("name", "") + function["name"]
                if isinstance(function.get("arguments"), str):
                    call["arguments"] = call.get("arguments", "") + function["arguments"]

    def calls(self) -> tuple[ToolCall, ...]:
        return tuple(
            ToolCall(call.get("id") or f"call_{index}", call["name"], call.get("arguments", ""))
            for index, call in sorted(self._calls.items())
            if call.get("name")
        )
