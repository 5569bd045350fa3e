"""`ScoutHistory`: who asked what and what they got, for the Home tab's "your recent scouts".

`record` returns at once: the row joins a queue that one task writes (a batch per transaction),
so the reply never waits for it; a failure is logged once and dropped. Rows older than
`retention_days` are purged after a write (at most once per `purge_seconds`); a workspace's rows
go when it uninstalls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import and_, delete, select

from bot.database import BackgroundWrites, Database, scout_history
from bot.report import Report, Source
from bot.runtime import Caller

RETENTION_DAYS = 30
PURGE_SECONDS = 24 * 3600.0
MAX_PENDING = 500
SUBJECT_MAX = 200
SOURCE_LABELS = {Source.AI: "AI answer", Source.CACHE: "AI answer", Source.FALLBACK: "rule-based"}


@dataclass(frozen=True)
class Scout:
    """One command someone ran and, in a few words, what it gave them."""

    platform: str
    workspace: str
    user_id: str
    kind: str  # the report's kind: analysis, gaps, build, compare, find…
    subject: str
    command: str  # the command again (what a "run again" button sends)
    outcome: str  # e.g. "clone score 72 · AI answer"
    asked_at: float


def scout_of(caller: Caller, command: str, report: Report, now: float) -> Scout | None:
    """The history row of a delivered reply; None for what is not a scout (help, errors, stats,
    replies outside a workspace)."""
    if report.source is None or not caller.workspace or not report.subject:
        return None
    parts = []
    if report.clone_score is not None:
        parts.append(f"clone score {report.clone_score.total}")
    if report.opportunities:
        best = report.opportunities[0]
        parts.append(f"best: {best.app.name} ({best.score.total})")
    parts.append(SOURCE_LABELS.get(report.source, report.source.value))
    return Scout(
        caller.platform,
        caller.workspace,
        caller.user_id,
        report.kind.value,
        report.subject[:SUBJECT_MAX],
        command,
        " · ".join(parts),
        now,
    )


class ScoutHistory:
    def __init__(
        self,
        database: Database,
        retention_days: float = RETENTION_DAYS,
        purge_seconds: float = PURGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self.retention_days = retention_days
        self.purge_seconds = purge_seconds
        self.clock = clock
        self._next_purge = float("-inf")
        self.writes: BackgroundWrites[Scout] = BackgroundWrites(
            self.write, "a scout (for the Home tab)", max_pending=MAX_PENDING
        )

    def record(self, scout: Scout) -> None:
        """Queue `scout` for the database; returns at once and never raises."""
        self.writes.add(scout)

    async def flush(self) -> None:
        """Wait for the rows queued so far."""
        await self.writes.flush()

    async def write(self, scouts: list[Scout]) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(scout_history.insert(), [asdict(s) for s in scouts])
        now = self.clock()
        if now >= self._next_purge:
            self._next_purge = now + self.purge_seconds
            before = now - self.retention_days * 86400
            async with self._db.transaction() as connection:
                await connection.execute(
                    delete(scout_history).where(scout_history.c.asked_at < before)
                )

    async def recent(
        self, platform: str, workspace: str, user_id: str, limit: int = 5
    ) -> list[Scout]:
        """The user's latest scouts in the workspace, newest first."""
        c = scout_history.c
        query = (
            select(scout_history)
            .where(and_(c.platform == platform, c.workspace == workspace, c.user_id == user_id))
            .order_by(c.asked_at.desc(), c.id.desc())
            .limit(limit)
        )
        async with self._db.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [
            Scout(
                row.platform,
                row.workspace,
                row.user_id,
                row.kind,
                row.subject,
                row.command,
                row.outcome,
                row.asked_at,
            )
            for row in rows
        ]

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        """Delete the workspace's history; how many rows."""
        await self.flush()
        c = scout_history.c
        async with self._db.transaction() as connection:
            gone = await connection.execute(
                delete(scout_history).where(and_(c.platform == platform, c.workspace == workspace))
            )
        return int(gone.rowcount or 0)
