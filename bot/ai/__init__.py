"""The model: `RouterClient` for Hugging Face's OpenAI-compatible router, its wire format, and the
prompts."""

from bot.ai.prompts import PROMPT_VERSION, Message, build_messages
from bot.ai.router import Completion, FailureKind, RouterClient, RouterFailure, RouterSettings
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
    "build_messages",
]
