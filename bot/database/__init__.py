"""The database: SQLite in a file by default, PostgreSQL with `DATABASE_URL` — one code path
(SQLAlchemy's asyncio API), its schema history (Alembic revisions) upgraded at start-up, shared job
leases, the journal of accepted commands, the claims on incoming events, and the answers and
votes that feedback is kept in (their store is `bot.feedback`)."""

from bot.database.background import BackgroundWrites
from bot.database.claims import DatabaseEventClaims
from bot.database.connection import (
    Database,
    DatabaseProblem,
    DatabaseUrlError,
    describe,
    engine_url,
    open_migrated,
)
from bot.database.journal import CommandJournal, JournalEntry
from bot.database.leases import JobLeases
from bot.database.migrations import SCHEMA_HEAD, SchemaHistoryError, migrate
from bot.database.schema import (
    alerts,
    answers,
    app_history,
    app_snapshots,
    chart_snapshots,
    digests,
    event_claims,
    feedback_votes,
    scout_history,
    slack_installations,
    slack_oauth_states,
    watches,
)

__all__ = [
    "SCHEMA_HEAD",
    "BackgroundWrites",
    "CommandJournal",
    "Database",
    "DatabaseEventClaims",
    "DatabaseProblem",
    "DatabaseUrlError",
    "JobLeases",
    "JournalEntry",
    "SchemaHistoryError",
    "alerts",
    "answers",
    "app_history",
    "app_snapshots",
    "chart_snapshots",
    "describe",
    "digests",
    "engine_url",
    "event_claims",
    "feedback_votes",
    "migrate",
    "open_migrated",
    "scout_history",
    "slack_installations",
    "slack_oauth_states",
    "watches",
]
