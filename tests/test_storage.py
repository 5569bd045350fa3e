"""The database layer on a real SQLite file and a real PostgreSQL server: migrations, job
leases shared by workers, and the command journal."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from bot.database import (
    SCHEMA_HEAD,
    CommandJournal,
    Database,
    DatabaseUrlError,
    JobLeases,
    JournalEntry,
    describe,
    engine_url,
)
from tests.fake_appstore import FakeAppStore
from tests.helpers import ManualClock, free_port, run_bot
from tests.postgres_server import PASSWORD, PostgresServer


def test_heroku_urls_become_asyncpg_urls_and_the_description_hides_the_password() -> None:
    url = engine_url("postgres://u:s3cr3t-pw@db.example.com:5432/d1?sslmode=require", Path("x"))
    assert url.drivername == "postgresql+asyncpg"
    assert dict(url.query) == {"ssl": "require"}
    assert describe(url) == "PostgreSQL at db.example.com:5432/d1"
    assert "s3cr3t" not in describe(url)
    sqlite = engine_url(None, Path("/srv/data"))
    assert sqlite.drivername == "sqlite+aiosqlite"
    assert describe(sqlite) == "SQLite /srv/data/trend-scout.sqlite3"


@pytest.mark.parametrize("raw", ["mysql://u:p@h/d", "postgres:///nohost", "not a url"])
def test_other_urls_are_refused_without_echoing_them(raw: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        engine_url(raw, Path("x"))
    assert raw not in str(caught.value)


async def test_migrations_run_once_and_record_their_versions(
    database_url: str, tmp_path: Path
) -> None:
    first = Database.open(database_url, tmp_path)
    second = Database.open(database_url, tmp_path)
    try:
        # Two workers starting together: both end at head, each revision once (a second run of
        # the first revision would fail on its existing tables).
        versions = await asyncio.gather(first.migrate(), second.migrate())
        assert versions == [SCHEMA_HEAD] * 2
        async with first.transaction() as connection:
            rows = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert [row.version_num for row in rows] == [SCHEMA_HEAD]
        assert await first.migrate() == SCHEMA_HEAD  # a restart changes nothing
    finally:
        await first.aclose()
        await second.aclose()


async def test_exactly_one_worker_claims_a_due_job(database: Database) -> None:
    clock = ManualClock()
    workers = [JobLeases(database, f"worker-{n}", clock) for n in range(4)]
    claims = await asyncio.gather(*(w.claim("check", 60) for w in workers))
    assert sorted(claims) == [False, False, False, True]
    winner = workers[claims.index(True)]
    await winner.finish("check", next_due=clock.now + 3600)
    assert [await w.claim("check", 60) for w in workers] == [False] * 4  # not due yet
    clock.now += 3600
    assert await workers[2].claim("check", 60)
    assert not await workers[3].claim("check", 60)  # held
    assert await workers[2].renew("check", 60)
    clock.now += 61  # the holder died: its lease runs out and another worker takes over
    assert await workers[3].claim("check", 60)
    assert not await workers[2].renew("check", 60)


async def test_the_journal_hands_an_orphan_to_exactly_one_worker(database: Database) -> None:
    clock = ManualClock()
    dead = CommandJournal(database, "dead", lease_seconds=30, clock=clock)
    entry = JournalEntry(
        "slack",
        "U1",
        "Calculator Pro",
        "T1",
        address={"response_url": "https://hooks.slack.com/commands/T1/1/x"},
        accepted_at=clock.now,
        expires_at=clock.now + 1800,
    )
    await dead.record(entry)
    await dead.note(entry, live_ts="1.2")
    survivors = [CommandJournal(database, f"w{n}", 30, clock) for n in range(3)]
    assert [await s.claim_orphans(["slack"]) for s in survivors] == [[], [], []]  # still leased
    clock.now += 31
    claimed = await asyncio.gather(*(s.claim_orphans(["slack", "discord"]) for s in survivors))
    winners = [found for found in claimed if found]
    assert len(winners) == 1
    (recovered,) = winners[0]
    assert recovered.text == "Calculator Pro" and recovered.attempts == 2
    assert recovered.address == {**entry.address, "live_ts": "1.2"}
    assert await survivors[0].claim_orphans(["discord"]) == []  # other platforms' workers
    owner = survivors[[bool(found) for found in claimed].index(True)]
    await owner.done(recovered)
    assert await owner.pending() == 0


async def test_a_live_worker_keeps_its_entries_and_closed_windows_are_dropped(
    database: Database,
) -> None:
    clock = ManualClock()
    live = CommandJournal(database, "live", lease_seconds=30, clock=clock)
    other = CommandJournal(database, "other", lease_seconds=30, clock=clock)
    kept = await live.record(JournalEntry("discord", "1", "a", expires_at=clock.now + 900))
    late = JournalEntry("discord", "2", "b", expires_at=clock.now + 40)
    await other.record(late)
    other.held.clear()  # that worker died
    clock.now += 25
    await live.renew()
    clock.now += 20
    assert await other.claim_orphans(["discord"]) == []  # renewed; the other one's window closed
    assert [e.id for e in await live.drop_expired()] == [late.id]
    assert await live.pending() == 1
    await live.done(kept)


def test_an_unreachable_database_stops_start_up_with_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    url = f"postgres://scout:{PASSWORD}@127.0.0.1:{free_port()}/scout"
    result = run_bot("help\n", tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "the database (PostgreSQL at 127.0.0.1:" in result.stderr
    assert "from DATABASE_URL) cannot be used" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_the_database_password_never_reaches_the_logs(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create_database("logged")
    commands = "watch Facebook\nwatching\nexit\n"
    result = run_bot(commands, tmp_path, DATABASE_URL=url, LOG_LEVEL="DEBUG")
    assert result.returncode == 0
    assert "database PostgreSQL at 127.0.0.1:" in result.stderr
    everything = result.stdout + result.stderr
    for form in (PASSWORD, quote(PASSWORD), base64.b64encode(PASSWORD.encode()).decode()):
        assert form not in everything
    assert "This channel watches nothing yet" in result.stdout  # the App Store is unreachable


def test_the_console_keeps_its_watches_in_the_data_dir_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "scout-data"
    appstore_env: dict[str, str] = {}
    with FakeAppStore() as appstore:
        appstore_env["APPSTORE_BASE_URL"] = appstore.base_url
        first = run_bot("watch Facebook\nexit\n", tmp_path, DATA_DIR=str(data), **appstore_env)
        assert "Now watching **Facebook (US)**" in first.stdout
        second = run_bot("watching\nexit\n", tmp_path, DATA_DIR=str(data), **appstore_env)
    assert "• Facebook (US)" in second.stdout
    assert (data / "trend-scout.sqlite3").is_file()
