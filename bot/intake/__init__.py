"""The way in: every platform's message as one `Incoming`, parsed into a `Turn` and admitted
(or refused), then answered exactly once through the accept pipeline."""

from bot.intake.incoming import Incoming
from bot.intake.journal_handle import JournalHandle
from bot.intake.pipeline import RESTARTING, AcceptPipeline, Arrival, LiveView, Outbox
from bot.intake.turns import NEW_CONVERSATION, Conversation, Turn

__all__ = [
    "NEW_CONVERSATION",
    "RESTARTING",
    "AcceptPipeline",
    "Arrival",
    "Conversation",
    "Incoming",
    "JournalHandle",
    "LiveView",
    "Outbox",
    "Turn",
]
