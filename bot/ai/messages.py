"""A chat message in the OpenAI chat-completions form: what the router sends."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ai.tools import ToolCall


@dataclass(frozen=True)
class Message:
    role: str  # system, user, assistant or tool
    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()  # an assistant message that called tools
    tool_call_id: str | None = None  # a tool message: the call it answers

    @classmethod
    def calls(cls, calls: tuple[ToolCall, ...]) -> Message:
        """The model's own turn that asked for `calls`, sent back before their results."""
        return cls("assistant", None, tool_calls=calls)

    @classmethod
    def tool_result(cls, call: ToolCall, data: Any) -> Message:
        """A tool's result for the model: JSON data, never instructions."""
        return cls("tool", json.dumps(data, ensure_ascii=False), tool_call_id=call.id)

    def as_dict(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [call.as_dict() for call in self.tool_calls]
        if self.tool_call_id is not None:
            message["tool_call_id"] = self.tool_call_id
        return message
