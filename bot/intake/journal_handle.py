"""`JournalHandle`: one accepted command's journal entry, from its write before the
acknowledgement to its removal once the final reply is out.

The acknowledgement waits for the write only up to a deadline (a slow or locked disk must not
cost Slack's 3 seconds): past it the command is acknowledged anyway and the entry is written
when the disk allows; whatever needs the entry later (noting the live message, marking the
answer as being posted, clearing it) waits for that write.
"""

from __future__ import annotations

import asyncio
import logging

from bot.database import CommandJournal, JournalEntry

log = logging.getLogger(__name__)

POSTING = "posting"  # address["final"]: the final reply is being posted; never post it again


class JournalHandle:
    def __init__(self, journal: CommandJournal, entry: JournalEntry) -> None:
        self._journal = journal
        self._entry: JournalEntry | None = None
        self._write = asyncio.ensure_future(self._record(entry))

    async def _record(self, entry: JournalEntry) -> JournalEntry | None:
        try:
            self._entry = await self._journal.record(entry)
        except Exception as exc:
            log.warning(
                "could not journal a %s command (%s); answering it anyway",
                entry.platform,
                type(exc).__name__,
            )
        return self._entry

    @classmethod
    def of(cls, journal: CommandJournal, entry: JournalEntry) -> JournalHandle:
        """A handle on an entry already in the journal (a dead worker's, taken over)."""
        handle = cls.__new__(cls)
        handle._journal, handle._entry = journal, entry
        handle._write = asyncio.get_running_loop().create_future()
        handle._write.set_result(entry)
        return handle

    async def written_within(self, seconds: float) -> bool:
        """Whether the entry is on disk (or its write has failed) within `seconds`; the write
        goes on either way."""
        done, _pending = await asyncio.wait({self._write}, timeout=seconds)
        return bool(done)

    async def entry(self) -> JournalEntry | None:
        """The entry once written (None when it could not be)."""
        return await asyncio.shield(self._write)

    async def note(self, **address: str) -> None:
        """Add to the entry's reply address (the live message's id, the final reply's state),
        so a worker that takes the command over knows what is already shown."""
        if await self.entry() is None or self._entry is None:
            return
        try:
            self._entry = await self._journal.note(self._entry, **address)
        except Exception as exc:
            log.warning("could not note the reply's progress (%s)", type(exc).__name__)

    async def done(self) -> None:
        """The final reply is out: nobody answers this command again."""
        if await self.entry() is None or self._entry is None:
            return
        try:
            await self._journal.done(self._entry)
        except Exception as exc:  # it is answered; another worker may answer it again later
            log.warning("could not clear a journalled command (%s)", type(exc).__name__)
