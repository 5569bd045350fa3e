"""The one interface every platform adapter implements, and the reply flow they share.

The runtime drives adapters through `start`, `stop_accepting`, `close` and `health`. An adapter
translates its platform's events into the conversation path (`Conversation.begin`), runs the work
after its acknowledgement with `spawn` (kept track of, so shutdown can wait for it), and delivers
the one final reply with `reply` through an `Outbox` of its own markup.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from typing import Protocol

from aiohttp import web

from adapters.port.live import LiveReply
from bot.database import CommandJournal, JournalEntry
from bot.intake.turns import Conversation, Turn
from bot.report.report import Report
from bot.runtime import Caller
from bot.watch import ChannelPoster

log = logging.getLogger(__name__)


class StartupError(Exception):
    """A platform could not start; the message is the one line the operator reads."""


class Outbox(Protocol):
    """Where one turn's reply goes, in one platform's markup."""

    async def send(self, report: Report) -> None:
        """Post the reply in the platform's rich form."""
        ...

    def rejection(self, error: Exception) -> str | None:
        """The platform's reason when `error` means "that rich message was refused"; else None."""
        ...

    async def send_plain(self, report: Report) -> None:
        """Post the reply as plain text (after the rich form was refused)."""
        ...

    async def apologise(self, report: Report | None) -> None:
        """Tell the user, privately where possible, that the reply could not be posted (and end
        a live message that was showing progress)."""
        ...

    def live(self) -> LiveReply | None:
        """How this outbox shows progress before the reply, if it does. `send`, `send_plain` and
        `apologise` then turn the live message into the final reply."""
        ...

    def place(self) -> str | None:
        """Where the reply went, as a follow-up will name it (a thread, a DM, the reply
        message); None where a conversation cannot go on."""
        ...


class Adapter(ABC):
    name: str = "adapter"
    platform: str = "adapter"  # as in `Caller.platform` and the journal
    reply_window: float = 15 * 60  # how long after a command its reply can still be posted

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.in_flight: set[asyncio.Task[None]] = set()
        self.accepting = True  # False while shutting down: no new commands
        self.finished = asyncio.Event()  # set by an adapter that ends on its own (the console)
        self.journal: CommandJournal | None = None  # set by the composition root

    def channel_poster(self) -> ChannelPoster | None:
        """How trend watch posts in this platform's channels (alerts, digests), if it can."""
        return None

    def recovered_outbox(self, turn: Turn, entry: JournalEntry) -> Outbox | None:
        """An outbox for a journalled command that another worker accepted and did not
        answer (it died), from the reply address it wrote; None when it cannot be answered."""
        return None

    async def record(
        self,
        caller: Caller,
        text: str,
        address: dict[str, str],
        where: str | None = None,
        plain_language: bool = False,
    ) -> JournalEntry | None:
        """Journal an accepted command before it is acknowledged. Without a journal, or when
        the database cannot be reached, the command still runs (unjournalled: logged)."""
        if self.journal is None:
            return None
        now = self.journal.now()
        entry = JournalEntry(
            self.platform,
            caller.user_id,
            text,
            caller.workspace,
            where,
            plain_language,
            address,
            accepted_at=now,
            expires_at=now + self.reply_window,
        )
        try:
            return await self.journal.record(entry)
        except Exception as exc:
            log.warning(
                "could not journal a %s command (%s); answering it anyway",
                self.name,
                type(exc).__name__,
            )
            return None

    async def note_live(self, entry: JournalEntry | None, **address: str) -> JournalEntry | None:
        """Keep the live message's id in the journal, so a worker that takes the command over
        turns that message into the reply instead of leaving it half-done."""
        if entry is None or self.journal is None:
            return entry
        try:
            return await self.journal.note(entry, **address)
        except Exception as exc:
            log.warning("could not note the live message (%s)", type(exc).__name__)
            return entry

    async def resume(self, entry: JournalEntry) -> None:
        """Answer a command another worker accepted and never answered."""
        caller = Caller(entry.platform, entry.user_id, workspace=entry.workspace)
        turn = await self.conversation.begin(
            caller,
            entry.text,
            entry.where,
            entry.plain_language,
            channel=entry.address.get("channel"),
            admitted=True,
        )
        outbox = self.recovered_outbox(turn, entry)
        if outbox is None:
            log.warning("a journalled %s command cannot be answered here; dropped", self.name)
            await self._forget(entry)
            return
        log.info("answering a %s command accepted by a worker that stopped", self.name)
        await self.reply(turn, outbox, entry)

    async def _forget(self, entry: JournalEntry | None) -> None:
        if entry is None or self.journal is None:
            return
        try:
            await self.journal.done(entry)
        except Exception as exc:  # it is answered; another worker may answer it again later
            log.warning("could not clear a journalled command (%s)", type(exc).__name__)

    @abstractmethod
    async def start(self) -> str:
        """Connect; return what the start-up line says of it. `StartupError` when impossible."""

    async def stop_accepting(self) -> None:
        """Take no new commands; replies in flight still go out."""
        self.accepting = False

    @abstractmethod
    async def close(self) -> None:
        """Disconnect, after the replies in flight are out."""

    @abstractmethod
    async def health(self) -> dict[str, bool]:
        """Connection name → connected, for `/healthz`."""

    def web_app(self) -> web.Application | None:
        """Routes this adapter serves on $PORT, if any."""
        return None

    def spawn(self, work: Awaitable[None]) -> None:
        """Run a command's work after its acknowledgement, kept referenced until done."""

        async def run() -> None:
            # Yield once: acknowledgements already queued go out first (Slack's 3 s deadline
            # is hard; an answer can wait a moment). A burst is acknowledged, then answered.
            await asyncio.sleep(0)
            try:
                await work
            except Exception:
                log.exception("%s background work failed", self.name)

        task = asyncio.ensure_future(run())
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def reply(self, turn: Turn, outbox: Outbox, entry: JournalEntry | None = None) -> None:
        """Produce the turn's Report and deliver exactly one final reply: rich, else plain
        text when the platform refuses the rich form, else a short apology. Its journal entry
        is cleared once that reply is out (not when the work is cancelled: then another
        worker answers it)."""
        await self._deliver(turn, outbox)
        await self._forget(entry)

    async def _deliver(self, turn: Turn, outbox: Outbox) -> None:
        report: Report | None = None
        live = outbox.live()
        try:
            try:
                report = await self.conversation.answer(turn, live)
            finally:
                if live is not None:
                    await live.close()
            try:
                await outbox.send(report)
            except Exception as exc:
                reason = outbox.rejection(exc)
                if reason is None:
                    raise
                log.warning("%s refused the reply (%s); sending plain text", self.name, reason)
                await outbox.send_plain(report)
            try:
                await self.conversation.remember(turn, report, outbox.place())
            except Exception:  # the reply is out; only its follow-ups lose their context
                log.exception("%s could not keep the conversation", self.name)
        except Exception:
            log.exception("%s reply failed", self.name)
            try:
                await outbox.apologise(report)
            except Exception:
                log.exception("could not tell the user that the reply failed")
