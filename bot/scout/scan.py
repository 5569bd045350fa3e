"""`MarketScanner`: the engine behind `/scout find <category>`.

A scan reads the category's top charts (free, paid, grossing; up to 200 entries each — with a
price filter the chart that cannot hold a match is left out), merges them into one candidate list
keeping each app's rank per chart, looks every candidate up in batches of 200 ids (the most
Apple's look-up answers; more gets a 502), scores them all (`opportunity_score`), reads the
newest reviews page of a shortlist of the best 10, rescores those with what their users say, and
ranks. Fresh, that is 3 + ⌈candidates / 200⌉ + 10 calls: 16 for 600 chart entries.

Apple's budget (about 20 calls a minute, shared with every other command) is the scarce
resource: every call is counted, and every call queues for the rate limit no longer than what is
left of the scan's deadline (45 s), so a short budget is refused by the limiter at once — never
sent to Apple — and the scan answers with what it has, saying so in its notes (reviews are what
goes first). Complete scans are cached (6 h; in Redis when configured), and identical scans in
flight are one scan, whose progress every asker follows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Protocol, runtime_checkable

from bot.advice import Opportunity, ReviewEvidence, opportunity_score, summarise, why_line
from bot.appstore import (
    CHART_MAX,
    GENRE_IDS,
    TOP_GROSSING,
    AppInfo,
    ChartEntry,
    Review,
    category_list,
    category_named,
    is_storefront,
)
from bot.progress import ProgressFeed, StepKey, StepStatus
from bot.runtime import SingleFlight
from bot.scout.cache import ScanCache, ScanKey, scan_key
from bot.scout.categories import category_suggestions
from bot.scout.market import (
    CHART_NAMES,
    PRICE_FILTERS,
    MarketScan,
    ScanCalls,
    chart_ranks,
    charts_for,
    priced_as,
    ranked,
)
from bot.scout.progress import ScanProgress

LOOKUP_BATCH = 200  # ids per look-up: Apple answers up to 200 (a 502 past that)
SHORTLIST = 10  # apps whose reviews are read
DEADLINE_SECONDS = 45.0  # the longest a scan queues for Apple's rate limit, all calls together


@runtime_checkable
class ScanSource(Protocol):
    """The App Store as a scan reads it (`ITunesCatalog`). `max_wait`: how long a call may queue
    for the rate limit; None back means the call could not be made or was not answered."""

    async def chart(
        self, genre_id: int, country: str, chart: str, limit: int, max_wait: float
    ) -> list[ChartEntry] | None: ...

    async def lookup_many(
        self, track_ids: Sequence[int], country: str, max_wait: float
    ) -> dict[int, AppInfo] | None: ...

    async def newest_reviews(
        self, track_id: int, country: str, max_wait: float
    ) -> list[Review] | None: ...


@dataclass(frozen=True)
class ScanSettings:
    chart_limit: int = CHART_MAX
    lookup_batch: int = LOOKUP_BATCH
    shortlist: int = SHORTLIST
    deadline: float = DEADLINE_SECONDS


@dataclass
class _Run:
    """The state of one scan while it runs."""

    deadline_at: float
    clock: Callable[[], float]
    progress: ScanProgress
    charts: int = 0  # calls answered, by kind
    lookups: int = 0
    reviews: int = 0
    skipped: int = 0  # calls not made (budget) or not answered
    notes: list[str] = field(default_factory=list)

    def patience(self) -> float:
        """How long the next call may queue for the rate limit: what is left of the deadline."""
        return max(0.0, self.deadline_at - self.clock())

    def counted(self) -> ScanCalls:
        return ScanCalls(self.charts, self.lookups, self.reviews, self.skipped)


class MarketScanner:
    def __init__(
        self,
        source: ScanSource,
        cache: ScanCache | None = None,
        settings: ScanSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.source = source
        self.cache = cache
        self.settings = settings or ScanSettings()
        self._clock = clock
        self._wall_clock = wall_clock
        self._today = today
        self._flights: SingleFlight[MarketScan] = SingleFlight()
        self._running: dict[ScanKey, ScanProgress] = {}

    async def scan(
        self,
        category: str,
        country: str,
        price: str | None = None,
        feed: ProgressFeed | None = None,
    ) -> MarketScan:
        """The market of `category` in the `country` store, every app scored, best first.
        `price`: None, "free" or "paid". Unknown categories and stores are answered at once,
        with suggestions, before any call."""
        if price is not None and price not in PRICE_FILTERS:
            raise ValueError(f"price filter must be None, 'free' or 'paid', not {price!r}")
        country = country.strip().lower()
        name = category_named(category)
        if name is None:
            return self._unknown_category(category, country, price)
        if not is_storefront(country):
            note = f"“{country[:10]}” is not an App Store country code."
            return self._empty(name, GENRE_IDS[name], country, price, (note,))
        key = scan_key(GENRE_IDS[name], country, price)
        if key not in self._running and self.cache is not None:
            cached = await self.cache.get(key)
            if cached is not None:
                return replace(cached, cached=True)
        progress = self._running.setdefault(key, ScanProgress())
        progress.follow(feed)
        return await self._flights.run(key, lambda: self._scan_and_keep(key, name, progress))

    async def _scan_and_keep(self, key: ScanKey, name: str, progress: ScanProgress) -> MarketScan:
        try:
            if self.cache is not None:  # finished by another worker, or just before we joined
                cached = await self.cache.get(key)
                if cached is not None:
                    return replace(cached, cached=True)
            genre_id, country, price_key = key
            price = None if price_key == "all" else price_key
            scan = await self._scan(name, genre_id, country, price, progress)
            if self.cache is not None and scan.calls.skipped == 0:
                await self.cache.put(key, scan)  # a scan cut short is asked again next time
            return scan
        finally:
            if self._running.get(key) is progress:
                del self._running[key]

    # -- the scan --------------------------------------------------------------------------
    async def _scan(
        self, name: str, genre_id: int, country: str, price: str | None, progress: ScanProgress
    ) -> MarketScan:
        started_at = self._wall_clock()
        run = _Run(self._clock() + self.settings.deadline, self._clock, progress)
        today = self._today()
        kinds = charts_for(price)

        progress.step(StepKey.CHARTS, f"Reading {len(kinds)} charts")
        feeds = await asyncio.gather(*(self._chart(run, genre_id, country, k) for k in kinds))
        read = dict(zip(kinds, feeds, strict=True))
        entries = sum(len(found) for found in feeds if found)
        ranks = chart_ranks(read)
        if all(found is None for found in feeds):
            progress.finish(StepKey.CHARTS, StepStatus.UNAVAILABLE, "the App Store did not answer")
            run.notes.append("The App Store did not answer for the charts; try again shortly.")
            return self._result(run, name, genre_id, country, price, 0, 0, (), started_at)
        progress.finish(StepKey.CHARTS, StepStatus.DONE, f"{len(ranks)} apps")
        for kind, found in read.items():
            if found is None:
                run.notes.append(f"The {CHART_NAMES[kind]} chart could not be read.")
            elif not found and ranks:
                run.notes.append(f"The {CHART_NAMES[kind]} chart is empty.")
        if not ranks:
            run.notes.append(
                f"The {country.upper()} App Store shows no {name} apps in its charts right now."
            )
            return self._result(run, name, genre_id, country, price, entries, 0, (), started_at)

        apps = await self._look_up(run, list(ranks), country)
        grossing_read = read.get(TOP_GROSSING) is not None
        wanted = {
            track_id: app
            for track_id, app in apps.items()
            if priced_as(app, ranks[track_id], price)
        }
        if price is not None and apps and not wanted:
            run.notes.append(f"None of these apps is {price}.")

        def score(app: AppInfo, reviews: ReviewEvidence | None = None) -> Opportunity:
            place = ranks[app.track_id]
            found = opportunity_score(
                app,
                today,
                grossing_rank=place.grossing,
                grossing_read=grossing_read,
                reviews=reviews,
            )
            return Opportunity(app, found, reviews, place, why_line(app, reviews, place, today))

        scored = {track_id: score(app) for track_id, app in wanted.items()}
        shortlist = ranked(scored.values())[: self.settings.shortlist]
        evidence = await self._read_reviews(run, shortlist, country)
        for track_id, reviews in evidence.items():
            scored[track_id] = score(wanted[track_id], reviews)
        best_first = tuple(ranked(scored.values()))
        return self._result(
            run, name, genre_id, country, price, entries, len(ranks), best_first, started_at
        )

    async def _chart(
        self, run: _Run, genre_id: int, country: str, kind: str
    ) -> list[ChartEntry] | None:
        patience = run.patience()
        found = None
        if patience > 0:
            found = await self.source.chart(
                genre_id, country, kind, self.settings.chart_limit, patience
            )
        if found is None:
            run.skipped += 1
        else:
            run.charts += 1
        return found

    async def _look_up(self, run: _Run, ids: list[int], country: str) -> dict[int, AppInfo]:
        size = max(1, min(self.settings.lookup_batch, LOOKUP_BATCH))
        batches = [ids[start : start + size] for start in range(0, len(ids), size)]
        run.progress.step(StepKey.LOOKUPS, f"Looking up {len(ids)} apps")

        async def one(batch: list[int]) -> dict[int, AppInfo] | None:
            patience = run.patience()
            found = await self.source.lookup_many(batch, country, patience) if patience else None
            if found is None:
                run.skipped += 1
            else:
                run.lookups += 1
            return found

        answers = await asyncio.gather(*(one(batch) for batch in batches))
        apps: dict[int, AppInfo] = {}
        missed = 0
        for batch, answer in zip(batches, answers, strict=True):
            if answer is None:
                missed += len(batch)
                continue
            apps.update((track_id, answer[track_id]) for track_id in batch if track_id in answer)
        answered = len(batches) - sum(1 for answer in answers if answer is None)
        detail = f"{answered} call{'s' if answered != 1 else ''}"
        if missed:
            detail += f"; {missed} apps not looked up"
            run.notes.append(
                f"{missed} of {len(ids)} apps could not be looked up (Apple's rate budget ran "
                "short or the App Store did not answer); they are left out."
            )
        status = StepStatus.DONE if answered else StepStatus.UNAVAILABLE
        run.progress.finish(StepKey.LOOKUPS, status, detail)
        return apps

    async def _read_reviews(
        self, run: _Run, shortlist: list[Opportunity], country: str
    ) -> dict[int, ReviewEvidence]:
        """The newest reviews page of each shortlisted app, best first, until the budget ends:
        the first call that cannot be made (or is not answered) stops the reading."""
        wanted = len(shortlist)
        evidence: dict[int, ReviewEvidence] = {}
        if not wanted:
            return evidence
        title = "Reading reviews"
        run.progress.step(StepKey.REVIEWS, title, detail=f"0/{wanted}")
        for place, found in enumerate(shortlist):
            patience = run.patience()
            reviews = None
            if patience > 0:
                reviews = await self.source.newest_reviews(found.app.track_id, country, patience)
            if reviews is None:
                run.skipped += wanted - place
                break
            run.reviews += 1
            evidence[found.app.track_id] = summarise(reviews, overall=found.app.rating)
            run.progress.step(StepKey.REVIEWS, title, detail=f"{len(evidence)}/{wanted}")
        done = f"{len(evidence)}/{wanted}"
        if len(evidence) == wanted:
            run.progress.finish(StepKey.REVIEWS, StepStatus.DONE, done)
            return evidence
        status = StepStatus.DONE if evidence else StepStatus.UNAVAILABLE
        run.progress.finish(StepKey.REVIEWS, status, f"{done} (App Store budget short)")
        run.notes.append(
            f"Reviews read for {len(evidence)} of the {wanted} shortlisted apps: Apple's rate "
            "budget ran short (or the App Store stopped answering); the others are ranked on "
            "their App Store facts alone."
        )
        return evidence

    # -- answers ---------------------------------------------------------------------------
    def _result(
        self,
        run: _Run,
        name: str,
        genre_id: int,
        country: str,
        price: str | None,
        entries: int,
        candidates: int,
        opportunities: tuple[Opportunity, ...],
        started_at: float,
    ) -> MarketScan:
        return MarketScan(
            category=name,
            genre_id=genre_id,
            country=country,
            price=price,
            chart_entries=entries,
            candidates=candidates,
            opportunities=opportunities,
            calls=run.counted(),
            notes=tuple(run.notes),
            scanned_at=started_at,
        )

    def _empty(
        self,
        category: str,
        genre_id: int | None,
        country: str,
        price: str | None,
        notes: tuple[str, ...],
        suggestions: tuple[str, ...] = (),
    ) -> MarketScan:
        return MarketScan(
            category=category,
            genre_id=genre_id,
            country=country,
            price=price,
            chart_entries=0,
            candidates=0,
            opportunities=(),
            calls=ScanCalls(),
            notes=notes,
            suggestions=suggestions,
            scanned_at=self._wall_clock(),
        )

    def _unknown_category(self, typed: str, country: str, price: str | None) -> MarketScan:
        shown = " ".join(typed.split())[:40]
        suggestions = category_suggestions(typed)
        if suggestions:
            note = f"“{shown}” is not an App Store category. Did you mean {_or(suggestions)}?"
        else:
            note = f"“{shown}” is not an App Store category. Categories: {category_list()}."
        return self._empty(shown, None, country, price, (note,), suggestions)


def _or(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
