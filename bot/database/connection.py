"""`Database`: the one SQLAlchemy asyncio engine of a process, on SQLite or PostgreSQL.

`DATABASE_URL` unset: an SQLite file under `DATA_DIR` (the embedded default for one machine).
Set: PostgreSQL (Heroku's `postgres://user:password@host:5432/db` form is accepted as it is), which
several workers share. The code above this module is the same for both.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.database.migrations import migrate

log = logging.getLogger(__name__)

SQLITE_FILE = "trend-scout.sqlite3"
POOL_SIZE = 5  # Heroku's smallest Postgres plans allow 20 connections for every dyno together


class DatabaseUrlError(ValueError):
    """`DATABASE_URL` is not a PostgreSQL URL; the message never contains it."""


def engine_url(database_url: str | None, data_dir: Path) -> URL:
    """The SQLAlchemy URL for `DATABASE_URL` (None: the SQLite file under `data_dir`)."""
    if database_url is None:
        return URL.create("sqlite+aiosqlite", database=str(data_dir / SQLITE_FILE))
    try:
        url = make_url(database_url.strip())
    except ArgumentError:
        raise DatabaseUrlError("not a database URL") from None
    scheme = url.drivername.split("+", 1)[0]
    if scheme == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if scheme not in ("postgres", "postgresql") or not url.host:
        raise DatabaseUrlError("not a PostgreSQL URL")
    query = dict(url.query)
    if "sslmode" in query:  # libpq's name (Heroku, most hosts); asyncpg calls it ssl
        query["ssl"] = query.pop("sslmode")
    return url.set(drivername="postgresql+asyncpg", query=query)


def describe(url: URL) -> str:
    """For the start-up line: where the data is, never a password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL at {url.host}:{url.port or 5432}/{url.database or ''}"


class Database:
    def __init__(self, engine: AsyncEngine, description: str) -> None:
        self.engine = engine
        self.description = description
        self.version: str | None = None  # the schema's revision, once migrated

    @classmethod
    def open(cls, database_url: str | None, data_dir: Path) -> Database:
        url = engine_url(database_url, data_dir)
        options: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            Path(url.database or SQLITE_FILE).parent.mkdir(parents=True, exist_ok=True)
        else:
            options = {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE, "pool_pre_ping": True}
        # hide_parameters: an error's message never carries the values (reply addresses,
        # interaction tokens) into a log line.
        engine = create_async_engine(url, hide_parameters=True, **options)
        if url.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return cls(engine, describe(url))

    async def migrate(self) -> str:
        """Upgrade the schema to head (run at start-up); the revision it is now at."""
        self.version = await migrate(self.engine)
        return self.version

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        async with self.engine.begin() as connection:
            yield connection

    async def aclose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers go on while a check writes; busy_timeout makes a second process (or a
    # second connection) wait for a lock instead of failing at once.
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file: once is enough
    except Exception as exc:  # "locked": another connection is switching it right now
        log.debug("journal_mode left to the other connection (%s)", type(exc).__name__)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
