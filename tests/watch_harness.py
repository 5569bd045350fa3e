"""Trend watch wired for tests: a real database (SQLite and PostgreSQL, via `database`), the
real iTunes client on the fake App Store, schedulers with a manual clock, and channels that keep
what was posted in them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pytest

from bot.ai import RouterClient
from bot.appstore import ITunesCatalog
from bot.database import Database, JobLeases
from bot.report.report import Report
from bot.runtime import AiohttpTransport
from bot.watch import (
    ChannelUnreachable,
    DigestWriter,
    WatchChannel,
    Watchlist,
    WatchScheduler,
    WatchSettings,
    WatchStore,
)
from tests.conftest import FAST_APPSTORE
from tests.fake_appstore import FakeAppStore
from tests.helpers import ManualClock

# Wednesday 2 December 2026, 08:00 UTC: days away from the default digest (Monday 09:00).
START = datetime(2026, 12, 2, 8, 0, tzinfo=UTC).timestamp()
HOUR = 3600.0


class Clock(ManualClock):
    """The manual clock, starting at START, with the day it is for the clone score."""

    def __init__(self) -> None:
        super().__init__(START)

    def today(self) -> date:
        return datetime.fromtimestamp(self.now, UTC).date()


@dataclass
class Channels:
    """A platform's channels as a poster sees them: what was posted where."""

    posted: dict[WatchChannel, list[Report]] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)
    failing: bool = False  # the platform is down: every post raises

    async def post(self, channel: WatchChannel, report: Report) -> None:
        if self.failing:
            raise ConnectionError("platform down")
        if channel.channel in self.unreachable:
            raise ChannelUnreachable("not in the channel")
        self.posted.setdefault(channel, []).append(report)

    async def problem(self, channel: WatchChannel) -> str | None:
        return "not in this channel" if channel.channel in self.unreachable else None

    def texts(self, channel: WatchChannel) -> list[str]:
        return [report.text for report in self.posted.get(channel, [])]


@dataclass
class WatchWorld:
    database: Database
    store: WatchStore
    catalog: ITunesCatalog
    clock: Clock
    channels: Channels
    router: RouterClient | None
    settings: WatchSettings = field(default_factory=WatchSettings)

    def worker(self, name: str = "worker-1") -> WatchScheduler:
        scheduler = WatchScheduler(
            self.store,
            JobLeases(self.database, name, self.clock),
            self.catalog,
            DigestWriter(self.catalog, self.router, self.clock.today),
            self.settings,
            calls_per_minute=100_000,
            clock=self.clock,
        )
        scheduler.register("slack", self.channels)
        return scheduler

    def watchlist(self) -> Watchlist:
        return Watchlist(
            self.store,
            self.catalog,
            self.catalog,
            self.settings,
            {"slack": self.channels},
            "us",
            self.clock,
        )


@pytest.fixture
async def watch_world(
    database: Database, appstore: FakeAppStore, transport: AiohttpTransport
) -> AsyncIterator[WatchWorld]:
    settings = replace(FAST_APPSTORE, base_url=appstore.base_url, calls_per_minute=100_000)
    catalog = ITunesCatalog(settings, transport)
    yield WatchWorld(database, WatchStore(database), catalog, Clock(), Channels(), None)
