"""The model: `RouterClient` for Hugging Face's OpenAI-compatible router (whole answers or
streamed, with tools), its failure vocabulary and its wire format. It knows nothing of the
domain: the prompts live in `bot.prompts`."""

from bot.ai.failures import FailureKind, RouterFailure
from bot.ai.messages import Message
from bot.ai.router import Completion, RouterClient, RouterSettings
from bot.ai.tools import ToolCall, ToolSpec
from bot.ai.wire import TokenUsage

__all__ = [
    "Completion",
    "FailureKind",
    "Message",
    "RouterClient",
    "RouterFailure",
    "RouterSettings",
    "TokenUsage",
    "ToolCall",
    "ToolSpec",
]
