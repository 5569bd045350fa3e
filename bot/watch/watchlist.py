"""`Watchlist`: the `/scout watch`, `watch gaps`, `unwatch` and `watching` commands of a channel.

Watching an app looks it up once (its first snapshot is what the next check compares with);
watching a category reads its charts once when nobody watches them yet. Each reply says what
will be reported and when, and — when the bot cannot post in the channel — how to fix that.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.appstore import (
    GENRE_IDS,
    AppCatalog,
    LookupStatus,
    category_list,
    category_named,
    normalise_subject,
)
from bot.commands import Command, CommandKind
from bot.report import Report, ReportKind
from bot.runtime import Caller
from bot.service import no_match
from bot.watch.alerts import AppSnapshot, ChartSnapshot
from bot.watch.check import CHART_DEPTH, CHARTS, WatchSource
from bot.watch.history import AppHistories, history_text
from bot.watch.messages import (
    caps_text,
    plain_name,
    schedule_line,
    watch_list,
    watch_report,
    watching_text,
)
from bot.watch.model import Watch, WatchChannel, WatchKind
from bot.watch.posting import ChannelPoster
from bot.watch.schedule import WatchSettings
from bot.watch.store import Added, WatchStore

COMMAND_WAIT = 2.0  # a command queues this long for the App Store's rate limit


class Watchlist:
    def __init__(
        self,
        store: WatchStore,
        catalog: AppCatalog | None,
        source: WatchSource | None,
        settings: WatchSettings,
        posters: Mapping[str, ChannelPoster],
        default_country: str = "us",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.source = source
        self.settings = settings
        self.posters = posters  # the scheduler's: which platforms this worker can post on
        self.default_country = default_country
        self.histories = AppHistories(store.database, clock)
        self._clock = clock

    @property
    def schedule(self) -> str:
        return schedule_line(self.settings.check_seconds, self.settings.digest_phrase)

    async def handle(
        self, command: Command, caller: Caller, channel: WatchChannel | None
    ) -> Report:
        if channel is None:
            return _error("Trend watch works in a channel or a DM; this place has none.")
        country = command.country or self.default_country
        if command.kind is CommandKind.WATCHING:
            return watch_report(watch_list(await self.store.watches_in(channel), self.schedule))
        if command.kind is CommandKind.WATCH_HISTORY:
            return await self._history(command, channel)
        if command.kind is CommandKind.WATCH:
            return await self._watch_app(command, caller, channel, country)
        if command.kind is CommandKind.WATCH_GAPS:
            return await self._watch_category(command, caller, channel, country)
        return await self._unwatch(command, channel, country)

    async def _watch_app(
        self, command: Command, caller: Caller, channel: WatchChannel, country: str
    ) -> Report:
        if self.catalog is None:
            return _error("The App Store cannot be reached from here, so nothing can be watched.")
        lookup = await self.catalog.find_app(command.subject, command.track_id, country)
        if lookup.status is LookupStatus.UNAVAILABLE:
            return _error("The App Store cannot be reached right now; try again in a minute.")
        if lookup.app is None:
            return no_match(command, country, lookup.suggestions)
        app = lookup.app
        watch = Watch(channel, WatchKind.APP, app.track_id, country, app.name)
        added = await self.store.add(watch, caller.user_id, self._clock())
        if added is Added.ADDED:
            await self.store.save_baseline(country, AppSnapshot(app, self._clock()))
        return await self._confirm(watch, added)

    async def _watch_category(
        self, command: Command, caller: Caller, channel: WatchChannel, country: str
    ) -> Report:
        name = category_named(command.subject)
        if name is None:
            return _error(
                f"“{plain_name(command.subject)}” is not an App Store category. "
                f"Categories: {category_list()}."
            )
        watch = Watch(channel, WatchKind.CATEGORY, GENRE_IDS[name], country, name)
        added = await self.store.add(watch, caller.user_id, self._clock())
        if added is Added.ADDED:
            await self._chart_baseline(watch)
        return await self._confirm(watch, added)

    async def _chart_baseline(self, watch: Watch) -> None:
        """The charts as they are now, unless a check already keeps them (other channels'
        moves since that check must not be lost)."""
        if self.source is None:
            return
        known = await self.store.chart_snapshots()
        for chart in CHARTS:
            if (watch.target, watch.country, chart) in known:
                continue
            entries = await self.source.chart(
                watch.target, watch.country, chart, CHART_DEPTH, COMMAND_WAIT
            )
            if entries is not None:
                ranks = tuple((entry.track_id, entry.name) for entry in entries)
                snapshot = ChartSnapshot(watch.target, watch.country, chart, ranks, self._clock())
                await self.store.save_chart_baseline(snapshot)

    async def _confirm(self, watch: Watch, added: Added) -> Report:
        label = plain_name(watch.label)
        if added is Added.ALREADY:
            return watch_report(f"This channel already watches **{label}**. {self.schedule}")
        if added is not Added.ADDED:
            where = "channel" if added is Added.CHANNEL_FULL else "workspace"
            return _error(
                f"This {where} already watches as much as it can, so **{label}** was not added. "
                f"{caps_text()} `/scout unwatch …` makes room."
            )
        text = watching_text(watch, self.schedule)
        poster = self.posters.get(watch.channel.platform)
        problem = await poster.problem(watch.channel) if poster is not None else None
        if problem:
            text += f"\n\n⚠️ {problem}"
        return watch_report(text)

    async def _history(self, command: Command, channel: WatchChannel) -> Report:
        """`/scout watching <app>`: a watched app's ratings, reviews and rank over the weeks."""
        found = self._apps_named(command, await self.store.watches_in(channel))
        if not found:
            return _error(
                f"This channel does not watch “{plain_name(command.subject)}”, so it has no "
                "history here. `/scout watch …` starts one; `/scout watching` lists what it does."
            )
        watch = found[0]
        history = await self.histories.history(watch.target, watch.country, watch.name)
        report = watch_report(history_text(history, plain_name(watch.label), self.schedule))
        return replace(report, subject=watch.name, history=history if history.points else None)

    def _apps_named(self, command: Command, watched: list[Watch]) -> list[Watch]:
        wanted = normalise_subject(command.subject)
        return [
            w
            for w in watched
            if w.kind is WatchKind.APP
            and (w.target == command.track_id or normalise_subject(w.name) == wanted)
            and (command.country is None or w.country == command.country)
        ]

    async def _unwatch(self, command: Command, channel: WatchChannel, country: str) -> Report:
        watched = await self.store.watches_in(channel)
        if command.kind is CommandKind.UNWATCH_GAPS:
            name = category_named(command.subject)
            found = [
                w
                for w in watched
                if w.kind is WatchKind.CATEGORY
                and name is not None
                and w.target == GENRE_IDS[name]
                and (command.country is None or w.country == country)
            ]
        else:
            found = self._apps_named(command, watched)
        if not found:
            return _error(
                f"This channel does not watch “{plain_name(command.subject)}”. "
                "`/scout watching` lists what it does."
            )
        for watch in found:
            await self.store.remove(watch)
        names = ", ".join(f"**{plain_name(w.label)}**" for w in found)
        return watch_report(f"Stopped watching {names} in this channel.")


def _error(text: str) -> Report:
    return Report(ReportKind.ERROR, "", text)
