"""`FeedbackStore`: the model's answers and the 👍/👎 votes on them, in the project's database
(SQLite or PostgreSQL, the same code).

- `record_answer(answer)` (the service's `AnswerLog`) queues the answer for a background write and
  returns at once; `write_answers` is that write. Answers nobody voted on are purged after
  `retention_days` (checked after a write, at most once per `purge_seconds` per worker); voted
  ones are kept.
- `vote(...)`: one vote per user per answer, changeable — one conditional INSERT, else one
  conditional UPDATE, so two clicks at once still leave one row.
- `shares()`: the votes per kind of answer; `export(since)`: the answers with more 👍 than 👎
  as OpenAI chat fine-tuning lines (the exact messages sent, then the answer).
- `forget_workspace(...)`: a workspace uninstalled: its voters' ids and its askers' workspace
  and channel are erased; votes and answers stay.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert

from bot.database import BackgroundWrites, Database, answers, feedback_votes
from bot.feedback.values import (
    ForgottenWorkspace,
    ModelAnswer,
    Vote,
    VoteResult,
    VoteTally,
    is_answer_id,
)

log = logging.getLogger(__name__)

RETENTION_DAYS = 90  # an answer nobody voted on is kept this long (its buttons may be clicked)
PURGE_SECONDS = 24 * 3600.0
EXPORT_BATCH = 500  # answers read per query while exporting

FineTuningLine = dict[str, list[dict[str, Any]]]


class FeedbackStore:
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
        self._clock = clock
        self._next_purge = float("-inf")
        self.writes = BackgroundWrites(self.write_answers, "an AI answer (for feedback)")

    # --- answers ---------------------------------------------------------------------------

    def record_answer(self, answer: ModelAnswer) -> None:
        """Queue `answer` for the database and return at once (never raises; a failure is
        logged once). `await flush()` waits for what is queued."""
        self.writes.add(answer)

    async def flush(self) -> None:
        """Wait for the answers queued so far (before a process closes its database)."""
        await self.writes.flush()

    async def write_answers(self, recorded: list[ModelAnswer]) -> None:
        """Write answers now, in one transaction (raises on the database's errors)."""
        if not recorded:
            return
        async with self._db.transaction() as connection:
            await connection.execute(answers.insert(), [_answer_row(a) for a in recorded])
        now = self._clock()
        if now >= self._next_purge:  # housekeeping after the write, never failing it
            self._next_purge = now + self.purge_seconds
            try:
                purged = await self.purge_unvoted(now - self.retention_days * 86400)
            except Exception as exc:
                log.warning("old answers were not purged (%s)", type(exc).__name__)
            else:
                if purged:
                    log.info("purged %d answers nobody voted on", purged)

    async def answer(self, answer_id: str) -> ModelAnswer | None:
        """The recorded answer with this id, if there is one."""
        if not is_answer_id(answer_id):
            return None
        async with self._db.transaction() as connection:
            row = (
                await connection.execute(select(answers).where(answers.c.id == answer_id))
            ).first()
        return _answer_record(row._mapping) if row is not None else None

    async def purge_unvoted(self, before: float) -> int:
        """Delete the answers made before `before` that nobody voted on; how many."""
        voted = exists().where(feedback_votes.c.answer_id == answers.c.id)
        async with self._db.transaction() as connection:
            purged = await connection.execute(
                delete(answers).where(answers.c.created_at < before, ~voted)
            )
        return int(purged.rowcount or 0)

    # --- votes -----------------------------------------------------------------------------

    async def vote(
        self, answer_id: str, platform: str, workspace: str | None, user_id: str, vote: Vote
    ) -> VoteResult:
        """`user_id`'s vote (of `platform`, in `workspace`; None outside one) on the answer:
        new, changed or unchanged — or `UNKNOWN_ANSWER` for an id that names no answer."""
        if not is_answer_id(answer_id):
            return VoteResult.UNKNOWN_ANSWER
        voter = _voter(feedback_votes, answer_id, platform, workspace or "", user_id)
        row = {
            "answer_id": answer_id,
            "platform": platform,
            "workspace": workspace or "",
            "user_id": user_id,
            "vote": vote.value,
            "voted_at": self._clock(),
        }
        async with self._db.transaction() as connection:
            known = await connection.scalar(select(answers.c.id).where(answers.c.id == answer_id))
            if known is None:
                return VoteResult.UNKNOWN_ANSWER
            dialect = connection.dialect.name
            if (await connection.execute(_first_vote(dialect, row))).first() is not None:
                return VoteResult.NEW
            changed = await connection.execute(
                update(feedback_votes)
                .where(voter, feedback_votes.c.vote != vote.value)
                .values(vote=vote.value, voted_at=row["voted_at"])
            )
        return VoteResult.CHANGED if changed.rowcount else VoteResult.UNCHANGED

    async def shares(self) -> dict[str, VoteTally]:
        """The votes on each kind of answer (kinds without votes are left out)."""
        up = func.sum(case((feedback_votes.c.vote == Vote.UP.value, 1), else_=0))
        down = func.sum(case((feedback_votes.c.vote == Vote.DOWN.value, 1), else_=0))
        query = (
            select(answers.c.kind, up.label("up"), down.label("down"))
            .select_from(feedback_votes.join(answers, answers.c.id == feedback_votes.c.answer_id))
            .group_by(answers.c.kind)
            .order_by(answers.c.kind)
        )
        async with self._db.transaction() as connection:
            rows = await connection.execute(query)
            return {row.kind: VoteTally(int(row.up or 0), int(row.down or 0)) for row in rows}

    async def forget_workspace(self, platform: str, workspace: str) -> ForgottenWorkspace:
        """Erase a workspace's identities: its voters' workspace and user ids (their votes stay,
        anonymous) and its askers' workspace and channel (the answers stay)."""
        async with self._db.transaction() as connection:
            voters = feedback_votes.c
            votes = await connection.execute(
                update(feedback_votes)
                .where(voters.platform == platform, voters.workspace == workspace)
                .values(workspace=None, user_id=None)
            )
            asked = await connection.execute(
                update(answers)
                .where(answers.c.platform == platform, answers.c.workspace == workspace)
                .values(workspace=None, channel=None)
            )
        return ForgottenWorkspace(int(votes.rowcount or 0), int(asked.rowcount or 0))

    # --- export ----------------------------------------------------------------------------

    async def export(self, since: datetime | None = None) -> AsyncIterator[FineTuningLine]:
        """The answers with more 👍 than 👎 (made at or after `since`; a naive time is UTC),
        oldest first, each as one OpenAI chat fine-tuning line: `{"messages": [the messages
        sent…, {"role": "assistant", "content": the answer}]}`. Cut-short answers are left out.
        Read a batch at a time, so an export of any size holds little in memory."""
        net = func.sum(case((feedback_votes.c.vote == Vote.UP.value, 1), else_=-1))
        liked = (
            select(feedback_votes.c.answer_id)
            .group_by(feedback_votes.c.answer_id)
            .having(net > 0)
            .subquery()
        )
        query = (
            select(answers.c.id, answers.c.created_at, answers.c.messages, answers.c.answer)
            .join(liked, liked.c.answer_id == answers.c.id)
            .where(answers.c.cut_short.is_(False))
            .order_by(answers.c.created_at, answers.c.id)
            .limit(EXPORT_BATCH)
        )
        if since is not None:
            query = query.where(answers.c.created_at >= _epoch(since))
        after: tuple[float, str] | None = None
        while True:
            page = query
            if after is not None:
                at, answer_id = after
                page = query.where(
                    or_(
                        answers.c.created_at > at,
                        and_(answers.c.created_at == at, answers.c.id > answer_id),
                    )
                )
            async with self._db.transaction() as connection:
                rows = (await connection.execute(page)).all()
            for row in rows:
                sent: list[dict[str, Any]] = json.loads(row.messages)
                yield {"messages": [*sent, {"role": "assistant", "content": row.answer}]}
            if len(rows) < EXPORT_BATCH:
                return
            after = (rows[-1].created_at, rows[-1].id)


def _answer_row(answer: ModelAnswer) -> dict[str, Any]:
    return {
        "id": answer.answer_id,
        "platform": answer.platform,
        "workspace": answer.workspace,
        "channel": answer.channel,
        "kind": answer.kind,
        "subject": answer.subject,
        "command": answer.command,
        "messages": json.dumps(list(answer.messages), ensure_ascii=False, separators=(",", ":")),
        "answer": answer.answer,
        "model": answer.model,
        "cut_short": answer.cut_short,
        "created_at": answer.created_at,
    }


def _answer_record(row: Any) -> ModelAnswer:
    return ModelAnswer(
        answer_id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        command=row["command"],
        messages=tuple(json.loads(row["messages"])),
        answer=row["answer"],
        model=row["model"],
        created_at=row["created_at"],
        platform=row["platform"],
        workspace=row["workspace"],
        channel=row["channel"],
        cut_short=bool(row["cut_short"]),
    )


def _voter(table: Any, answer_id: str, platform: str, workspace: str, user_id: str) -> Any:
    return and_(
        table.c.answer_id == answer_id,
        table.c.platform == platform,
        table.c.workspace == workspace,
        table.c.user_id == user_id,
    )


def _first_vote(dialect: str, row: dict[str, Any]) -> ReturningInsert[tuple[int]]:
    """`INSERT … ON CONFLICT (the voter's key) DO NOTHING RETURNING id`: a row comes back only
    when this is the user's first vote on the answer."""
    insert = (
        postgresql.insert(feedback_votes)
        if dialect == "postgresql"
        else sqlite.insert(feedback_votes)
    )
    return (
        insert.values(row)
        .on_conflict_do_nothing(
            index_elements=[
                feedback_votes.c.answer_id,
                feedback_votes.c.platform,
                feedback_votes.c.workspace,
                feedback_votes.c.user_id,
            ]
        )
        .returning(feedback_votes.c.id)
    )


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
