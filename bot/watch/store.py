"""`WatchStore`: watches, snapshots, alerts and digest marks in the database.

A check's snapshots and the alerts they produced are written in one transaction; each alert is
then posted and marked. So a worker killed before that transaction leaves nothing (the next
check sees the same changes), and one killed after it leaves pending alerts that the next
worker posts — never lost, and never computed twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from enum import Enum
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.cache import app_from_dict, app_to_dict
from bot.database import Database, alerts, app_snapshots, chart_snapshots, digests, watches
from bot.watch.alerts import AppSnapshot, ChartSnapshot
from bot.watch.history import CheckPoint, save_points
from bot.watch.model import (
    MAX_WATCHES_PER_CHANNEL,
    MAX_WATCHES_PER_WORKSPACE,
    Alert,
    AlertKind,
    Watch,
    WatchChannel,
    WatchKind,
)


class Added(Enum):
    ADDED = "added"
    ALREADY = "already"
    CHANNEL_FULL = "channel_full"
    WORKSPACE_FULL = "workspace_full"


PendingAlerts = dict[WatchChannel, list[tuple[int, Alert]]]

WATCH_CAP_LOCK = 7_346_023  # the watch caps' advisory lock space (the migrations' key + 1)


class WatchStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # -- watches -------------------------------------------------------------------------
    async def add(self, watch: Watch, created_by: str, now: float) -> Added:
        """Add `watch` unless it is there already or a cap is reached. The caps' counts and
        the insert are one step: under `_cap_lock`, so concurrent adds (in this process or in
        other workers) take turns and never overshoot."""
        channel = watch.channel
        try:
            async with self.database.transaction() as connection:
                await _cap_lock(connection, channel)
                full = await _full(connection, watch)
                if full is not None:
                    return full
                await connection.execute(
                    insert(watches).values(
                        platform=channel.platform,
                        workspace=channel.workspace,
                        channel=channel.channel,
                        kind=watch.kind.value,
                        target=str(watch.target),
                        country=watch.country,
                        name=watch.name,
                        created_by=created_by,
                        created_at=now,
                    )
                )
        except IntegrityError:  # the same watch after all (the lock makes this a safety net)
            return Added.ALREADY
        return Added.ADDED

    async def remove(self, watch: Watch) -> bool:
        async with self.database.transaction() as connection:
            removed = await connection.execute(delete(watches).where(_same_watch(watch)))
        return bool(removed.rowcount)

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        """Everything trend watch keeps for one workspace (an app uninstalled there): its
        watches, its alerts and its digest marks; how many watches went. Snapshots and history
        are the App Store's public facts, shared by every workspace: they stay."""
        async with self.database.transaction() as connection:
            removed = await connection.execute(
                delete(watches).where(
                    and_(watches.c.platform == platform, watches.c.workspace == workspace)
                )
            )
            for table in (alerts, digests):
                await connection.execute(
                    delete(table).where(
                        and_(table.c.platform == platform, table.c.workspace == workspace)
                    )
                )
        return int(removed.rowcount or 0)

    async def watches_in(self, channel: WatchChannel) -> list[Watch]:
        async with self.database.transaction() as connection:
            rows = await connection.execute(
                select(watches).where(_in_channel(channel)).order_by(watches.c.id)
            )
            return [_watch(row) for row in rows]

    async def all_watches(self, platforms: Iterable[str] | None = None) -> list[Watch]:
        query = select(watches).order_by(watches.c.id)
        if platforms is not None:
            query = query.where(watches.c.platform.in_(list(platforms)))
        async with self.database.transaction() as connection:
            return [_watch(row) for row in await connection.execute(query)]

    async def first_watched(self, channel: WatchChannel) -> float | None:
        async with self.database.transaction() as connection:
            first = await connection.scalar(
                select(func.min(watches.c.created_at)).where(_in_channel(channel))
            )
        return float(first) if first is not None else None

    # -- snapshots -----------------------------------------------------------------------
    async def app_snapshots(self) -> dict[tuple[int, str], AppSnapshot]:
        async with self.database.transaction() as connection:
            rows = await connection.execute(select(app_snapshots))
            return {(row.track_id, row.country): _app_snapshot(row) for row in rows}

    async def chart_snapshots(self) -> dict[tuple[int, str, str], ChartSnapshot]:
        async with self.database.transaction() as connection:
            rows = await connection.execute(select(chart_snapshots))
            return {(row.genre_id, row.country, row.chart): _chart_snapshot(row) for row in rows}

    async def save_baseline(self, country: str, snapshot: AppSnapshot) -> None:
        """An app's first snapshot (when it is first watched); an existing one is kept."""
        await self._insert_new(
            app_snapshots, **_app_key(snapshot, country), **_app_values(snapshot)
        )

    async def save_chart_baseline(self, chart: ChartSnapshot) -> None:
        """A chart's first snapshot; one a check already keeps is left as it is."""
        await self._insert_new(chart_snapshots, **_chart_key(chart), **_chart_values(chart))

    async def save_check(
        self,
        apps: dict[tuple[int, str], AppSnapshot],
        charts: Iterable[ChartSnapshot],
        found: list[tuple[WatchChannel, Alert]],
        now: float,
        points: Sequence[CheckPoint] = (),
    ) -> None:
        """One transaction: the new snapshots, the apps' history points and the alerts they
        produced (pending)."""
        async with self.database.transaction() as connection:
            await save_points(connection, points, now)
            for (_track_id, country), snapshot in apps.items():
                await _put_app(connection, country, snapshot)
            for chart in charts:
                await _put_chart(connection, chart)
            if found:
                await connection.execute(
                    insert(alerts),
                    [
                        {
                            "platform": channel.platform,
                            "workspace": channel.workspace,
                            "channel": channel.channel,
                            "kind": alert.kind.value,
                            "body": _alert_json(alert),
                            "created_at": now,
                            "posted_at": None,
                        }
                        for channel, alert in found
                    ],
                )

    # -- alerts and digests --------------------------------------------------------------
    async def pending_alerts(self, platforms: Iterable[str]) -> PendingAlerts:
        pending: PendingAlerts = {}
        async with self.database.transaction() as connection:
            rows = await connection.execute(
                select(alerts)
                .where(alerts.c.posted_at.is_(None), alerts.c.platform.in_(list(platforms)))
                .order_by(alerts.c.id)
            )
            for row in rows:
                channel = WatchChannel(row.platform, row.workspace, row.channel)
                pending.setdefault(channel, []).append((row.id, _alert(row.body)))
        return pending

    async def mark_posted(self, ids: list[int], now: float) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(
                update(alerts)
                .where(alerts.c.id.in_(ids), alerts.c.posted_at.is_(None))
                .values(posted_at=now)
            )

    async def alerts_since(self, channel: WatchChannel, since: float) -> list[Alert]:
        async with self.database.transaction() as connection:
            rows = await connection.execute(
                select(alerts.c.body)
                .where(_alert_channel(channel), alerts.c.created_at >= since)
                .order_by(alerts.c.id)
            )
            return [_alert(row.body) for row in rows]

    async def digest_posted(self, channel: WatchChannel, slot: str) -> bool:
        async with self.database.transaction() as connection:
            found = await connection.scalar(
                select(digests.c.slot).where(
                    digests.c.platform == channel.platform,
                    digests.c.workspace == channel.workspace,
                    digests.c.channel == channel.channel,
                    digests.c.slot == slot,
                )
            )
        return found is not None

    async def mark_digest(self, channel: WatchChannel, slot: str, now: float) -> None:
        await self._insert_new(
            digests,
            platform=channel.platform,
            workspace=channel.workspace,
            channel=channel.channel,
            slot=slot,
            posted_at=now,
        )

    async def _insert_new(self, table: Table, **values: Any) -> bool:
        """Insert a row unless its key is taken (then nothing changes); whether it was new."""
        try:
            async with self.database.transaction() as connection:
                await connection.execute(insert(table).values(**values))
        except IntegrityError:
            return False
        return True


