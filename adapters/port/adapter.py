"""The one small interface every platform adapter implements.

An adapter connects to its platform, translates each event into an `Incoming` and an `Arrival`
(how that event is acknowledged, and the `Outbox` of its own markup that its reply goes to), and
hands both to the core's accept pipeline, which decides the rest. The supervisor drives adapters
through `start`, `stop_accepting`, `close` and `health`.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from aiohttp import web

from bot.database import CommandJournal, JournalEntry
from bot.intake import AcceptPipeline, Conversation, Outbox, Turn
from bot.watch import ChannelPoster


class StartupError(Exception):
    """A platform could not start; the message is the one line the operator reads."""


class Adapter(ABC):
    name: str = "adapter"
    platform: str = "adapter"  # as in `Caller.platform` and the journal
    reply_window: float = 15 * 60  # how long after a command its reply can still be posted

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.intake = AcceptPipeline(conversation, self.reply_window)
        self.finished = asyncio.Event()  # set by an adapter that ends on its own (the console)

    @property
    def journal(self) -> CommandJournal | None:
        return self.intake.journal

    @journal.setter
    def journal(self, journal: CommandJournal | None) -> None:  # set by the composition root
        self.intake.journal = journal

    @property
    def accepting(self) -> bool:
        return self.intake.accepting

    @accepting.setter
    def accepting(self, accepting: bool) -> None:
        self.intake.accepting = accepting

    @property
    def in_flight(self) -> set[asyncio.Task[None]]:
        return self.intake.in_flight

    def channel_poster(self) -> ChannelPoster | None:
        """How trend watch posts in this platform's channels (alerts, digests), if it can."""
        return None

    def recovered_outbox(self, turn: Turn, entry: JournalEntry) -> Outbox | None:
        """An outbox for a journalled command that another worker accepted and did not
        answer (it died), from the reply address it wrote; None when it cannot be answered."""
        return None

    async def resume(self, entry: JournalEntry) -> None:
        """Answer a command another worker accepted and never answered."""
        await self.intake.resume(entry, self.recovered_outbox)

    @abstractmethod
    async def start(self) -> str:
        """Connect; return what the start-up line says of it. `StartupError` when impossible."""

    async def stop_accepting(self) -> None:
        """Take no new commands; replies in flight still go out."""
        self.intake.accepting = False

    @abstractmethod
    async def close(self) -> None:
        """Disconnect, after the replies in flight are out."""

    @abstractmethod
    async def health(self) -> dict[str, bool]:
        """Connection name → connected, for `/healthz`."""

    def web_app(self) -> web.Application | None:
        """Routes this adapter serves on $PORT, if any."""
        return None
