"""`CommandJournal`: every accepted command, kept in the database until its final reply is out.

An entry is written before the command is acknowledged and removed once its one final reply
is delivered. While a worker answers it, the worker holds a lease on it and renews it. A worker
killed outright (SIGKILL, a crashed dyno) stops renewing: once the lease has run out, any worker
claims the entry — one conditional UPDATE, so only one does — and answers it, if the platform's
reply window is still open. So a command is answered once, even across a crash.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.database.connection import Database
from bot.database.schema import journal

LEASE_SECONDS = 60.0  # a live worker renews every third of it


@dataclass(frozen=True)
class JournalEntry:
    """What it takes to answer a command again in another process."""

    platform: str
    user_id: str
    text: str
    workspace: str | None = None
    where: str | None = None  # the conversation place the message was written in
    plain_language: bool = False
    # Where the reply goes, in the platform's terms (a response_url, a channel and thread,
    # an interaction token; the live message once one is shown).
    address: dict[str, str] = field(default_factory=dict)
    accepted_at: float = 0.0
    expires_at: float = 0.0
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str, attempts: int) -> JournalEntry:
        data: dict[str, Any] = json.loads(raw)
        return replace(cls(**data), attempts=attempts)


@dataclass(frozen=True)
class _Change:
    """One write waiting for the next group commit."""

    insert: dict[str, Any] | None = None
    note: tuple[str, str] | None = None  # (id, the entry's new JSON)
    delete: str | None = None


class CommandJournal:
    def __init__(
        self,
        database: Database,
        holder: str,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self.holder = holder
        self.lease_seconds = lease_seconds
        self._clock = clock
        self.held: set[str] = set()  # ids this worker is answering
        self._pending: list[tuple[_Change, asyncio.Future[None]]] = []
        self._writer: asyncio.Future[None] | None = None

    def now(self) -> float:
        return self._clock()

    async def record(self, entry: JournalEntry) -> JournalEntry:
        """Write the entry, held by this worker (before the command is acknowledged)."""
        row = {
            "id": entry.id,
            "platform": entry.platform,
            "entry": entry.to_json(),
            "accepted_at": entry.accepted_at,
            "expires_at": entry.expires_at,
            "holder": self.holder,
            "lease_until": self._clock() + self.lease_seconds,
            "attempts": entry.attempts,
        }
        await self._write(_Change(insert=row))
        self.held.add(entry.id)
        return entry

    async def note(self, entry: JournalEntry, **address: str) -> JournalEntry:
        """Add to the entry's reply address (the live message, once there is one)."""
        updated = replace(entry, address={**entry.address, **address})
        await self._write(_Change(note=(entry.id, updated.to_json())))
        return updated

    async def done(self, entry: JournalEntry) -> None:
        """The final reply is delivered: forget the command."""
        self.held.discard(entry.id)
        await self._write(_Change(delete=entry.id))

    async def _write(self, change: _Change) -> None:
        """Group commit: changes made at about the same time share one transaction (a burst of
        200 commands is a handful of commits, not 200 — each acknowledgement waits on one)."""
        done = asyncio.get_running_loop().create_future()
        self._pending.append((change, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())
        await done

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            changes = [change for change, _done in batch]
            try:
                async with self._db.transaction() as connection:
                    rows = [c.insert for c in changes if c.insert is not None]
                    if rows:
                        await connection.execute(journal.insert(), rows)
                    for entry_id, raw in (c.note for c in changes if c.note is not None):
                        await connection.execute(
                            update(journal)
                            .where(journal.c.id == entry_id, journal.c.holder == self.holder)
                            .values(entry=raw)
                        )
                    gone = [c.delete for c in changes if c.delete is not None]
                    if gone:
                        await connection.execute(delete(journal).where(journal.c.id.in_(gone)))
            except Exception as exc:
                for _change, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _change, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def renew(self) -> None:
        """Extend the leases of every entry this worker is answering."""
        if not self.held:
            return
        async with self._db.transaction() as connection:
            await connection.execute(
                update(journal)
                .where(journal.c.id.in_(list(self.held)), journal.c.holder == self.holder)
                .values(lease_until=self._clock() + self.lease_seconds)
            )

    async def claim_orphans(self, platforms: Iterable[str]) -> list[JournalEntry]:
        """Entries of these platforms whose worker stopped renewing, still inside their reply
        window: claimed for this worker (each by one worker only)."""
        now = self._clock()
        async with self._db.transaction() as connection:
            rows = await connection.execute(
                select(journal.c.id).where(
                    journal.c.platform.in_(list(platforms)),
                    journal.c.lease_until < now,
                    journal.c.expires_at > now,
                )
            )
            candidates = [row.id for row in rows]
        claimed: list[JournalEntry] = []
        for entry_id in candidates:
            async with self._db.transaction() as connection:
                taken = await connection.execute(
                    update(journal)
                    .where(journal.c.id == entry_id, journal.c.lease_until < now)
                    .values(
                        holder=self.holder,
                        lease_until=now + self.lease_seconds,
                        attempts=journal.c.attempts + 1,
                    )
                )
                if taken.rowcount != 1:
                    continue  # another worker was quicker
                row = (
                    await connection.execute(
                        select(journal.c.entry, journal.c.attempts).where(journal.c.id == entry_id)
                    )
                ).one()
            claimed.append(JournalEntry.from_json(row.entry, row.attempts))
            self.held.add(entry_id)
        return claimed

    async def drop_expired(self) -> list[JournalEntry]:
        """Forget entries whose reply window closed while nobody held them (nothing can be
        posted any more); they are returned for the log."""
        now = self._clock()
        async with self._db.transaction() as connection:
            rows = await connection.execute(
                select(journal.c.id, journal.c.entry, journal.c.attempts).where(
                    journal.c.expires_at <= now, journal.c.lease_until < now
                )
            )
            expired = [JournalEntry.from_json(row.entry, row.attempts) for row in rows]
            if expired:
                await connection.execute(
                    delete(journal).where(journal.c.id.in_([entry.id for entry in expired]))
                )
        return expired

    async def pending(self) -> int:
        async with self._db.transaction() as connection:
            return int(await connection.scalar(select(func.count()).select_from(journal)) or 0)

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        """Delete the entries of one workspace's commands (the app was uninstalled there: their
        replies could not be posted, and what they asked is not kept); how many."""
        async with self._db.transaction() as connection:
            rows = await connection.execute(
                select(journal.c.id, journal.c.entry).where(journal.c.platform == platform)
            )
            ids = [
                row.id
                for row in rows
                if JournalEntry.from_json(row.entry, 1).workspace == workspace
            ]
            if ids:
                await connection.execute(delete(journal).where(journal.c.id.in_(ids)))
        self.held.difference_update(ids)
        return len(ids)
