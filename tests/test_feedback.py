"""Feedback on AI answers, on a real SQLite file and a real PostgreSQL server: each model answer
recorded with exactly the messages the router received (off the reply's path), votes (one per
user per answer, changeable), the share of 👍 per kind, a workspace's identities erased with its
votes kept, and `python -m bot export-feedback` writing the liked answers as fine-tuning lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.cache import MemoryAnswerCache, RedisAnswerCache, RedisBackend
from bot.cache.report_codec import UndecodableReport, decode_report, encode_report
from bot.commands.grammar import parse
from bot.database import Database, answers, feedback_votes
from bot.feedback import (
    FeedbackStore,
    ForgottenWorkspace,
    ModelAnswer,
    Vote,
    VoteResult,
    VoteTally,
    new_answer_id,
    receipt,
    share_line,
)
from bot.report.report import Report, ReportKind, Source
from bot.runtime.request_scope import Caller
from bot.service.recommendations import RecommendationService
from tests.conftest import ServiceFactory
from tests.fake_router import FakeRouter, Reply
from tests.helpers import PYTHON, ManualClock, clean_env
from tests.redis_server import RedisServer

NOW = datetime(2025, 7, 1, tzinfo=UTC).timestamp()  # the store's clock in these tests
ALICE = Caller("slack", "U1", "T1")
ADMIN = Caller("slack", "U_ADMIN", "T1", is_admin=True)


def day(month: int, date: int) -> float:
    return datetime(2025, month, date, tzinfo=UTC).timestamp()


def made(
    kind: str = "analysis", at: float = NOW, answer: str = "An answer", **extra: Any
) -> ModelAnswer:
    """An answer as the service records it."""
    return ModelAnswer(
        answer_id=new_answer_id(),
        kind=kind,
        subject="Facebook",
        command="Facebook",
        messages=(
            {"role": "system", "content": "You are Trend Scout."},
            {"role": "user", "content": f"DATA for {answer}"},
        ),
        answer=answer,
        model="openai/gpt-oss-120b",
        created_at=at,
        **{"platform": "slack", "workspace": "T1", "channel": None, **extra},
    )


def line(record: ModelAnswer) -> dict[str, Any]:
    return {"messages": [*record.messages, {"role": "assistant", "content": record.answer}]}


@pytest.fixture
def store(database: Database) -> FeedbackStore:
    return FeedbackStore(database, clock=ManualClock(NOW))


@pytest.fixture
def make_recording_service(
    make_grounded_service: ServiceFactory, store: FeedbackStore
) -> ServiceFactory:
    def build(**overrides: Any) -> RecommendationService:
        service = make_grounded_service(**overrides)
        service.answer_log = store
        return service

    return build


async def exported(store: FeedbackStore, since: datetime | None = None) -> list[dict[str, Any]]:
    return [found async for found in store.export(since)]


async def rows(database: Database, table: Any) -> list[Any]:
    async with database.transaction() as connection:
        return list((await connection.execute(select(table))).all())


# --- recording through the service --------------------------------------------------------


async def test_an_ai_answer_is_recorded_with_exactly_the_messages_the_router_received(
    make_recording_service: ServiceFactory, store: FeedbackStore, router: FakeRouter
) -> None:
    report = await make_recording_service().handle(parse("Facebook --country=gb"), ALICE)
    assert report.source is Source.AI and report.answer_id is not None
    await store.flush()
    record = await store.answer(report.answer_id)
    assert record is not None
    [request] = router.completion_calls()
    assert list(record.messages) == request.body["messages"]
    assert record.messages[0]["role"] == "system" and record.messages[-1]["role"] == "user"
    assert record.answer == report.text
    assert (record.kind, record.subject) == ("analysis", report.subject)
    assert record.command == "Facebook --country=gb"
    assert record.model == "openai/gpt-oss-120b" and record.model == request.body["model"]
    assert (record.platform, record.workspace, record.channel) == ("slack", "T1", None)
    assert not record.cut_short


async def test_a_cached_answer_keeps_its_id_and_fallback_advice_is_never_recorded(
    make_recording_service: ServiceFactory,
    store: FeedbackStore,
    router: FakeRouter,
    database: Database,
) -> None:
    service = make_recording_service()
    first = await service.handle(parse("Facebook"), ALICE)
    again = await service.handle(parse("Facebook"), Caller("discord", "42", "G1"))
    assert again.source is Source.CACHE and again.answer_id == first.answer_id
    router.enqueue(Reply.error(402, "You have exceeded your monthly included credits"))
    advice = await service.handle(parse("build Facebook"), ALICE)
    assert advice.source is Source.FALLBACK and advice.answer_id is None
    await store.flush()
    assert [row.id for row in await rows(database, answers)] == [first.answer_id]
    # A vote on the cached copy counts for the same answer.
    assert await store.vote(again.answer_id or "", "discord", "G1", "42", Vote.UP) is VoteResult.NEW
    assert await store.shares() == {"analysis": VoteTally(1, 0)}


async def test_another_worker_serving_the_answer_from_redis_gives_the_same_id(
    make_grounded_service: ServiceFactory, redis_server: RedisServer
) -> None:
    backend = RedisBackend(redis_server.url)
    await backend.client.flushdb()
    try:
        workers = [
            make_grounded_service(
                cache=RedisAnswerCache(
                    backend, MemoryAnswerCache(600, 100), 600, wait_limit_seconds=10.0
                )
            )
            for _ in range(2)
        ]
        made_here = await workers[0].handle(parse("Facebook"))
        served_there = await workers[1].handle(parse("Facebook"))
    finally:
        await backend.aclose()
    assert served_there.source is Source.CACHE
    assert served_there.answer_id == made_here.answer_id is not None


def test_the_codec_keeps_the_answer_id_and_still_reads_the_previous_format() -> None:
    report = Report(
        ReportKind.ANALYSIS, "Facebook", "**Improvements**", Source.AI, answer_id=new_answer_id()
    )
    assert decode_report(encode_report(report, 12.5)) == (report, 12.5)
    older = json.loads(encode_report(report, 12.5))
    older["v"] = 5
    del older["report"]["answer_id"]
    assert decode_report(json.dumps(older)) == (replace(report, answer_id=None), 12.5)
    older["v"] = 4
    with pytest.raises(UndecodableReport):
        decode_report(json.dumps(older))


# --- a database that is slow or failing never touches the reply ---------------------------


async def test_a_locked_database_never_delays_the_answer(
    make_recording_service: ServiceFactory, store: FeedbackStore, database: Database
) -> None:
    service = make_recording_service()
    async with database.engine.begin() as blocker:  # another writer holds the tables
        if database.engine.dialect.name == "postgresql":
            await blocker.execute(text("LOCK TABLE answers IN ACCESS EXCLUSIVE MODE"))
        else:
            await blocker.exec_driver_sql("BEGIN IMMEDIATE")
        # A guard against hanging, not a timing assertion: the write cannot land until the
        # lock goes, yet the answer is out.
        report = await asyncio.wait_for(service.handle(parse("Facebook"), ALICE), 60)
        assert report.source is Source.AI and report.answer_id is not None
        assert store.writes.pending == 1
    await store.flush()
    assert await store.answer(report.answer_id) is not None


async def test_a_failing_database_write_is_logged_once_and_the_answers_go_on(
    make_recording_service: ServiceFactory,
    store: FeedbackStore,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with database.transaction() as connection:
        await connection.execute(text("DROP TABLE feedback_votes"))
        await connection.execute(text("DROP TABLE answers"))
    service = make_recording_service()
    caplog.set_level(logging.INFO, "bot.database.background")
    for command in ("Facebook", "build Facebook"):
        report = await service.handle(parse(command), ALICE)
        assert report.source is Source.AI and report.answer_id is not None
        await store.flush()
    assert store.writes.dropped == 2
    problems = [r for r in caplog.records if r.name == "bot.database.background"]
    assert [r.levelno for r in problems] == [logging.WARNING]
    stats = await service.handle(parse("stats"), ADMIN)
    assert stats.text.endswith("• Feedback (all workers): unavailable right now")


async def test_an_answer_log_that_raises_never_breaks_the_answer(
    make_grounded_service: ServiceFactory,
) -> None:
    class Broken:
        def record_answer(self, answer: ModelAnswer) -> None:
            raise RuntimeError("bug")

        async def shares(self) -> dict[str, VoteTally]:
            raise RuntimeError("bug")

    service = make_grounded_service()
    service.answer_log = Broken()
    report = await service.handle(parse("Facebook"), ALICE)
    assert report.source is Source.AI and report.answer_id is not None


# --- votes, shares, export, forgetting ------------------------------------------------------


async def test_one_vote_per_user_per_answer_changeable(
    store: FeedbackStore, database: Database
) -> None:
    record = made()
    await store.write_answers([record])
    vote = store.vote
    assert await vote(record.answer_id, "slack", "T1", "U1", Vote.UP) is VoteResult.NEW
    assert await vote(record.answer_id, "slack", "T1", "U1", Vote.UP) is VoteResult.UNCHANGED
    assert await vote(record.answer_id, "slack", "T1", "U1", Vote.DOWN) is VoteResult.CHANGED
    assert await vote(record.answer_id, "discord", None, "U1", Vote.UP) is VoteResult.NEW
    assert await vote(record.answer_id, "discord", None, "U1", Vote.UP) is VoteResult.UNCHANGED
    votes = sorted(
        (r.platform, r.workspace, r.user_id, r.vote) for r in await rows(database, feedback_votes)
    )
    assert votes == [("discord", "", "U1", "up"), ("slack", "T1", "U1", "down")]
    # Two clicks at once still leave one row.
    other = made()
    await store.write_answers([other])
    both = await asyncio.gather(
        vote(other.answer_id, "slack", "T1", "U2", Vote.UP),
        vote(other.answer_id, "slack", "T1", "U2", Vote.DOWN),
    )
    assert VoteResult.NEW in both
    assert (
        len([r for r in await rows(database, feedback_votes) if r.answer_id == other.answer_id])
        == 1
    )


@pytest.mark.parametrize("answer_id", [new_answer_id(), "not-an-id", "", "' OR 1=1 --"])
async def test_a_vote_on_an_unknown_answer_says_so(store: FeedbackStore, answer_id: str) -> None:
    assert await store.vote(answer_id, "slack", "T1", "U1", Vote.UP) is VoteResult.UNKNOWN_ANSWER
    assert await store.answer(answer_id) is None
    assert await store.shares() == {}


async def test_shares_per_kind_and_the_stats_line(
    make_recording_service: ServiceFactory, store: FeedbackStore
) -> None:
    analysis = [made() for _ in range(3)]
    find = made("find")
    await store.write_answers([*analysis, find])
    for index, record in enumerate(analysis):
        for user in ("U1", "U2"):
            vote = Vote.DOWN if (index, user) == (2, "U2") else Vote.UP
            await store.vote(record.answer_id, "slack", "T1", user, vote)
    await store.vote(find.answer_id, "discord", "G1", "7", Vote.DOWN)
    shares = await store.shares()
    assert shares == {"analysis": VoteTally(5, 1), "find": VoteTally(0, 1)}
    assert share_line(shares) == "👍 analysis 5 of 6 (83%) · find 0 of 1 (0%)"
    assert share_line({}) == "👍 no votes yet"
    stats = await make_recording_service().handle(parse("stats"), ADMIN)
    assert stats.text.endswith(
        "• Feedback (all workers): 👍 analysis 5 of 6 (83%) · find 0 of 1 (0%)"
    )


async def test_export_is_the_liked_answers_as_fine_tuning_lines(
    make_recording_service: ServiceFactory, store: FeedbackStore, router: FakeRouter
) -> None:
    report = await make_recording_service().handle(parse("Facebook"), ALICE)
    assert report.answer_id is not None
    await store.flush()
    june, july = made(at=day(6, 1), answer="June"), made(at=day(7, 2), answer="July")
    disliked, changed, tied = made(answer="down"), made(answer="changed"), made(answer="tie")
    cut = made(answer="cut", cut_short=True)
    await store.write_answers([june, july, disliked, changed, tied, cut])
    votes = [
        (report.answer_id, "U1", Vote.UP),
        (june.answer_id, "U1", Vote.UP),
        (june.answer_id, "U2", Vote.UP),
        (june.answer_id, "U3", Vote.DOWN),  # 2 to 1: liked
        (july.answer_id, "U1", Vote.UP),
        (disliked.answer_id, "U1", Vote.DOWN),
        (changed.answer_id, "U1", Vote.UP),
        (changed.answer_id, "U1", Vote.DOWN),  # changed its mind
        (tied.answer_id, "U1", Vote.UP),
        (tied.answer_id, "U2", Vote.DOWN),
        (cut.answer_id, "U1", Vote.UP),
    ]
    for answer_id, user, vote in votes:
        await store.vote(answer_id, "slack", "T1", user, vote)
    [request] = router.completion_calls()
    service_line = {
        "messages": [*request.body["messages"], {"role": "assistant", "content": report.text}]
    }
    everything = await exported(store)
    assert everything == [line(june), line(july), service_line]  # oldest first
    assert await exported(store, datetime(2025, 7, 2)) == [line(july), service_line]
    assert await exported(store, datetime(2999, 1, 1)) == []


async def test_forgetting_a_workspace_erases_identities_and_keeps_the_votes(
    store: FeedbackStore, database: Database
) -> None:
    ours, theirs = made(channel="C1"), made(workspace="T2", channel="C9")
    await store.write_answers([ours, theirs])
    await store.vote(ours.answer_id, "slack", "T1", "U1", Vote.UP)
    await store.vote(ours.answer_id, "slack", "T2", "U9", Vote.UP)
    await store.vote(theirs.answer_id, "slack", "T1", "U1", Vote.DOWN)
    before = (await store.shares(), await exported(store))

    assert await store.forget_workspace("slack", "T1") == ForgottenWorkspace(votes=2, answers=1)
    assert (await store.shares(), await exported(store)) == before
    voters = sorted(
        (r.workspace or "-", r.user_id or "-") for r in await rows(database, feedback_votes)
    )
    assert voters == [("-", "-"), ("-", "-"), ("T2", "U9")]
    askers = {r.id: (r.platform, r.workspace, r.channel) for r in await rows(database, answers)}
    assert askers == {
        ours.answer_id: ("slack", None, None),
        theirs.answer_id: ("slack", "T2", "C9"),
    }
    # The same user, back in a reinstalled workspace, votes afresh; nothing collides.
    assert await store.vote(ours.answer_id, "slack", "T1", "U1", Vote.DOWN) is VoteResult.NEW
    assert await store.forget_workspace("discord", "T1") == ForgottenWorkspace(0, 0)


async def test_answers_nobody_voted_on_are_purged_after_the_retention(database: Database) -> None:
    clock = ManualClock(NOW)
    store = FeedbackStore(database, retention_days=90, purge_seconds=86400, clock=clock)
    await store.write_answers([made(at=day(6, 30))])  # the first write of a worker purges
    old, old_voted, recent = made(at=day(3, 1)), made(at=day(3, 1)), made(at=day(6, 20))
    await store.write_answers([old, old_voted, recent])  # not again within the day
    await store.vote(old_voted.answer_id, "slack", "T1", "U1", Vote.DOWN)
    assert len(await rows(database, answers)) == 4

    clock.now += 86400  # a day on: the next write purges the unvoted answers over 90 days old
    await store.write_answers([made(at=clock.now)])
    kept = {r.id for r in await rows(database, answers)}
    assert old.answer_id not in kept and {old_voted.answer_id, recent.answer_id} <= kept
    assert len(kept) == 4
    assert (
        await store.vote(old.answer_id, "slack", "T1", "U1", Vote.UP) is VoteResult.UNKNOWN_ANSWER
    )
    assert await store.purge_unvoted(clock.now + 1) == 3  # all but the voted one
    assert {r.id for r in await rows(database, answers)} == {old_voted.answer_id}


def test_the_voter_is_told_what_their_vote_did() -> None:
    assert receipt(VoteResult.NEW, Vote.UP).startswith("Thanks — your 👍 is recorded")
    assert receipt(VoteResult.CHANGED, Vote.DOWN) == "Thanks — your vote is now 👎."
    assert receipt(VoteResult.UNCHANGED, Vote.UP) == "Your 👍 was already recorded."
    assert "can no longer be rated" in receipt(VoteResult.UNKNOWN_ANSWER, Vote.UP)


# --- python -m bot export-feedback ----------------------------------------------------------


@pytest.fixture
async def filled(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[dict[str, str], list[ModelAnswer]]]:
    """A database with two liked answers and one disliked, and the environment that names it:
    DATA_DIR for SQLite (the bot's own file there), DATABASE_URL for PostgreSQL."""
    if database_url.startswith("sqlite"):
        env, database = {"DATA_DIR": str(tmp_path / "data")}, Database.open(None, tmp_path / "data")
    else:
        env, database = {"DATABASE_URL": database_url}, Database.open(database_url, tmp_path)
    await database.migrate()
    store = FeedbackStore(database, clock=ManualClock(NOW))
    june, july, disliked = made(at=day(6, 1), answer="Ju\u00f1e ✓"), made(at=day(7, 1)), made()
    await store.write_answers([june, july, disliked])
    for record, vote in ((june, Vote.UP), (july, Vote.UP), (disliked, Vote.DOWN)):
        await store.vote(record.answer_id, "slack", "T1", "U1", vote)
    await database.aclose()
    yield env, [june, july]


def export_feedback(
    tmp_path: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    environment = clean_env(**env)
    if "DATABASE_URL" not in env:
        environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [PYTHON, "-m", "bot", "export-feedback", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )


async def test_the_export_tool_writes_the_liked_answers(
    filled: tuple[dict[str, str], list[ModelAnswer]], tmp_path: Path
) -> None:
    env, (june, july) = filled
    out = tmp_path / "liked.jsonl"
    done = await asyncio.to_thread(export_feedback, tmp_path, env, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == f"exported 2 liked answers to {out}\n"
    assert [json.loads(text) for text in out.read_text("utf-8").splitlines()] == [
        line(june),
        line(july),
    ]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    since = await asyncio.to_thread(export_feedback, tmp_path, env, "--since", "2025-06-02")
    assert since.returncode == 0, since.stderr
    assert [json.loads(text) for text in since.stdout.splitlines()] == [line(july)]
    assert since.stderr == "exported 1 liked answer made since 2025-06-02\n"


@pytest.mark.parametrize("date", ["2025-13-01", "yesterday", "01/06/2025"])
def test_a_bad_date_is_a_one_line_usage_error(tmp_path: Path, date: str) -> None:
    done = export_feedback(tmp_path, {"DATA_DIR": str(tmp_path)}, "--since", date)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        "python -m bot export-feedback: argument --since: a date as YYYY-MM-DD"
    )
    assert not (tmp_path / "trend-scout.sqlite3").exists()  # nothing was opened
