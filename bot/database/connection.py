"""`Database`: the one SQLAlchemy asyncio engine of a process, on SQLite or PostgreSQL.

`DATABASE_URL` unset: an SQLite file under `DATA_DIR` (the embedded default for one machine).
Set: PostgreSQL (Heroku's `postgres://user:password@host:5432/db` form is accepted as it is), which
several workers share. The code above this module is the same for both.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.database.migrations import migrate

log = logging.getLogger(__name__)

SQLITE_FILE = "trend-scout.sqlite3"
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")  # the database file and SQLite's own
POOL_SIZE = 5  # Heroku's smallest Postgres plans allow 20 connections for every dyno together


class DatabaseUrlError(ValueError):
    """`DATABASE_URL` is not a PostgreSQL URL; the message never contains it."""


class DatabaseProblem(Exception):
    """The database cannot be opened or migrated; the message is the one line shown."""


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
        """The engine for `DATABASE_URL` (not connected yet). For SQLite, its folder and file
        are made first, private to this user; OSError when that is impossible."""
        url = engine_url(database_url, data_dir)
        options: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            _private_sqlite_file(url.database or "")
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


async def open_migrated(database_url: str | None, data_dir: Path) -> Database:
    """The database of `DATABASE_URL` (None: the SQLite file under `data_dir`), migrated to
    head; `DatabaseProblem` with one line when it cannot be used (its SQLite folder or file
    cannot be made, or it cannot be reached or migrated). The line names the exception's type
    (and an OS error's reason and path), never its message, which may carry the URL."""
    source = "DATA_DIR" if database_url is None else "DATABASE_URL"
    try:
        database = Database.open(database_url, data_dir)
    except OSError as exc:  # the SQLite folder or file: not a folder, no permission, …
        where = f"SQLite, at {exc.filename}" if exc.filename else "SQLite"  # a path, no secret
        reason = f" ({exc.strerror})" if exc.strerror else ""
        raise DatabaseProblem(
            f"the database ({where}, from {source}) cannot be used: {type(exc).__name__}{reason}"
        ) from None
    try:
        await database.migrate()
    except Exception as exc:
        await database.aclose()
        raise DatabaseProblem(
            f"the database ({database.description}, from {source}) cannot be used: "
            f"{type(exc).__name__}"
        ) from None
    return database


def _private_sqlite_file(database: str) -> None:
    """Make the SQLite file's folders and the file itself its user's alone, before the engine
    first connects: missing folders are created 0o700, a missing database file 0o600 (an empty
    file is an empty database; SQLite gives its -wal, -shm and -journal files the database
    file's mode). Existing files of this user that others may read are tightened (one warning);
    existing folders are left as they are (DATA_DIR may be a shared folder). OSError when the
    folder cannot be made or the file cannot be created there."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI with options of its own
    path = Path(database)
    _private_folders(path.parent)
    _tighten([path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS])
    with suppress(FileExistsError):  # there already (or just made by another worker)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _private_folders(folder: Path) -> None:
    """Create `folder` and its missing parents, each 0o700 (whatever the umask)."""
    missing = [folder, *folder.parents]
    missing = [step for step in missing if not step.exists()]
    for step in reversed(missing):
        try:
            step.mkdir(mode=0o700)
        except FileExistsError:  # made at this moment by another worker: theirs to set
            continue
        step.chmod(0o700)
    if not folder.is_dir():  # a file where the folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))


def _tighten(paths: list[Path]) -> None:
    """Remove group and world access from those of `paths` this user owns; one warning."""
    tightened: list[str] = []
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077 and info.st_uid == os.getuid() and stat.S_ISREG(info.st_mode):
            path.chmod(mode & 0o700)
            tightened.append(f"{path.name} ({mode:o} → {mode & 0o700:o})")
    if tightened:
        log.warning(
            "database files in %s were open to other users; now their owner's only: %s",
            paths[0].parent,
            ", ".join(tightened),
        )


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
