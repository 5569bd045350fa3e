"""What the bot writes in DATA_DIR is its user's alone: the folder it creates is 0o700, the
SQLite database and SQLite's -wal/-shm files beside it 0o600, and a database file others could
read (an older release's, or copied in) is tightened at start with one warning."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.database import Database, watches
from bot.database.connection import SQLITE_FILE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def write_something(database: Database, target: int = 1) -> None:
    async with database.transaction() as connection:
        await connection.execute(
            insert(watches).values(
                platform="console",
                workspace="",
                channel="console",
                kind="app",
                target=str(target),
                country="us",
                name="App",
                created_by="U1",
                created_at=1000.0,
            )
        )


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """No umask at all: new files would be as open as their creator asks (SQLite asks 0o644)."""
    before = os.umask(0)
    yield
    os.umask(before)


@pytest.fixture
def shared_folder(tmp_path: Path) -> Path:
    """An existing DATA_DIR others may list (the operator's choice)."""
    tmp_path.chmod(0o755)
    return tmp_path


@pytest.mark.usefixtures("loose_umask")
async def test_a_new_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"  # two folders the bot creates
    database = Database.open(None, data)
    try:
        await database.migrate()
        await write_something(database)
        files = sorted(path.name for path in data.iterdir())
        assert files == [SQLITE_FILE, f"{SQLITE_FILE}-shm", f"{SQLITE_FILE}-wal"]  # while open
        assert {name: mode(data / name) for name in files} == dict.fromkeys(files, 0o600)
    finally:
        await database.aclose()
    assert mode(data) == 0o700
    assert mode(data.parent) == 0o700
    assert all(mode(path) == 0o600 for path in data.iterdir())


@pytest.mark.usefixtures("loose_umask")
async def test_an_existing_folder_keeps_its_mode(shared_folder: Path) -> None:
    database = Database.open(None, shared_folder)
    try:
        await database.migrate()
        await write_something(database)
    finally:
        await database.aclose()
    assert mode(shared_folder) == 0o755
    assert mode(shared_folder / SQLITE_FILE) == 0o600


@pytest.mark.usefixtures("loose_umask")
async def test_world_readable_database_files_are_tightened_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    first = Database.open(None, data)
    await first.migrate()
    await write_something(first)
    await first.aclose()
    (data / SQLITE_FILE).chmod(0o644)  # as an older release left it
    (data / f"{SQLITE_FILE}-wal").write_bytes(b"")  # a stray companion, group-writable
    (data / f"{SQLITE_FILE}-wal").chmod(0o664)

    with caplog.at_level(logging.WARNING, logger="bot.database.connection"):
        second = Database.open(None, data)
    try:
        await second.migrate()
        await write_something(second, target=2)
        assert all(mode(path) == 0o600 for path in data.iterdir())
    finally:
        await second.aclose()
    tightened = [r.getMessage() for r in caplog.records if "open to other users" in r.getMessage()]
    assert len(tightened) == 1
    assert f"{SQLITE_FILE} (644 → 600)" in tightened[0]
    assert f"{SQLITE_FILE}-wal (664 → 600)" in tightened[0]

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.database.connection"):
        third = Database.open(None, data)  # nothing left to tighten: no warning
    await third.aclose()
    assert not caplog.records
    assert mode(data / SQLITE_FILE) == 0o600


def test_a_file_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for data_dir in (taken, taken / "data"):
        with pytest.raises(NotADirectoryError):
            Database.open(None, data_dir)
    assert taken.read_text() == "not a folder"
