"""`BackgroundWrites`: rows written to the database off a reply's path (the model's answers for
feedback, the scouts the Home tab lists).

`add` returns at once: the row joins a queue that one task drains, a batch per transaction
(group commit, like the journal's), each write bounded in time. The queue is bounded too: while
the database is slow or down, rows past `max_pending` are dropped rather than held in memory.
A failure (or a drop) is logged once, and once more when writes succeed again; nothing is ever
raised to the command the row was about.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

MAX_PENDING = 200  # rows waiting for the database (an answer with its prompt is ~10–30 kB)
BATCH_MAX = 50  # rows in one transaction
WRITE_SECONDS = 30.0  # one batch's write, at most (a stuck connection must not stall the queue)

Row = TypeVar("Row")


class BackgroundWrites(Generic[Row]):
    """`what` names a row in the log lines ("an AI answer … for feedback")."""

    def __init__(
        self,
        write: Callable[[list[Row]], Awaitable[None]],
        what: str,
        max_pending: int = MAX_PENDING,
        write_seconds: float = WRITE_SECONDS,
    ) -> None:
        self._write = write
        self.what = what
        self.max_pending = max_pending
        self.write_seconds = write_seconds
        self._pending: list[Row] = []
        self._writer: asyncio.Task[None] | None = None
        self._writing = 0  # rows in the batch being written now
        self._failing = False  # a failure was logged; the next success says so
        self.dropped = 0  # rows never written (queue full, or their write failed)

    def add(self, row: Row) -> None:
        """Queue `row` for writing; returns at once and never raises."""
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            self._problem(f"{self.max_pending} are waiting for the database already")
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: nothing could ever write it
            self.dropped += 1
            self._problem("there is no event loop to write it in")
            return
        self._pending.append(row)
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain(), name="background-writes")

    @property
    def pending(self) -> int:
        """Rows queued or being written."""
        return len(self._pending) + self._writing

    async def flush(self) -> None:
        """Wait until every row queued so far is written (or given up on)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:BATCH_MAX], self._pending[BATCH_MAX:]
            self._writing = len(batch)
            try:
                async with asyncio.timeout(self.write_seconds):
                    await self._write(batch)
            except Exception as exc:  # the database's errors, a timeout, anything: never raised
                self.dropped += len(batch)
                self._problem(type(exc).__name__)
            else:
                if self._failing:
                    self._failing = False
                    log.info("%s: written again", self.what)
            finally:
                self._writing = 0

    def _problem(self, why: str) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "%s could not be written (%s); replies go on, and this is logged again only "
                "once writes work",
                self.what,
                why,
            )
