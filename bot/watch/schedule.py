"""`WatchScheduler`: the checks and the weekly digests, run by exactly one worker each.

Every worker ticks (every POLL_SECONDS): it tries to claim the check when it is due
(`WATCH_CHECK_SECONDS`, 6 hours by default), posts its platforms' pending alerts, and tries to
claim the current digest slot (`DIGEST_WEEKDAY` at `DIGEST_HOUR` in `DIGEST_TZ`, Monday 09:00
UTC by default) for its platforms. Claims are job leases in the database, so several workers
run each check and digest once; a worker killed half-way lets its lease run out and another
finishes the work (alerts and digests already posted are marked, so they are not repeated).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from bot.database import JobLeases
from bot.watch.check import WatchCheck, WatchSource, calls_per_check
from bot.watch.digest import WEEK, DigestWriter, digest_slot
from bot.watch.history import AppHistories, with_history
from bot.watch.model import Alert, Watch, WatchChannel, WatchKind
from bot.watch.posting import ChannelPoster, ChannelUnreachable, first_app, post_pending
from bot.watch.store import WatchStore

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
POLL_SECONDS = 30.0
CHECK_JOB = "watch-check"
CHECK_LEASE_SECONDS = 300.0  # renewed while the check runs
DIGEST_LEASE_SECONDS = 600.0
DIGEST_LATE_SECONDS = 86_400.0  # a digest more than a day late is skipped, not sent


@dataclass(frozen=True)
class WatchSettings:
    check_seconds: int = 6 * 3600
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    digest_tz: str = "UTC"

    @property
    def zone(self) -> tzinfo:
        return UTC if self.digest_tz.upper() == "UTC" else ZoneInfo(self.digest_tz)

    @property
    def digest_phrase(self) -> str:
        day = WEEKDAYS[self.digest_weekday].title()
        return f"{day}s at {self.digest_hour:02d}:00 {self.digest_tz}"


class WatchScheduler:
    def __init__(
        self,
        store: WatchStore,
        leases: JobLeases,
        source: WatchSource,
        digests: DigestWriter,
        settings: WatchSettings,
        calls_per_minute: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.leases = leases
        self.source = source
        self.digests = digests
        self.settings = settings
        self.calls_per_minute = calls_per_minute
        self.posters: dict[str, ChannelPoster] = {}  # the platforms this worker posts on
        self.histories = AppHistories(store.database, clock)
        self._clock = clock
        self.checks_run = 0

    def register(self, platform: str, poster: ChannelPoster) -> None:
        self.posters[platform] = poster

    async def tick(self) -> None:
        """One round: the check if due and free, pending alerts, the digest if due and free."""
        await self.run_check()
        if self.posters:
            await post_pending(self.store, self.posters, self._clock(), self.histories)
            for platform in sorted(self.posters):
                await self.run_digest(platform)

    async def run_check(self) -> bool:
        if not await self.leases.claim(CHECK_JOB, CHECK_LEASE_SECONDS):
            return False
        check = WatchCheck(
            self.store,
            self.source,
            self.calls_per_minute,
            calls_per_check(self.settings.check_seconds, self.calls_per_minute),
            self._clock,
            keep_alive=self._renew_check,
        )
        async with self._lease(CHECK_JOB, lambda: self._clock() + self.settings.check_seconds):
            await check.run()
        self.checks_run += 1
        return True

    async def _renew_check(self) -> None:
        await self.leases.renew(CHECK_JOB, CHECK_LEASE_SECONDS)

    async def run_digest(self, platform: str) -> int:
        """The current slot's digests for this platform's channels; how many were posted."""
        now = self._clock()
        s = self.settings
        slot = digest_slot(now, s.digest_weekday, s.digest_hour, s.zone)
        if now - slot.timestamp() > DIGEST_LATE_SECONDS:
            return 0
        job = f"digest:{platform}:{slot.isoformat()}"
        if not await self.leases.claim(job, DIGEST_LEASE_SECONDS):
            return 0
        posted = 0
        async with self._lease(job, lambda: slot.timestamp() + WEEK.total_seconds()):
            watches = await self.store.all_watches([platform])
            channels: dict[WatchChannel, list[Watch]] = {}
            for watch in watches:
                channels.setdefault(watch.channel, []).append(watch)
            snapshots = await self.store.app_snapshots()
            for channel, watched in channels.items():
                await self.leases.renew(job, DIGEST_LEASE_SECONDS)  # one model call a channel
                first = await self.store.first_watched(channel)
                if first is None or first > slot.timestamp():
                    continue  # started watching after this slot: its first digest is next week
                if await self.store.digest_posted(channel, slot.isoformat()):
                    continue
                since = slot.timestamp() - WEEK.total_seconds()
                week = await self.store.alerts_since(channel, since)
                try:
                    report = await self.digests.write(watched, week, snapshots, slot)
                    report = await with_history(report, self.histories, _digest_app(week, watched))
                    await self.posters[platform].post(channel, report)
                    posted += 1
                except ChannelUnreachable as exc:
                    log.warning("digest for a %s channel dropped: %s", platform, exc)
                except Exception:  # this channel misses this week's digest; the others do not
                    log.exception("digest for a %s channel failed", platform)
                    continue
                await self.store.mark_digest(channel, slot.isoformat(), self._clock())
        return posted

    @contextlib.asynccontextmanager
    async def _lease(self, job: str, next_due: Callable[[], float]) -> AsyncIterator[None]:
        """Run a claimed job: done (or failed) → due again at `next_due()`; cut short by a
        stopping worker → released still due, so another worker takes it up at once."""
        try:
            yield
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self.leases.release(job)
            raise
        except BaseException:
            await self.leases.finish(job, next_due())
            raise
        await self.leases.finish(job, next_due())

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set; a failing tick is logged and the next one tries again."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("trend watch tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_SECONDS)


def _digest_app(week: list[Alert], watched: list[Watch]) -> tuple[int, str, str] | None:
    """Whose history a digest shows: the first watched app that moved this week, else the
    first app the channel watches."""
    moved = first_app(week)
    if moved is not None:
        return moved
    apps = [watch for watch in watched if watch.kind is WatchKind.APP]
    return (apps[0].target, apps[0].country, apps[0].name) if apps else None
