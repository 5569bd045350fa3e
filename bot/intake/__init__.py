"""The way in: every platform's message, parsed and admitted (or refused), then answered."""

from bot.intake.turns import NEW_CONVERSATION, Conversation, Turn

__all__ = ["NEW_CONVERSATION", "Conversation", "Turn"]
