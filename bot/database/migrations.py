"""Versioned schema migrations, run at start-up by every worker.

Each migration has a number and runs once, in its own transaction with its version row, so a
worker that dies half-way leaves the schema at the last whole version. On PostgreSQL an advisory
lock lets one worker migrate while the others wait; on SQLite the file's write lock does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.database import schema

MIGRATION_LOCK = 7_346_022  # the advisory lock's number: any constant of this application


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _first_schema(connection: Connection) -> None:
    tables = [
        schema.watches,
        schema.app_snapshots,
        schema.chart_snapshots,
        schema.alerts,
        schema.digests,
        schema.jobs,
        schema.journal,
    ]
    schema.metadata.create_all(connection, tables=tables)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "watches, snapshots, alerts, digests, jobs and the command journal", _first_schema
    ),
)


async def migrate(engine: AsyncEngine) -> int:
    """Apply the migrations not yet applied; the schema version afterwards."""
    async with engine.begin() as connection:
        await _lock(connection)
        await connection.run_sync(schema.metadata.create_all, tables=[schema.schema_migrations])
    for migration in MIGRATIONS:
        async with engine.begin() as connection:
            await _lock(connection)
            applied = await connection.scalar(
                select(schema.schema_migrations.c.version).where(
                    schema.schema_migrations.c.version == migration.version
                )
            )
            if applied is not None:
                continue
            await connection.run_sync(migration.apply)
            await connection.execute(
                insert(schema.schema_migrations).values(
                    version=migration.version,
                    description=migration.description,
                    applied_at=time.time(),
                )
            )
    return MIGRATIONS[-1].version


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
