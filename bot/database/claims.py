"""`DatabaseEventClaims`: the claim on each incoming platform event, kept in the database, so
that every worker sharing it — and a worker after a restart — answers an event once.

A claim is one atomic statement: insert the event's key, or take over a row whose claim has
expired; the database serialises concurrent claims, so exactly one worker's statement lands and
only that worker is told "first time". Claims made at about the same time share one statement
and one transaction (group commit: a burst of 2,000 signed requests is a few commits, not 2,000
— each acknowledgement waits on one). Expired rows are purged now and then (after a claim, at
most once per `purge_seconds` per worker, in a transaction of its own); until then they are
simply claimable again.

It is a `bot.cache.DeliveryLedger` by shape (`first_time`), with no import of `bot.cache`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy import Delete, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.dml import ReturningInsert

from bot.database.connection import Database
from bot.database.schema import event_claims

log = logging.getLogger(__name__)

CLAIM_SECONDS = 24 * 3600.0  # Slack retries for up to about an hour; Discord's ids never repeat
PURGE_SECONDS = 60.0
BATCH_MAX = 500  # keys in one statement (3 parameters each: well inside SQLite's limit)


class DatabaseEventClaims:
    def __init__(
        self,
        database: Database,
        seconds: float = CLAIM_SECONDS,
        purge_seconds: float = PURGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self.seconds = seconds  # how long a claim holds
        self.purge_seconds = purge_seconds
        self._clock = clock
        self._next_purge = float("-inf")  # the first claim purges what earlier runs left
        self._pending: list[tuple[str, asyncio.Future[bool]]] = []
        self._writer: asyncio.Future[None] | None = None

    async def first_time(self, delivery_id: str) -> bool:
        """True for the one worker whose claim on `delivery_id` lands; False for every other,
        and for every repeat while the claim holds."""
        landed = asyncio.get_running_loop().create_future()
        self._pending.append((delivery_id, landed))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())
        first = await landed
        now = self._clock()
        if now >= self._next_purge:  # housekeeping after the claim, never failing it
            self._next_purge = now + self.purge_seconds
            try:
                await self.purge()
            except SQLAlchemyError as exc:  # a deadlock with another worker's purge, say
                log.warning("expired event claims were not purged (%s)", type(exc).__name__)
        return bool(first)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:BATCH_MAX], self._pending[BATCH_MAX:]
            now = self._clock()
            keys = list(dict.fromkeys(key for key, _landed in batch))  # a repeat loses at once
            claim = _claim(self._db.engine.dialect.name, keys, now, now + self.seconds)
            try:
                async with self._db.transaction() as connection:
                    won = {row.key for row in await connection.execute(claim)}
            except Exception as exc:
                for _key, landed in batch:
                    if not landed.done():
                        landed.set_exception(exc)
                continue
            for key, landed in batch:
                first = key in won
                won.discard(key)  # only the first asker of a key in the batch wins it
                if not landed.done():
                    landed.set_result(first)

    async def purge(self) -> int:
        """Delete the claims that have expired; how many there were."""
        async with self._db.transaction() as connection:
            purged = await connection.execute(_expired(self._clock()))
        return purged.rowcount


def _claim(
    dialect: str, keys: list[str], now: float, until: float
) -> ReturningInsert[tuple[str]]:
    """`INSERT … ON CONFLICT (key) DO UPDATE … WHERE the old claim has expired RETURNING key`:
    a key comes back only when its claim landed."""
    insert = (
        postgresql.insert(event_claims) if dialect == "postgresql" else sqlite.insert(event_claims)
    )
    insert = insert.values([{"key": k, "claimed_at": now, "expires_at": until} for k in keys])
    return insert.on_conflict_do_update(
        index_elements=[event_claims.c.key],
        set_={"claimed_at": insert.excluded.claimed_at, "expires_at": insert.excluded.expires_at},
        where=event_claims.c.expires_at <= insert.excluded.claimed_at,
    ).returning(event_claims.c.key)


def _expired(now: float) -> Delete:
    return delete(event_claims).where(event_claims.c.expires_at <= now)
