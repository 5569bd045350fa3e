"""The database: SQLite in a file by default, PostgreSQL with `DATABASE_URL` — one code path
(SQLAlchemy's asyncio API), versioned migrations at start-up, shared job leases and the journal of
accepted commands."""

from bot.database.connection import Database, DatabaseUrlError, describe, engine_url
from bot.database.journal import CommandJournal, JournalEntry
from bot.database.leases import JobLeases
from bot.database.migrations import MIGRATIONS, migrate

__all__ = [
    "MIGRATIONS",
    "CommandJournal",
    "Database",
    "DatabaseUrlError",
    "JobLeases",
    "JournalEntry",
    "describe",
    "engine_url",
    "migrate",
]
