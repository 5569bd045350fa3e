"""The schema's history (Alembic revisions) on a real SQLite file and a real PostgreSQL server:
upgraded to head it is exactly what the models say, and a database made by the first release
(its hand-written migrations and `schema_migrations` table) upgrades in place, rows intact."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.database import SCHEMA_HEAD, CommandJournal, Database, SchemaHistoryError
from bot.database.schema import metadata
from bot.watch.model import Watch, WatchChannel, WatchKind
from bot.watch.store import Added, WatchStore
from tests.helpers import ManualClock

# What the first release ran, frozen: first its version table (a transaction of its own), then
# migration 1 — `create_all` of its models — with its version row (one transaction). {serial} is
# how its integer primary keys came out: INTEGER on SQLite, SERIAL on PostgreSQL.
LEGACY_VERSION_TABLE = """CREATE TABLE schema_migrations (
    version INTEGER NOT NULL, description TEXT NOT NULL, applied_at FLOAT NOT NULL,
    PRIMARY KEY (version))"""
LEGACY_FIRST_MIGRATION = (
    """CREATE TABLE alerts (
        id {serial} NOT NULL, platform VARCHAR(16) NOT NULL, workspace VARCHAR(64) NOT NULL,
        channel VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL, body TEXT NOT NULL,
        created_at FLOAT NOT NULL, posted_at FLOAT, PRIMARY KEY (id))""",
    """CREATE TABLE app_snapshots (
        track_id BIGINT NOT NULL, country VARCHAR(2) NOT NULL, app TEXT NOT NULL,
        review_ids TEXT, low_star_per_day FLOAT, checked_at FLOAT NOT NULL,
        reviews_checked_at FLOAT, PRIMARY KEY (track_id, country))""",
    """CREATE TABLE chart_snapshots (
        genre_id INTEGER NOT NULL, country VARCHAR(2) NOT NULL, chart VARCHAR(32) NOT NULL,
        ranks TEXT NOT NULL, checked_at FLOAT NOT NULL, PRIMARY KEY (genre_id, country, chart))""",
    """CREATE TABLE digests (
        platform VARCHAR(16) NOT NULL, workspace VARCHAR(64) NOT NULL,
        channel VARCHAR(64) NOT NULL, slot VARCHAR(64) NOT NULL, posted_at FLOAT NOT NULL,
        PRIMARY KEY (platform, workspace, channel, slot))""",
    """CREATE TABLE jobs (
        name VARCHAR(128) NOT NULL, due_at FLOAT NOT NULL, holder VARCHAR(255),
        lease_until FLOAT, PRIMARY KEY (name))""",
    """CREATE TABLE journal (
        id VARCHAR(36) NOT NULL, platform VARCHAR(16) NOT NULL, entry TEXT NOT NULL,
        accepted_at FLOAT NOT NULL, expires_at FLOAT NOT NULL, holder VARCHAR(255) NOT NULL,
        lease_until FLOAT NOT NULL, attempts INTEGER NOT NULL, PRIMARY KEY (id))""",
    """CREATE TABLE watches (
        id {serial} NOT NULL, platform VARCHAR(16) NOT NULL, workspace VARCHAR(64) NOT NULL,
        channel VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, target VARCHAR(32) NOT NULL,
        country VARCHAR(2) NOT NULL, name TEXT NOT NULL, created_by VARCHAR(64) NOT NULL,
        created_at FLOAT NOT NULL, PRIMARY KEY (id),
        UNIQUE (platform, workspace, channel, kind, target, country))""",
    """INSERT INTO schema_migrations (version, description, applied_at) VALUES
        (1, 'watches, snapshots, alerts, digests, jobs and the command journal', 900.0)""",
)

# Rows that release wrote, in its formats (an AppInfo and a JournalEntry as JSON).
CHANNEL = WatchChannel("slack", "T1", "C1")
FACEBOOK_JSON = (
    '{"track_id": 284882215, "name": "Facebook", "seller": null, "category": null, "rating": 3.5,'
    ' "rating_count": 1000, "current_version_rating": null, "current_version_rating_count": null,'
    ' "price": null, "formatted_price": null, "last_update": null, "url": null,'
    ' "artwork_url": null, "genre_id": null, "size_bytes": null, "platform": "ios",'
    ' "version": "450.0", "release_notes": null}'
)
ENTRY_ID = "6f1c1d2e-0000-4000-8000-000000000001"
ENTRY_JSON = (
    '{"platform":"slack","user_id":"U1","text":"Calculator Pro","workspace":"T1","where":null,'
    '"plain_language":false,"address":{"response_url":"https://hooks.slack.com/commands/T1/1/x"},'
    f'"accepted_at":1000.0,"expires_at":2800.0,"id":"{ENTRY_ID}","attempts":1}}'
)
LEGACY_ROWS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "INSERT INTO watches (platform, workspace, channel, kind, target, country, name,"
        " created_by, created_at) VALUES ('slack', 'T1', 'C1', 'app', '284882215', 'us',"
        " 'Facebook', 'U1', 950.0)",
        {},
    ),
    (
        "INSERT INTO app_snapshots (track_id, country, app, review_ids, low_star_per_day,"
        " checked_at, reviews_checked_at) VALUES (284882215, 'us', :app, '[\"r2\", \"r1\"]',"
        " 0.5, 960.0, 960.0)",
        {"app": FACEBOOK_JSON},
    ),
    (
        "INSERT INTO journal (id, platform, entry, accepted_at, expires_at, holder, lease_until,"
        " attempts) VALUES (:id, 'slack', :entry, 1000.0, 2800.0, 'old-worker', 1030.0, 1)",
        {"id": ENTRY_ID, "entry": ENTRY_JSON},
    ),
)


async def build_legacy(database: Database, *, first_migration: bool = True) -> None:
    """The database the first release leaves (`first_migration=False`: one that died after
    creating its version table)."""
    serial = "SERIAL" if database.engine.dialect.name == "postgresql" else "INTEGER"
    async with database.transaction() as connection:
        await connection.execute(text(LEGACY_VERSION_TABLE))
    if not first_migration:
        return
    async with database.transaction() as connection:
        for statement in LEGACY_FIRST_MIGRATION:
            await connection.execute(text(statement.format(serial=serial)))
        for statement, values in LEGACY_ROWS:
            await connection.execute(text(statement), values)


@pytest.fixture
async def unmigrated(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    opened = Database.open(database_url, tmp_path)
    yield opened
    await opened.aclose()


def differences(connection: Connection) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    return compare_metadata(MigrationContext.configure(connection), metadata)


async def schema_state(database: Database) -> tuple[list[Any], list[str], list[str]]:
    """(differences from the models, the tables, the recorded revisions)."""
    async with database.transaction() as connection:
        found = await connection.run_sync(differences)
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        revisions = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return found, sorted(tables), [row.version_num for row in revisions]


async def test_the_history_upgraded_to_head_is_what_the_models_say(database: Database) -> None:
    found, tables, revisions = await schema_state(database)
    assert found == []
    assert tables == sorted([*metadata.tables, "alembic_version"])
    assert revisions == [SCHEMA_HEAD] and database.version == SCHEMA_HEAD


async def test_a_first_release_database_upgrades_in_place_with_its_rows(
    unmigrated: Database, database_url: str, tmp_path: Path
) -> None:
    await build_legacy(unmigrated)
    other = Database.open(database_url, tmp_path)
    try:
        # Two workers of the new release start together on it: it is stamped and upgraded once.
        assert await asyncio.gather(unmigrated.migrate(), other.migrate()) == [SCHEMA_HEAD] * 2
    finally:
        await other.aclose()
    found, tables, revisions = await schema_state(unmigrated)
    assert found == [] and "schema_migrations" not in tables and revisions == [SCHEMA_HEAD]

    store = WatchStore(unmigrated)
    facebook = Watch(CHANNEL, WatchKind.APP, 284882215, "us", "Facebook")
    assert await store.watches_in(CHANNEL) == [facebook]
    snapshot = (await store.app_snapshots())[(284882215, "us")]
    assert snapshot.app.name == "Facebook" and snapshot.app.version == "450.0"
    assert snapshot.review_ids == ("r2", "r1") and snapshot.checked_at == 960.0
    # New rows take new ids after the old ones (PostgreSQL's sequence came along).
    notes = Watch(CHANNEL, WatchKind.APP, 1, "us", "Notes")
    assert await store.add(notes, "U2", now=970.0) is Added.ADDED
    assert await store.watches_in(CHANNEL) == [facebook, notes]

    journal = CommandJournal(unmigrated, "new-worker", lease_seconds=30, clock=ManualClock(1100.0))
    assert await journal.pending() == 1
    (recovered,) = await journal.claim_orphans(["slack"])  # the old worker's lease ran out
    assert recovered.id == ENTRY_ID and recovered.text == "Calculator Pro"
    assert recovered.address == {"response_url": "https://hooks.slack.com/commands/T1/1/x"}
    assert recovered.attempts == 2


async def test_a_first_release_database_without_its_first_migration_starts_over(
    unmigrated: Database,
) -> None:
    await build_legacy(unmigrated, first_migration=False)
    assert await unmigrated.migrate() == SCHEMA_HEAD
    found, tables, revisions = await schema_state(unmigrated)
    assert found == [] and "schema_migrations" not in tables and revisions == [SCHEMA_HEAD]


@pytest.mark.parametrize(
    "statements",
    [
        [
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
            "INSERT INTO alembic_version VALUES ('ffff')",
        ],
        [LEGACY_VERSION_TABLE, "INSERT INTO schema_migrations VALUES (2, 'later', 900.0)"],
    ],
    ids=["unknown-revision", "unknown-legacy-version"],
)
async def test_a_database_from_an_unknown_release_is_refused(
    unmigrated: Database, statements: list[str]
) -> None:
    async with unmigrated.transaction() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    with pytest.raises(SchemaHistoryError):
        await unmigrated.migrate()
