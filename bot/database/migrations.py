"""The schema's history (Alembic revisions in `bot/database/revisions/`), upgraded at start-up by
every worker.

All of it happens in one transaction under a lock: an advisory lock on PostgreSQL, the file's
write lock on SQLite. So workers starting together take turns (the later ones find the schema at
head), and a worker that dies half-way leaves the schema as it was. A database made by the first
release (its own `schema_migrations` table, version 1) is stamped as revision 0001 first, then
upgraded like any other.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATION_LOCK = 7_346_022  # the advisory lock's number: any constant of this application
REVISIONS = Path(__file__).with_name("revisions")

LEGACY_TABLE = "schema_migrations"  # the first release's version table (dropped by 0002)
LEGACY_REVISIONS = {1: "0001"}  # its versions, as the revision with the same schema


class SchemaHistoryError(RuntimeError):
    """The database's recorded schema is not one this release knows how to upgrade."""


@cache
def history() -> ScriptDirectory:
    """The revisions shipped in the package (read once)."""
    return ScriptDirectory(REVISIONS, version_locations=[REVISIONS])


def _head() -> str:
    head = history().get_current_head()  # raises if the history has branched
    if head is None:
        raise SchemaHistoryError("the schema history has no revisions")
    return head


SCHEMA_HEAD: str = _head()


async def migrate(engine: AsyncEngine) -> str:
    """Upgrade the schema to head (stamping a first-release database first); the revision."""
    async with engine.begin() as connection:
        await _lock(connection)
        return await connection.run_sync(upgrade)


def upgrade(connection: Connection) -> str:
    """Upgrade to head on a connection already in its transaction (and holding the lock)."""
    context = MigrationContext.configure(connection)
    if not context.get_current_heads():
        _adopt_legacy(connection, context)
    current = context.get_current_revision()
    try:
        pending = list(history().iterate_revisions(SCHEMA_HEAD, current))
    except RevisionError as exc:  # a newer release's revision, say
        raise SchemaHistoryError(f"the database is at revision {current}, unknown here") from exc
    # Alembic's `op` (what the revisions call) is one process-wide proxy: installed here, for this
    # connection only; the lock above keeps a second upgrade from interleaving.
    with Operations.context(context):
        for script in reversed(pending):
            script.module.upgrade()
            context.stamp(history(), script.revision)
    return SCHEMA_HEAD


def _adopt_legacy(connection: Connection, context: MigrationContext) -> None:
    """A database without Alembic's version table: stamp the revision equal to the first
    release's recorded version, if that release made it."""
    if not inspect(connection).has_table(LEGACY_TABLE):
        return  # an empty database
    versions = set(connection.execute(text(f"SELECT version FROM {LEGACY_TABLE}")).scalars())
    if not versions:
        # That release created its version table, then died before its first migration (its own
        # transaction): the table is all there is. Start from the beginning.
        connection.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
        return
    latest = max(versions)
    if latest not in LEGACY_REVISIONS:
        raise SchemaHistoryError(f"the database is at legacy version {latest}, unknown here")
    context.stamp(history(), LEGACY_REVISIONS[latest])


async def _lock(connection: AsyncConnection) -> None:
    """Hold the migration lock until the transaction ends: an advisory lock on PostgreSQL; on
    SQLite the database's write lock, taken before anything is read (`BEGIN IMMEDIATE` as the
    transaction's first statement), so a second process waits and then reads the result."""
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
        )
    else:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
