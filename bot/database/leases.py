"""`JobLeases`: scheduled jobs shared by several workers, each run by exactly one of them.

A job row holds when it is next due and, while it runs, which worker holds it and until when.
Claiming is one conditional UPDATE (the database serialises concurrent claims: one wins); a
worker that dies leaves a lease that runs out, and the job is claimed again then.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.database.connection import Database
from bot.database.schema import jobs


class JobLeases:
    def __init__(
        self, database: Database, holder: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = database
        self.holder = holder  # this worker's id
        self._clock = clock

    async def claim(self, name: str, lease_seconds: float) -> bool:
        """Take the job if it is due and nobody holds it (a first claim creates it, due now)."""
        now = self._clock()
        async with self._db.transaction() as connection:
            claimed = await connection.execute(
                update(jobs)
                .where(
                    jobs.c.name == name,
                    jobs.c.due_at <= now,
                    or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < now),
                )
                .values(holder=self.holder, lease_until=now + lease_seconds)
            )
            if claimed.rowcount == 1:
                return True
            exists = await connection.scalar(select(jobs.c.name).where(jobs.c.name == name))
        if exists is not None:
            return False
        try:
            async with self._db.transaction() as connection:
                await connection.execute(
                    insert(jobs).values(
                        name=name, due_at=now, holder=self.holder, lease_until=now + lease_seconds
                    )
                )
        except IntegrityError:  # another worker created it first, and holds it
            return False
        return True

    async def renew(self, name: str, lease_seconds: float) -> bool:
        """Extend a lease this worker holds; False when it has lost it."""
        async with self._db.transaction() as connection:
            renewed = await connection.execute(
                update(jobs)
                .where(jobs.c.name == name, jobs.c.holder == self.holder)
                .values(lease_until=self._clock() + lease_seconds)
            )
        return renewed.rowcount == 1

    async def finish(self, name: str, next_due: float) -> None:
        """Release the job, due again at `next_due`."""
        async with self._db.transaction() as connection:
            await connection.execute(
                update(jobs)
                .where(jobs.c.name == name, jobs.c.holder == self.holder)
                .values(due_at=next_due, holder=None, lease_until=None)
            )

    async def release(self, name: str) -> None:
        """Give the job up unfinished (this worker is stopping): still due, free to claim."""
        async with self._db.transaction() as connection:
            await connection.execute(
                update(jobs)
                .where(jobs.c.name == name, jobs.c.holder == self.holder)
                .values(holder=None, lease_until=None)
            )
