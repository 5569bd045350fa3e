"""What the App Store tells us about a command's subject, before anyone asks the model: the app
and its clone score, what its users say in their reviews, and who else is there — or, for a
category, its top apps and the complaints their users share.

Reviews are a bonus, never a blocker: read within a few seconds or not at all (with a note), and
kept for hours per app and store (`ReviewCache`). Everything counts against Apple's rate limit
and the command's App Store calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cachetools import LRUCache

from bot.advice import (
    CloneScore,
    ComparedApp,
    Opportunity,
    ReviewEvidence,
    clone_score,
    summarise,
    summarise_apps,
)
from bot.ai import RouterClient
from bot.appstore import (
    GENRE_IDS,
    AppCatalog,
    AppInfo,
    AppLookup,
    LookupStatus,
    Review,
)
from bot.cache import MemoryReviewCache, ReviewCache
from bot.commands import Command, CommandKind
from bot.progress import ProgressFeed, StepKey, StepStatus
from bot.report import Report, ReportKind, Source
from bot.scout import MarketScanner, MemoryScanCache, ScanCache, ScanSource
from bot.service.market import SHOWN, market_facts
from bot.service.review_labels import ReviewLabeller

log = logging.getLogger(__name__)

APPSTORE_UNAVAILABLE = "App Store data unavailable"
REVIEWS_UNAVAILABLE = "Customer reviews unavailable right now"
REVIEWS_WAIT_SECONDS = 6.0  # a command never waits longer than this for reviews
MAX_COMPETITORS = 5
SUMMARIES_KEPT = 500
GAPS_REVIEWED_APPS = 3  # the chart's top apps whose reviews a gaps analysis reads

REPORT_KINDS = {
    CommandKind.ANALYSIS: ReportKind.ANALYSIS,
    CommandKind.GAPS: ReportKind.GAPS,
    CommandKind.BUILD: ReportKind.BUILD,
    CommandKind.COMPARE: ReportKind.COMPARE,
    CommandKind.FIND: ReportKind.FIND,
}
COMPARE_REVIEW_PAGES = 1  # per compared app: Apple allows about 20 calls a minute


@dataclass(frozen=True)
class Facts:
    """What the App Store told us about one command's subject."""

    app: AppInfo | None = None
    score: CloneScore | None = None
    top_apps: tuple[AppInfo, ...] = ()
    reviews: ReviewEvidence | None = None
    competitors: tuple[AppInfo, ...] = ()
    comparison: tuple[ComparedApp, ...] = ()  # compare: the apps found, in the order asked
    opportunities: tuple[Opportunity, ...] = ()  # find: the market's best, ranked
    notes: tuple[str, ...] = ()
    complete: bool = True  # False when the App Store could not be asked

    def report(self, command: Command, text: str, source: Source, **fields: Any) -> Report:
        fields.setdefault("notes", self.notes)
        subject = self.app.name if self.app is not None else command.subject
        if self.comparison:
            subject = " vs ".join(row.app.name for row in self.comparison)
        return Report(
            kind=REPORT_KINDS[command.kind],
            subject=subject,
            text=text,
            source=source,
            app=self.app,
            clone_score=self.score,
            top_apps=self.top_apps,
            reviews=self.reviews,
            competitors=self.competitors,
            comparison=self.comparison,
            opportunities=self.opportunities,
            **fields,
        )