async def _cap_lock(connection: AsyncConnection, channel: WatchChannel) -> None:
    """Serialise adds that count against the same caps, until the transaction ends: those to
    one workspace (or, without one, to one channel).

    PostgreSQL: a transaction-scoped advisory lock on (`WATCH_CAP_LOCK`, a hash of the
    workspace) — a hash collision only makes two workspaces take turns; the two-key form
    never meets the migrations' one-key lock. Every statement after it (READ COMMITTED)
    sees the watches the previous holder committed. SQLite: `BEGIN IMMEDIATE` as the
    transaction's first statement takes the file's write lock before anything is counted.
    """
    if connection.dialect.name == "postgresql":
        scope = f"{channel.platform}\x1f{channel.workspace}"
        if not channel.workspace:
            scope += f"\x1f{channel.channel}"
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:scope))"),
            {"space": WATCH_CAP_LOCK, "scope": scope},
        )
    else:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


async def _full(connection: AsyncConnection, watch: Watch) -> Added | None:
    """Why `watch` cannot be added now (it is there, or a cap is reached), or None."""
    channel = watch.channel
    if await connection.scalar(select(watches.c.id).where(_same_watch(watch))):
        return Added.ALREADY
    in_channel = await connection.scalar(
        select(func.count()).select_from(watches).where(_in_channel(channel))
    )
    if in_channel >= MAX_WATCHES_PER_CHANNEL:
        return Added.CHANNEL_FULL
    if channel.workspace:
        in_workspace = await connection.scalar(
            select(func.count())
            .select_from(watches)
            .where(
                watches.c.platform == channel.platform,
                watches.c.workspace == channel.workspace,
            )
        )
        if in_workspace >= MAX_WATCHES_PER_WORKSPACE:
            return Added.WORKSPACE_FULL
    return None


