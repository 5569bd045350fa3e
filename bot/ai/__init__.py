"""The model: `RouterClient` for Hugging Face's OpenAI-compatible router (whole answers or
streamed, with tools), its failure vocabulary, its wire format, and the prompts."""

from bot.ai.failures import FailureKind, RouterFailure
from bot.ai.prompts import PROMPT_VERSION, Message, build_messages
from bot.ai.router import Completion, RouterClient, RouterSettings
from bot.ai.tools import ToolCall, ToolSpec
from bot.ai.wire import TokenUsage

__all__ = [
    "PROMPT_VERSION",
    "Completion",
    "FailureKind",
    "Message",
    "RouterClient",
    "RouterFailure",
    "RouterSettings",
    "TokenUsage",
    "ToolCall",
    "ToolSpec",
    "build_messages",
]
