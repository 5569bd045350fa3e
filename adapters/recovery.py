"""`JournalKeeper`: keeps this worker's journalled commands leased, and answers the ones a dead
worker left behind.

Every third of the lease it renews the leases of the commands this worker is answering, claims
the entries of its platforms whose lease ran out (their worker died: SIGKILL, a crashed dyno)
while their reply window is still open, and answers each through the adapter of its platform.
Entries whose window closed are dropped with a log line: nothing can be posted any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adapters.port import Adapter
from bot.database import CommandJournal

log = logging.getLogger(__name__)

class JournalKeeper:
    def __init__(self, journal: CommandJournal, adapters: list[Adapter]) -> None:
        self.journal = journal
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        self.recovered = 0

    async def sweep(self) -> int:
        """One round; how many orphaned commands this worker took over."""
        await self.journal.renew()
        accepting = [name for name, adapter in self.adapters.items() if adapter.accepting]
        claimed = await self.journal.claim_orphans(accepting) if accepting else []
        for entry in claimed:
            adapter = self.adapters[entry.platform]
            adapter.intake.spawn(adapter.resume(entry))
        for entry in await self.journal.drop_expired():
            log.warning(
                "a %s command accepted %.0f s ago could not be answered within its platform's "
                "reply window; dropped",
                entry.platform,
                self.journal.now() - entry.accepted_at,
            )
        self.recovered += len(claimed)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        interval = self.journal.lease_seconds / 3
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception as exc:
                log.warning("command journal sweep failed (%s); retrying", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