class FactFinder:
    def __init__(
        self,
        catalog: AppCatalog | None,
        reviews: ReviewCache | None = None,
        review_pages: int = 2,
        today: Callable[[], date] = date.today,
        scans: ScanCache | None = None,
        router: RouterClient | None = None,
    ) -> None:
        self.catalog = catalog
        self.scans = scans or MemoryScanCache()
        self._scanner: MarketScanner | None = None
        self.reviews = reviews or MemoryReviewCache(6 * 3600)
        # With a model key, the model themes the reviews the rules cannot read (kept with them).
        self.labeller = ReviewLabeller(router, self.reviews) if router is not None else None
        self.review_pages = review_pages
        self._today = today
        # The same reviews give the same evidence: summarised once per app and reviews read.
        self._summaries: LRUCache[Hashable, ReviewEvidence] = LRUCache(SUMMARIES_KEPT)

    @property
    def scanner(self) -> MarketScanner | None:
        """The market scanner over this catalog (the iTunes one: charts and batch look-ups)."""
        catalog = self.catalog
        if not isinstance(catalog, ScanSource):
            return None
        if self._scanner is None or self._scanner.source is not catalog:
            self._scanner = MarketScanner(catalog, self.scans, today=self._today)
        return self._scanner

    async def _market(self, command: Command, country: str, feed: ProgressFeed) -> Facts | Report:
        scanner = self.scanner
        if scanner is None:
            return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
        found = await market_facts(scanner, command, country, feed)
        if isinstance(found, Report):
            return found
        scan, notes = found
        return Facts(
            opportunities=scan.top(SHOWN), notes=notes, complete=scan.calls.skipped == 0
        )

    async def gather(
        self, command: Command, country: str, feed: ProgressFeed | None = None
    ) -> Facts | Report:
        """The facts for a command, or the reply when there is nothing to analyse. Each step
        is shown on `feed` as it starts and ends."""
        feed = feed or ProgressFeed()
        catalog = self.catalog
        store = f"the {country.upper()} App Store"
        if catalog is None:
            feed.step(StepKey.APPSTORE, f"Looking up {store}", StepStatus.SKIPPED, "not set up")
            return Facts()
        if command.kind is CommandKind.GAPS:
            return await self._category(catalog, command.subject, country, feed)
        if command.kind is CommandKind.COMPARE:
            return await self._compare(catalog, command, country, feed)
        if command.kind is CommandKind.FIND:
            return await self._market(command, country, feed)
        what = f"id {command.track_id}" if command.track_id is not None else command.subject
        feed.step(StepKey.APPSTORE, f"Looking up “{what}” in {store}")
        lookup = await catalog.find_app(command.subject, command.track_id, country)
        if lookup.status is LookupStatus.UNAVAILABLE:
            feed.finish(StepKey.APPSTORE, StepStatus.UNAVAILABLE, APPSTORE_UNAVAILABLE)
            return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
        if lookup.status is LookupStatus.NOT_FOUND or lookup.app is None:
            feed.finish(StepKey.APPSTORE, StepStatus.DONE, "no match")
            return no_match(command, country, lookup.suggestions)
        app = lookup.app
        feed.finish(StepKey.APPSTORE, StepStatus.DONE, f"found {app.name}")
        feed.step(StepKey.REVIEWS, "Reading customer reviews")
        by_id = command.track_id is not None
        (reviews, note), competitors = await asyncio.gather(
            self._evidence(catalog, app, country),
            self._competitors(catalog, app, lookup, country, search=by_id),
        )
        _finish_reviews(feed, reviews, note)
        feed.step(StepKey.SCORE, "Working out the clone score")
        score = clone_score(app, self._today(), reviews)  # what users say now counts too
        feed.finish(StepKey.SCORE, StepStatus.DONE, f"{score.total}/100")
        return Facts(
            app=app,
            score=score,
            reviews=reviews,
            competitors=competitors,
            notes=(note,) if note else (),
        )

    async def _category(
        self, catalog: AppCatalog, category: str, country: str, feed: ProgressFeed
    ) -> Facts:
        store = f"the {country.upper()} App Store"
        feed.step(StepKey.APPSTORE, f"Reading the top {category} apps in {store}")
        chart = await catalog.top_apps(GENRE_IDS[category], country)
        if chart.status is LookupStatus.UNAVAILABLE:
            feed.finish(StepKey.APPSTORE, StepStatus.UNAVAILABLE, APPSTORE_UNAVAILABLE)
            return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
        feed.finish(StepKey.APPSTORE, StepStatus.DONE, f"{len(chart.apps)} apps")
        leaders = chart.apps[:GAPS_REVIEWED_APPS]
        feed.step(StepKey.REVIEWS, f"Reading the reviews of the top {len(leaders)}")
        read = await asyncio.gather(*(self._reviews(catalog, app, country) for app in leaders))
        by_app = {app.name: found for app, found in zip(leaders, read, strict=True) if found}
        note = (REVIEWS_UNAVAILABLE,) if any(found is None for found in read) else ()
        evidence = summarise_apps(by_app) if by_app else None
        _finish_reviews(feed, evidence, note[0] if note else None)
        return Facts(top_apps=chart.apps, reviews=evidence, notes=note)

    async def _compare(
        self, catalog: AppCatalog, command: Command, country: str, feed: ProgressFeed
    ) -> Facts | Report:
        """Each app as an analysis would find it (its own store for a link), read side by side;
        the ones not found are named and the rest still compared."""
        items = command.items
        feed.step(
            StepKey.APPSTORE, f"Looking up {len(items)} apps in the {country.upper()} App Store"
        )
        lookups = await asyncio.gather(
            *(
                catalog.find_app(item.subject, item.track_id, item.country or country)
                for item in items
            )
        )
        found = [
            (item, lookup.app)
            for item, lookup in zip(items, lookups, strict=True)
            if lookup.status is LookupStatus.FOUND and lookup.app is not None
        ]
        if not found and any(lookup.status is LookupStatus.UNAVAILABLE for lookup in lookups):
            feed.finish(StepKey.APPSTORE, StepStatus.UNAVAILABLE, APPSTORE_UNAVAILABLE)
            return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
        missing = [
            item.subject
            for item, lookup in zip(items, lookups, strict=True)
            if lookup.status is not LookupStatus.FOUND or lookup.app is None
        ]
        feed.finish(StepKey.APPSTORE, StepStatus.DONE, f"found {len(found)} of {len(items)}")
        if not found:
            names = ", ".join(f"“{name}”" for name in missing)
            text = f"None of {names} is an App Store app in the {country.upper()} store."
            return Report(ReportKind.ERROR, command.subject, text)
        feed.step(StepKey.REVIEWS, "Reading each app's customer reviews")
        read = await asyncio.gather(
            *(
                self._evidence(catalog, app, item.country or country, COMPARE_REVIEW_PAGES)
                for item, app in found
            )
        )
        evidences = [evidence for evidence, _note in read]
        read_any = any(evidence is not None for evidence in evidences)
        feed.finish(
            StepKey.REVIEWS,
            StepStatus.DONE if read_any else StepStatus.SKIPPED,
            f"{sum(e.count for e in evidences if e)} reviews" if read_any else "none read",
        )
        feed.step(StepKey.SCORE, "Working out the clone scores")
        rows = tuple(
            ComparedApp(
                app,
                clone_score(app, self._today(), evidence),
                evidence.complaints[0] if evidence and evidence.complaints else None,
                evidence.themed if evidence else 0,
            )
            for (_item, app), evidence in zip(found, evidences, strict=True)
        )
        feed.finish(StepKey.SCORE, StepStatus.DONE, " · ".join(str(r.score.total) for r in rows))
        notes = []
        if missing:
            names = ", ".join(f"“{name}”" for name in missing)
            notes.append(f"Not found in the App Store: {names}")
        if any(note == REVIEWS_UNAVAILABLE for _evidence, note in read):
            notes.append(REVIEWS_UNAVAILABLE)
        return Facts(comparison=rows, notes=tuple(notes))

    async def _evidence(
        self, catalog: AppCatalog, app: AppInfo, country: str, pages: int | None = None
    ) -> tuple[ReviewEvidence | None, str | None]:
        found = await self._reviews(catalog, app, country, pages)
        if found is None:
            return None, REVIEWS_UNAVAILABLE
        if not found:
            return None, f"No customer reviews in the {country.upper()} store yet"
        readings = (
            await self.labeller.readings(app.track_id, country, found) if self.labeller else {}
        )
        ids = tuple(review.review_id for review in found)
        key = (app.track_id, country, app.rating, ids, len(readings))
        evidence = self._summaries.get(key)
        if evidence is None:
            evidence = self._summaries[key] = summarise(found, app.rating, readings)
        return evidence, None

    async def _reviews(
        self, catalog: AppCatalog, app: AppInfo, country: str, pages: int | None = None
    ) -> tuple[Review, ...] | None:
        """The app's reviews (possibly none); None when they could not be read in time."""
        cached = await self.reviews.get(app.track_id, country)
        if cached is not None:
            return cached
        try:
            async with asyncio.timeout(REVIEWS_WAIT_SECONDS):
                found = await catalog.reviews(app.track_id, country, pages or self.review_pages)
        except TimeoutError:
            log.warning("customer reviews of %s took too long; going on without", app.track_id)
            return None
        if found.status is not LookupStatus.FOUND:
            return None
        await self.reviews.put(app.track_id, country, found.reviews)
        return found.reviews

    async def _competitors(
        self, catalog: AppCatalog, app: AppInfo, lookup: AppLookup, country: str, search: bool
    ) -> tuple[AppInfo, ...]:
        """The most-rated other iOS apps of the same category, from the search that found the
        app; a look-up by id or link (`search`) found no neighbours: one search by name does."""
        others = lookup.others
        if search:
            search = await catalog.find_app(app.name, None, country)
            if search.status is LookupStatus.FOUND:
                others = (*((search.app,) if search.app else ()), *search.others)
        rivals = {
            other.track_id: other
            for other in others
            if other.track_id != app.track_id
            and other.platform == "ios"
            and other.category == app.category
            and other.rating_count
        }
        ranked = sorted(rivals.values(), key=lambda other: -(other.rating_count or 0))
        return tuple(ranked[:MAX_COMPETITORS])


def _finish_reviews(feed: ProgressFeed, evidence: ReviewEvidence | None, note: str | None) -> None:
    if evidence is not None:
        count = f"{evidence.count} review" + ("" if evidence.count == 1 else "s")
        feed.finish(StepKey.REVIEWS, StepStatus.DONE, count)
    elif note == REVIEWS_UNAVAILABLE:
        feed.finish(StepKey.REVIEWS, StepStatus.UNAVAILABLE, "unavailable right now")
    else:
        feed.finish(StepKey.REVIEWS, StepStatus.SKIPPED, note or "no reviews yet")


def no_match(command: Command, country: str, suggestions: tuple[str, ...]) -> Report:
    """The reply when no App Store app matched what the user named."""
    what = f"id {command.track_id}" if command.track_id is not None else f"“{command.subject}”"
    text = f"No App Store app matched {what} in the {country.upper()} store."
    if suggestions:
        text += " Did you mean: " + ", ".join(f"“{name}”" for name in suggestions) + "?"
    return Report(ReportKind.ERROR, command.subject, text)
