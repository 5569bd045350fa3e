"""The accept pipeline: the one way in for every platform and the console.

    begin → refusal → journal → acknowledge → work → exactly one final reply

A platform hands over an `Incoming` and an `Arrival` (how that one event is acknowledged, and
the `Outbox` its reply goes to); everything else is decided here, once: whether the command is
taken, whether it is journalled (only work that is still to be done), when it is acknowledged,
and that its reply is delivered exactly once — rich, else plain text when the platform refuses
the rich form, else a short apology — and its journal entry cleared only then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from bot.database import CommandJournal, JournalEntry
from bot.intake.incoming import Incoming
from bot.intake.journal_handle import POSTING, JournalHandle
from bot.intake.turns import Conversation, Turn
from bot.progress import ProgressListener
from bot.report import Report, ReportKind

log = logging.getLogger(__name__)

RESTARTING = "Trend Scout is restarting — try again in a few seconds."
JOURNAL_DEADLINE = 0.3  # seconds an acknowledgement waits for the journal's write
MAX_ATTEMPTS = 3  # workers that may take a command before it is given up as the crash's cause


class LiveView(ProgressListener, Protocol):
    """A reply shown while it is being made (a streamed or edited message, a status line)."""

    async def close(self) -> None:
        """Stop drawing: the final reply follows."""
        ...


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

    async def tidy(self) -> None:
        """After the final reply is out and recorded: remove what only showed progress (a
        private "Scouting…" note). Best-effort."""
        ...

    def live(self) -> LiveView | None:
        """How this outbox shows progress before the reply, if it does. `send`, `send_plain`
        and `apologise` then turn the live message into the final reply."""
        ...

    def place(self) -> str | None:
        """Where the reply went, as a follow-up will name it (a thread, a DM, the reply
        message); None where a conversation cannot go on."""
        ...


class Arrival(Protocol):
    """One platform event on its way in."""

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        """Acknowledge the event within the platform's deadline. `at_once` is the whole reply
        when it is ready now (help, a refusal, a usage error, "restarting"; `turn` is None for
        the last); else the work follows. True when the acknowledgement itself carried
        `at_once` (e.g. Slack's ephemeral ack), so there is nothing more to post."""
        ...

    def outbox(self, turn: Turn, entry: JournalHandle | None) -> Outbox:
        """Where this event's reply goes (`entry`: its journal entry, to note the live
        message's id in)."""
        ...


class AcceptPipeline:
    """One per adapter: its commands in flight (shutdown waits for them), whether it still
    takes new ones, and its platform's reply window for the journal."""

    def __init__(
        self,
        conversation: Conversation,
        reply_window: float,
        journal: CommandJournal | None = None,
        journal_deadline: float = JOURNAL_DEADLINE,
    ) -> None:
        self.conversation = conversation
        self.reply_window = reply_window  # how long after a command its reply can be posted
        self.journal = journal  # None: commands are not journalled (the console, some tests)
        self.journal_deadline = journal_deadline  # what an acknowledgement waits for the disk
        self.accepting = True  # False while shutting down: no new commands
        self.in_flight: set[asyncio.Task[None]] = set()
        self._slow_disk = False  # a write missed the deadline (logged once until one is quick)

    async def accept(self, incoming: Incoming, arrival: Arrival) -> asyncio.Task[None] | None:
        """Take one message: acknowledge it and start its reply. Returns the reply's task
        (the console waits for it), or None when the acknowledgement was the reply."""
        if not self.accepting:
            restarting = Report(ReportKind.ERROR, "", RESTARTING)
            await arrival.acknowledge(None, restarting)
            return None
        turn = await self.conversation.begin(
            incoming.caller,
            incoming.text,
            incoming.place,
            incoming.plain_language,
            channel=incoming.channel,
        )
        if not turn.needs_work:  # help, stats, usage and refusals: ready now
            report = await self.conversation.answer(turn)
            if await arrival.acknowledge(turn, report):
                return None
            return self.spawn(self.reply(turn, arrival.outbox(turn, None), report=report))
        entry = await self._record(incoming)
        self._step("journalled", turn)
        await arrival.acknowledge(turn, None)
        self._step("acknowledged", turn)
        return self.spawn(self.reply(turn, arrival.outbox(turn, entry), entry))

    async def resume(
        self, entry: JournalEntry, outbox_for: Callable[[Turn, JournalEntry], Outbox | None]
    ) -> None:
        """Answer a command another worker accepted and never answered (it died)."""
        incoming = Incoming.from_journal(entry)
        turn = await self.conversation.begin(
            incoming.caller,
            incoming.text,
            incoming.place,
            incoming.plain_language,
            channel=incoming.channel,
            admitted=True,  # counted against the user's limit when first taken
        )
        assert self.journal is not None  # only journalled commands are taken over
        handle = JournalHandle.of(self.journal, entry)
        if entry.address.get("final") == POSTING:  # its answer may be out: at most once
            log.warning(
                "a %s command's worker stopped while posting its answer; not posted again",
                entry.platform,
            )
            await handle.done()
            return
        outbox = outbox_for(turn, entry)
        if outbox is None:
            log.warning("a journalled %s command cannot be answered here; dropped", entry.platform)
            await handle.done()
            return
        if entry.attempts > MAX_ATTEMPTS:  # it took its workers down with it each time
            log.warning("a %s command failed %d workers; dropped", entry.platform, MAX_ATTEMPTS)
            try:
                await outbox.apologise(None)  # the usual apology, once: not a fourth attempt
            except Exception as exc:
                log.warning("could not apologise for a dropped command (%s)", type(exc).__name__)
            await handle.done()
            return
        log.info("answering a %s command accepted by a worker that stopped", entry.platform)
        await self.reply(turn, outbox, handle)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a command's work after its acknowledgement, kept referenced until done."""

        async def run() -> None:
            # Yield once: acknowledgements already queued go out first (Slack's 3 s deadline
            # is hard; an answer can wait a moment). A burst is acknowledged, then answered.
            await asyncio.sleep(0)
            try:
                await work
            except Exception:
                log.exception("background work failed")

        def finished(task: asyncio.Task[None]) -> None:
            self.in_flight.discard(task)
            work.close()  # a no-op once it ran; cancelled before it began, it never will

        task = asyncio.ensure_future(run())
        self.in_flight.add(task)
        task.add_done_callback(finished)
        return task

    async def reply(
        self,
        turn: Turn,
        outbox: Outbox,
        entry: JournalHandle | None = None,
        report: Report | None = None,
    ) -> None:
        """Produce the turn's Report (unless it is given) and deliver exactly one final reply:
        rich, else plain text when the platform refuses the rich form, else a short apology.
        The journal entry is marked as being answered before the final post and cleared as
        soon as the post is confirmed; tidying up and keeping the conversation come after,
        best-effort. (Cancelled work leaves its entry: then another worker answers it.)"""
        live = outbox.live() if report is None else None
        delivered: Report | None = None
        try:
            if report is None:
                try:
                    report = await self.conversation.answer(turn, live)
                finally:
                    if live is not None:
                        await live.close()
            self._step("answered", turn)
            await self._mark_posting(entry)
            self._step("marked", turn)
            await self._post(outbox, report)
            delivered = report
            self._step("posted", turn)
        except Exception:
            log.exception("reply failed")
            try:
                await outbox.apologise(report)
            except Exception:
                log.exception("could not tell the user that the reply failed")
        if entry is not None:
            await entry.done()
            self._step("cleared", turn)
        try:
            await outbox.tidy()
            if delivered is not None:
                await self.conversation.remember(turn, delivered, outbox.place())
        except Exception:  # the reply is out; only its tidiness or follow-ups suffer
            log.exception("could not tidy up after the reply")

    @staticmethod
    def _step(name: str, turn: Turn) -> None:
        """A command passed one step of its way in (the crash tests stop a worker at each)."""
        log.debug("%s command %s", turn.caller.platform, name)

    async def note_live(self, entry: JournalHandle | None, **address: str) -> None:
        """Keep the live message's id in the journal, so a worker that takes the command over
        turns that message into the reply instead of leaving it half-done."""
        if entry is not None:
            await entry.note(**address)

    async def _record(self, incoming: Incoming) -> JournalHandle | None:
        """Journal an accepted command before it is acknowledged, waiting for the disk only up
        to the deadline. Without a journal the command still runs (unjournalled)."""
        if self.journal is None:
            return None
        handle = JournalHandle(
            self.journal, incoming.journal_entry(self.journal.now(), self.reply_window)
        )
        quick = await handle.written_within(self.journal_deadline)
        if not quick and not self._slow_disk:
            log.warning(
                "the journal took over %.0f ms: acknowledging without waiting for it "
                "(said once until it is quick again)",
                self.journal_deadline * 1000,
            )
        self._slow_disk = not quick
        return handle

    async def _mark_posting(self, entry: JournalHandle | None) -> None:
        """From here on, a worker that takes the command over must not post its answer again.
        Waits for the disk only up to the deadline, like the acknowledgement."""
        if entry is None:
            return
        marking = asyncio.ensure_future(entry.note(final=POSTING))
        await asyncio.wait({marking}, timeout=self.journal_deadline)

    @staticmethod
    async def _post(outbox: Outbox, report: Report) -> None:
        try:
            await outbox.send(report)
        except Exception as exc:
            reason = outbox.rejection(exc)
            if reason is None:
                raise
            log.warning("the platform refused the reply (%s); sending plain text", reason)
            await outbox.send_plain(report)