def _same_watch(watch: Watch) -> Any:
    return and_(
        _in_channel(watch.channel),
        watches.c.kind == watch.kind.value,
        watches.c.target == str(watch.target),
        watches.c.country == watch.country,
    )


def _in_channel(channel: WatchChannel) -> Any:
    return and_(
        watches.c.platform == channel.platform,
        watches.c.workspace == channel.workspace,
        watches.c.channel == channel.channel,
    )


def _alert_channel(channel: WatchChannel) -> Any:
    return and_(
        alerts.c.platform == channel.platform,
        alerts.c.workspace == channel.workspace,
        alerts.c.channel == channel.channel,
    )


def _watch(row: Any) -> Watch:
    return Watch(
        WatchChannel(row.platform, row.workspace, row.channel),
        WatchKind(row.kind),
        int(row.target),
        row.country,
        row.name,
    )


async def _put_app(connection: AsyncConnection, country: str, snapshot: AppSnapshot) -> None:
    await _upsert(connection, app_snapshots, _app_key(snapshot, country), _app_values(snapshot))


def _app_key(snapshot: AppSnapshot, country: str) -> dict[str, Any]:
    return {"track_id": snapshot.app.track_id, "country": country}


def _app_values(snapshot: AppSnapshot) -> dict[str, Any]:
    return {
        "app": json.dumps(app_to_dict(snapshot.app)),
        "review_ids": (
            json.dumps(list(snapshot.review_ids)) if snapshot.review_ids is not None else None
        ),
        "low_star_per_day": snapshot.low_star_per_day,
        "checked_at": snapshot.checked_at,
        "reviews_checked_at": snapshot.reviews_checked_at,
    }


async def _put_chart(connection: AsyncConnection, chart: ChartSnapshot) -> None:
    await _upsert(connection, chart_snapshots, _chart_key(chart), _chart_values(chart))


async def _upsert(
    connection: AsyncConnection, table: Table, key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Update the row with `key`, or insert it (the same in SQLite and PostgreSQL; only the
    check's lease holder writes snapshots, so the two steps do not race)."""
    where = [table.c[name] == value for name, value in key.items()]
    updated = await connection.execute(update(table).where(*where).values(**values))
    if updated.rowcount == 0:
        await connection.execute(insert(table).values(**key, **values))


def _chart_key(chart: ChartSnapshot) -> dict[str, Any]:
    return {"genre_id": chart.genre_id, "country": chart.country, "chart": chart.chart}


def _chart_values(chart: ChartSnapshot) -> dict[str, Any]:
    return {"ranks": _ranks_json(chart), "checked_at": chart.checked_at}


def _ranks_json(chart: ChartSnapshot) -> str:
    return json.dumps([list(rank) for rank in chart.ranks])


def _app_snapshot(row: Any) -> AppSnapshot:
    return AppSnapshot(
        app=app_from_dict(json.loads(row.app)),
        checked_at=row.checked_at,
        review_ids=tuple(json.loads(row.review_ids)) if row.review_ids is not None else None,
        low_star_per_day=row.low_star_per_day,
        reviews_checked_at=row.reviews_checked_at,
    )


def _chart_snapshot(row: Any) -> ChartSnapshot:
    ranks = tuple((int(track_id), str(name)) for track_id, name in json.loads(row.ranks))
    return ChartSnapshot(row.genre_id, row.country, row.chart, ranks, row.checked_at)


def _alert_json(alert: Alert) -> str:
    data = asdict(alert)
    data["kind"] = alert.kind.value
    return json.dumps(data)


def _alert(raw: str) -> Alert:
    data = json.loads(raw)
    data["kind"] = AlertKind(data["kind"])
    return Alert(**data)
