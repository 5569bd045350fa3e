"""The one way in: every platform's event goes begin → refusal → journal → acknowledge → work →
exactly one final reply, through a real journal on SQLite and PostgreSQL. The arrival and the
outbox here are a platform's two small parts, recording what a user would see."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.database import CommandJournal, Database
from bot.intake import RESTARTING, AcceptPipeline, Incoming, JournalHandle, Turn
from bot.report import Report, ReportKind, Source
from bot.service import RecommendationService
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_router import FakeRouter


@dataclass
class RecordedArrival:
    """A platform event: records its acknowledgement and what its outbox was given."""

    journal: CommandJournal | None = None
    carries_at_once: bool = False  # like Slack's slash ack, which can hold a whole reply
    acknowledged: list[tuple[str | None, str | None]] = field(default_factory=list)
    pending_at_ack: list[int] = field(default_factory=list)  # journal entries when acked
    outbox_entries: list[JournalHandle | None] = field(default_factory=list)
    box: RecordedOutbox = field(default_factory=lambda: RecordedOutbox())

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        shown = at_once.text if at_once else None
        self.acknowledged.append((turn.subject if turn else None, shown))
        if self.journal is not None:
            self.pending_at_ack.append(await self.journal.pending())
        return at_once is not None and self.carries_at_once

    def outbox(self, turn: Turn, entry: JournalHandle | None) -> RecordedOutbox:
        self.outbox_entries.append(entry)
        return self.box


@dataclass
class RecordedOutbox:
    refuse_rich: bool = False
    fail: bool = False
    sent: list[tuple[str, Report]] = field(default_factory=list)

    async def send(self, report: Report) -> None:
        if self.fail:
            raise ConnectionError("the platform is down")
        if self.refuse_rich:
            raise ValueError("invalid_blocks")
        self.sent.append(("rich", report))

    def rejection(self, error: Exception) -> str | None:
        return str(error) if isinstance(error, ValueError) else None

    async def send_plain(self, report: Report) -> None:
        self.sent.append(("plain", report))

    async def apologise(self, report: Report | None) -> None:
        self.sent.append(("apology", report or Report(ReportKind.ERROR, "", "")))

    async def tidy(self) -> None:
        self.sent.append(("tidy", Report(ReportKind.ERROR, "", "")))

    def live(self) -> None:
        return None

    def place(self) -> str | None:
        return "C1:1.0"


def slack_message(text: str, user: str = "U1") -> Incoming:
    return Incoming(
        "slack", user, text, workspace="T1", channel="C1", address={"response_url": "https://x"}
    )


@pytest.fixture
async def journal(database: Database) -> CommandJournal:
    return CommandJournal(database, "worker-1", lease_seconds=60)


def pipeline_for(
    service: RecommendationService, journal: CommandJournal | None, per_minute: int = 10
) -> AcceptPipeline:
    return AcceptPipeline(conversation_for(service, per_minute), 30 * 60, journal)


async def test_a_command_is_journalled_before_its_acknowledgement_and_cleared_after_its_reply(
    make_service: ServiceFactory, journal: CommandJournal
) -> None:
    pipeline = pipeline_for(make_service(), journal)
    arrival = RecordedArrival(journal)
    reply = await pipeline.accept(slack_message("Facebook"), arrival)
    assert arrival.acknowledged == [("Facebook", None)]
    assert arrival.pending_at_ack == [1]  # written before the acknowledgement
    [handle] = arrival.outbox_entries
    entry = await handle.entry() if handle is not None else None
    assert entry is not None and entry.address == {"response_url": "https://x", "channel": "C1"}
    assert (entry.platform, entry.user_id, entry.workspace, entry.text) == (
        "slack",
        "U1",
        "T1",
        "Facebook",
    )
    assert entry.expires_at - entry.accepted_at == 30 * 60
    assert reply is not None
    await reply
    [(form, report), (after, _)] = arrival.box.sent
    assert (form, report.kind, report.source) == ("rich", ReportKind.ANALYSIS, Source.AI)
    assert after == "tidy"  # after the answer, never before
    assert await journal.pending() == 0


async def test_refusals_help_and_usage_are_answered_at_once_and_never_journalled(
    make_service: ServiceFactory, journal: CommandJournal, router: FakeRouter
) -> None:
    pipeline = pipeline_for(make_service(), journal, per_minute=1)
    first = await pipeline.accept(slack_message("Facebook"), RecordedArrival(journal))
    assert first is not None
    await first
    # Over the limit (the drift the issue found: Slack buttons journalled refused commands).
    for text in ("build Facebook", "help", "--country=zz Facebook"):
        arrival = RecordedArrival(journal, carries_at_once=True)
        assert await pipeline.accept(slack_message(text), arrival) is None
        [(_, shown)] = arrival.acknowledged
        assert shown is not None and arrival.box.sent == [] and arrival.outbox_entries == []
        assert arrival.pending_at_ack == [0]
    # Where the acknowledgement cannot carry it, the same reply goes through the outbox, once.
    arrival = RecordedArrival(journal)
    reply = await pipeline.accept(slack_message("help"), arrival)
    assert reply is not None
    await reply
    assert [(form, r.kind) for form, r in arrival.box.sent] == [
        ("rich", ReportKind.HELP),
        ("tidy", ReportKind.ERROR),
    ]
    assert arrival.outbox_entries == [None]
    assert len(router.completion_calls()) == 1


async def test_while_stopping_a_message_is_told_to_try_again_and_nothing_runs(
    make_service: ServiceFactory, journal: CommandJournal, router: FakeRouter
) -> None:
    pipeline = pipeline_for(make_service(), journal)
    pipeline.accepting = False
    arrival = RecordedArrival(journal)
    assert await pipeline.accept(slack_message("Facebook"), arrival) is None
    assert arrival.acknowledged == [(None, RESTARTING)]
    assert await journal.pending() == 0 and router.completion_calls() == []


async def test_a_refused_rich_reply_goes_as_plain_text_and_a_failed_one_as_one_apology(
    make_service: ServiceFactory, journal: CommandJournal
) -> None:
    pipeline = pipeline_for(make_service(), journal)
    refused = RecordedArrival(journal, box=RecordedOutbox(refuse_rich=True))
    reply = await pipeline.accept(slack_message("Facebook"), refused)
    assert reply is not None
    await reply
    assert [form for form, _ in refused.box.sent] == ["plain", "tidy"]
    failing = RecordedArrival(journal, box=RecordedOutbox(fail=True))
    reply = await pipeline.accept(slack_message("Facebook", user="U2"), failing)
    assert reply is not None
    await reply
    [(form, report), _] = failing.box.sent
    assert form == "apology" and report.kind is ReportKind.ANALYSIS  # the answer it could not post
    assert await journal.pending() == 0  # answered (as well as it could be): not again


async def test_a_journalled_command_is_answered_again_from_its_entry_without_a_second_charge(
    make_service: ServiceFactory, journal: CommandJournal, router: FakeRouter
) -> None:
    """What a worker does with a dead worker's command: the same message, rebuilt from the
    entry, answered once, not counted against the user again."""
    service = make_service()
    dead = pipeline_for(service, journal, per_minute=1)
    arrival = RecordedArrival(journal)
    reply = await dead.accept(slack_message("Facebook"), arrival)
    assert reply is not None
    reply.cancel()  # the worker died before answering
    [handle] = arrival.outbox_entries
    entry = await handle.entry() if handle is not None else None
    assert entry is not None
    assert Incoming.from_journal(entry) == slack_message("Facebook")
    heir = pipeline_for(service, journal, per_minute=1)
    heir.conversation.limiter = dead.conversation.limiter  # the shared (Redis) limit
    box = RecordedOutbox()
    await heir.resume(entry, lambda turn, entry: box)
    [(form, report), _] = box.sent
    assert (form, report.kind) == ("rich", ReportKind.ANALYSIS)
    assert await journal.pending() == 0


async def test_every_command_kind_writes_one_command_answered_line(
    make_service: ServiceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = pipeline_for(make_service(), None)
    with caplog.at_level(logging.INFO, logger="bot.service.account"):
        for text in ("Facebook", "watching", "watch Facebook"):
            reply = await pipeline.accept(slack_message(text), RecordedArrival())
            assert reply is not None
            await reply
    kinds = [r.fields["kind"] for r in caplog.records if r.getMessage() == "command answered"]  # type: ignore[attr-defined]
    assert kinds == ["analysis", "watching", "watch"]


async def test_a_locked_disk_does_not_hold_the_acknowledgement(
    make_service: ServiceFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the SQLite file's write lock: commands are acknowledged without
    their entries, which are written once the lock is released; the miss is logged once."""
    database = Database.open(None, tmp_path)
    await database.migrate()
    journal = CommandJournal(database, "worker-1", lease_seconds=60)
    pipeline = AcceptPipeline(conversation_for(make_service()), 30 * 60, journal, 0.05)
    locker = sqlite3.connect(tmp_path / "trend-scout.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # the disk is "slow": every write waits for this
    try:
        arrivals = [RecordedArrival(), RecordedArrival()]
        with caplog.at_level(logging.WARNING, logger="bot.intake.pipeline"):
            replies = [
                await pipeline.accept(slack_message("Facebook", user), arrival)
                for user, arrival in zip(("U1", "U2"), arrivals, strict=True)
            ]
        handles = [arrival.outbox_entries[0] for arrival in arrivals]
        assert all(arrival.acknowledged == [("Facebook", None)] for arrival in arrivals)
        assert [await h.written_within(0) for h in handles if h is not None] == [False, False]
        slow = [r for r in caplog.records if "the journal took over 50 ms" in r.getMessage()]
        assert len(slow) == 1
    finally:
        locker.execute("COMMIT")
        locker.close()
    for reply in replies:
        assert reply is not None
        await reply
    assert [[form for form, _ in a.box.sent] for a in arrivals] == [["rich", "tidy"]] * 2
    assert await journal.pending() == 0  # written late, then cleared once answered
    await database.aclose()


async def test_a_command_whose_answer_was_being_posted_is_never_posted_again(
    make_service: ServiceFactory, journal: CommandJournal, router: FakeRouter
) -> None:
    """A worker killed between marking its final post and clearing the entry: the next
    worker clears it without posting (at most once)."""
    entry = await journal.record(
        slack_message("Facebook").journal_entry(journal.now(), 30 * 60)
    )
    entry = await journal.note(entry, final="posting")  # as claim_orphans would read it
    box = RecordedOutbox()
    pipeline = pipeline_for(make_service(), journal)
    await pipeline.resume(entry, lambda turn, entry: box)
    assert box.sent == [] and router.completion_calls() == []
    assert await journal.pending() == 0


async def test_a_command_that_took_down_three_workers_gets_one_apology_and_no_fourth_try(
    make_service: ServiceFactory, journal: CommandJournal, router: FakeRouter
) -> None:
    entry = await journal.record(
        slack_message("Facebook").journal_entry(journal.now(), 30 * 60)
    )
    box = RecordedOutbox()
    pipeline = pipeline_for(make_service(), journal)
    await pipeline.resume(replace(entry, attempts=4), lambda turn, entry: box)
    assert [form for form, _ in box.sent] == ["apology"]
    assert router.completion_calls() == []
    assert await journal.pending() == 0
