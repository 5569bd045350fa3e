"""The watch caps (20 per channel, 100 per workspace) hold when `watch` commands arrive at once,
on a real SQLite file and a real PostgreSQL server: through one `WatchStore`, and through several
stores on their own engines (several workers sharing the database)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.database import Database, watches
from bot.watch import (
    MAX_WATCHES_PER_CHANNEL,
    MAX_WATCHES_PER_WORKSPACE,
    Added,
    Watch,
    WatchChannel,
    WatchKind,
    WatchStore,
)

WORKERS = 3


def app_watch(channel: WatchChannel, track_id: int) -> Watch:
    return Watch(channel, WatchKind.APP, track_id, "us", f"App {track_id}")


async def add_all(stores: list[WatchStore], wanted: list[Watch]) -> Counter[Added]:
    """Every watch added at the same moment, spread over `stores` in turn."""
    results = await asyncio.gather(
        *(stores[n % len(stores)].add(watch, "U1", 1000.0) for n, watch in enumerate(wanted))
    )
    return Counter(results)


async def stored(database: Database, workspace: str, channel: str | None = None) -> int:
    query = select(func.count()).select_from(watches).where(watches.c.workspace == workspace)
    if channel is not None:
        query = query.where(watches.c.channel == channel)
    async with database.transaction() as connection:
        return int(await connection.scalar(query) or 0)


@pytest.fixture
async def workers(
    database_url: str, tmp_path: Path, database: Database
) -> AsyncIterator[list[WatchStore]]:
    """`WORKERS` stores: the migrated `database`'s, and others on engines of their own."""
    others = [Database.open(database_url, tmp_path) for _ in range(WORKERS - 1)]
    yield [WatchStore(database), *(WatchStore(other) for other in others)]
    for other in others:
        await other.aclose()


async def test_concurrent_adds_to_one_channel_stop_at_its_cap(database: Database) -> None:
    channel = WatchChannel("slack", "T1", "C1")
    wanted = [app_watch(channel, n) for n in range(2 * MAX_WATCHES_PER_CHANNEL)]
    results = await add_all([WatchStore(database)], wanted)
    assert results == {
        Added.ADDED: MAX_WATCHES_PER_CHANNEL,
        Added.CHANNEL_FULL: MAX_WATCHES_PER_CHANNEL,
    }
    assert await stored(database, "T1", "C1") == MAX_WATCHES_PER_CHANNEL


async def test_concurrent_adds_over_a_workspace_stop_at_its_cap(database: Database) -> None:
    channels = [WatchChannel("slack", "T1", f"C{n}") for n in range(10)]
    wanted = [app_watch(channels[n % 10], n) for n in range(150)]  # 15 a channel: under 20
    results = await add_all([WatchStore(database)], wanted)
    assert results == {Added.ADDED: MAX_WATCHES_PER_WORKSPACE, Added.WORKSPACE_FULL: 50}
    assert await stored(database, "T1") == MAX_WATCHES_PER_WORKSPACE


async def test_several_workers_keep_both_caps(
    database: Database, workers: list[WatchStore]
) -> None:
    one = WatchChannel("discord", "G1", "1")
    crowded = [app_watch(one, n) for n in range(2 * MAX_WATCHES_PER_CHANNEL)]
    spread = [app_watch(WatchChannel("discord", "G2", str(n % 10)), n) for n in range(150)]
    duplicates = [app_watch(WatchChannel("discord", "G3", "1"), 7)] * 12
    channel, workspace, same = await asyncio.gather(
        add_all(workers, crowded), add_all(workers, spread), add_all(workers, duplicates)
    )
    assert channel == {
        Added.ADDED: MAX_WATCHES_PER_CHANNEL,
        Added.CHANNEL_FULL: MAX_WATCHES_PER_CHANNEL,
    }
    assert workspace == {Added.ADDED: MAX_WATCHES_PER_WORKSPACE, Added.WORKSPACE_FULL: 50}
    assert same == {Added.ADDED: 1, Added.ALREADY: 11}
    assert await stored(database, "G1") == MAX_WATCHES_PER_CHANNEL
    assert await stored(database, "G2") == MAX_WATCHES_PER_WORKSPACE


async def test_channels_without_a_workspace_are_capped_each_on_their_own(
    database: Database, workers: list[WatchStore]
) -> None:
    dms = [WatchChannel("discord", "", f"dm{n}") for n in range(3)]
    wanted = [app_watch(dms[n % 3], n) for n in range(3 * 30)]  # 30 each: 10 over the cap
    results = await add_all(workers, wanted)
    assert results == {Added.ADDED: 3 * MAX_WATCHES_PER_CHANNEL, Added.CHANNEL_FULL: 30}
    for dm in dms:
        assert await stored(database, "", dm.channel) == MAX_WATCHES_PER_CHANNEL


async def test_forgetting_a_workspace_removes_its_watches_alone(database: Database) -> None:
    store = WatchStore(database)
    mine = WatchChannel("slack", "T1", "C1")
    theirs = WatchChannel("slack", "T2", "C1")
    for channel in (mine, theirs):
        watch = Watch(channel, WatchKind.APP, 1, "us", "App")
        assert await store.add(watch, "U1", 0) is Added.ADDED
    assert await store.forget_workspace("slack", "T1") == 1
    assert await store.watches_in(mine) == []
    assert [w.channel for w in await store.watches_in(theirs)] == [theirs]
