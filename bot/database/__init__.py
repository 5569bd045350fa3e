"""The database: SQLite in a file by default, PostgreSQL with `DATABASE_URL` — one code path
(SQLAlchemy's asyncio API), its schema history (Alembic revisions) upgraded at start-up, shared job
leases, the journal of accepted commands and the claims on incoming events."""

from bot.database.claims import DatabaseEventClaims
from bot.database.connection import Database, DatabaseUrlError, describe, engine_url
from bot.database.journal import CommandJournal, JournalEntry
from bot.database.leases import JobLeases
from bot.database.migrations import SCHEMA_HEAD, SchemaHistoryError, migrate
from bot.database.schema import (
    alerts,
    app_snapshots,
    chart_snapshots,
    digests,
    event_claims,
    watches,
)

__all__ = [
    "SCHEMA_HEAD",
    "CommandJournal",
    "Database",
    "DatabaseEventClaims",
    "DatabaseUrlError",
    "JobLeases",
    "JournalEntry",
    "SchemaHistoryError",
    "alerts",
    "app_snapshots",
    "chart_snapshots",
    "describe",
    "digests",
    "engine_url",
    "event_claims",
    "migrate",
    "watches",
]
