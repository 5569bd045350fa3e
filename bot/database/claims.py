"""`DatabaseEventClaims`: the claim on each incoming platform event, kept in the database, so
that every worker sharing it — and a worker after a restart — answers an event once.

A claim is one atomic statement: insert the event's key, or take over a row whose claim has
expired; the database serialises concurrent claims, so exactly one worker's statement lands and
only that worker is told "first time". Expired rows are purged now and then (after a claim, at
most once per `purge_seconds` per worker, in a transaction of its own); until then they are
simply claimable again.

It is a `bot.cache.DeliveryLedger` by shape (`first_time`), with no import of `bot.cache`.
"""

from __future__ import annotations

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

    async def first_time(self, delivery_id: str) -> bool:
        """True for the one worker whose claim on `delivery_id` lands; False for every other,
        and for every repeat while the claim holds."""
        now = self._clock()
        claim = _claim(self._db.engine.dialect.name, delivery_id, now, now + self.seconds)
        async with self._db.transaction() as connection:
            landed = (await connection.execute(claim)).first()
        if now >= self._next_purge:  # housekeeping after the claim, never failing it
            self._next_purge = now + self.purge_seconds
            try:
                await self.purge()
            except SQLAlchemyError as exc:  # a deadlock with another worker's purge, say
                log.warning("expired event claims were not purged (%s)", type(exc).__name__)
        return landed is not None

    async def purge(self) -> int:
        """Delete the claims that have expired; how many there were."""
        async with self._db.transaction() as connection:
            purged = await connection.execute(_expired(self._clock()))
        return purged.rowcount


def _claim(dialect: str, key: str, now: float, until: float) -> ReturningInsert[tuple[str]]:
    """`INSERT … ON CONFLICT (key) DO UPDATE … WHERE the old claim has expired RETURNING key`:
    a row comes back only when this claim landed."""
    insert = (
        postgresql.insert(event_claims) if dialect == "postgresql" else sqlite.insert(event_claims)
    )
    insert = insert.values(key=key, claimed_at=now, expires_at=until)
    return insert.on_conflict_do_update(
        index_elements=[event_claims.c.key],
        set_={"claimed_at": insert.excluded.claimed_at, "expires_at": insert.excluded.expires_at},
        where=event_claims.c.expires_at <= insert.excluded.claimed_at,
    ).returning(event_claims.c.key)


def _expired(now: float) -> Delete:
    return delete(event_claims).where(event_claims.c.expires_at <= now)
