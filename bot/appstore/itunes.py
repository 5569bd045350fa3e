"""`ITunesCatalog`: App Store facts from Apple's iTunes Search/Lookup APIs and top-chart feeds.

Polite and resilient: one process-wide rate limit under Apple's ~20 calls a minute (a short queue,
then the command goes on without facts), 403/429/5xx/timeouts retried once, found results cached
about an hour and "not found" about ten minutes (errors and throttling never), and identical
look-ups in flight sharing one request.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx
from cachetools import TTLCache

from bot.appstore.names import normalise_subject
from bot.appstore.rate_limit import RateLimiter
from bot.appstore.records import ChartEntry, RecordError, chart_entries, parse_apps
from bot.appstore.review_records import parse_json_feed, parse_xml_feed
from bot.appstore.values import (
    AppInfo,
    AppLookup,
    ChartLookup,
    LookupStatus,
    Review,
    ReviewsLookup,
)
from bot.runtime import AiohttpTransport, SingleFlight, count_appstore_call, http_client

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({403, 429, 500, 502, 503, 504})  # Apple throttles with a bare 403
# Apple's legacy top-chart feeds (`/{cc}/rss/{kind}/limit=N/genre=G/json`); 200 entries at most.
TOP_FREE = "topfreeapplications"
TOP_PAID = "toppaidapplications"
TOP_GROSSING = "topgrossingapplications"
CHART_KINDS = (TOP_FREE, TOP_PAID, TOP_GROSSING)
CHART_MAX = 200
CHARTS = (TOP_FREE, TOP_GROSSING)  # what `top_apps` merges
REVIEWS_PER_PAGE = 50
MAX_REVIEW_PAGES = 10  # Apple serves 500 reviews per country at most

Result = TypeVar("Result", AppLookup, ChartLookup)


@dataclass(frozen=True)
class AppStoreSettings:
    base_url: str = "https://itunes.apple.com"
    country: str = "us"  # the store asked when a command names none
    timeout: float = 4.0  # per request
    calls_per_minute: int = 20  # Apple allows about 20
    max_queue_wait: float = 2.0  # longest a command queues for the rate limit
    retry_delay: float = 0.5
    found_ttl: float = 3600
    missing_ttl: float = 600
    cache_entries: int = 2000
    search_limit: int = 25
    chart_size: int = 10
    reviews_pages: int = 2  # of the most recent reviews, 50 a page (Apple serves 10 at most)


class ITunesCatalog:
    def __init__(
        self,
        settings: AppStoreSettings,
        transport: AiohttpTransport,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._http = http_client(transport, settings.timeout)
        self._limiter = limiter or RateLimiter(settings.calls_per_minute)
        self._found: TTLCache[Hashable, Any] = TTLCache(
            settings.cache_entries, settings.found_ttl, timer=clock
        )
        self._missing: TTLCache[Hashable, Any] = TTLCache(
            settings.cache_entries, settings.missing_ttl, timer=clock
        )
        self._flights: SingleFlight[Any] = SingleFlight()
        self.upstream_calls = 0  # since start, for tests, benchmarks and stats

    # -- the AppCatalog port -------------------------------------------------------------
    async def find_app(self, name: str, track_id: int | None, country: str) -> AppLookup:
        key = ("app", track_id if track_id is not None else normalise_subject(name), country)
        return await self._cached(key, lambda: self._find(name, track_id, country))

    async def top_apps(self, genre_id: int, country: str) -> ChartLookup:
        return await self._cached(
            ("chart", genre_id, country), lambda: self._chart(genre_id, country)
        )

    async def reviews(self, track_id: int, country: str, pages: int) -> ReviewsLookup:
        """Not cached here (the service keeps reviews, shared between workers); identical
        requests in flight share one read."""
        key = ("reviews", track_id, country, pages)
        return await self._flights.run(  # type: ignore[no-any-return]
            key, lambda: self._reviews(track_id, country, pages)
        )

    # -- for trend watch: fresh, uncached, and patient with the rate limit ----------------
    async def lookup_many(
        self, track_ids: Sequence[int], country: str, max_wait: float
    ) -> dict[int, AppInfo] | None:
        """Many apps in one look-up (Apple takes a comma-separated list); None: unavailable."""
        ids = ",".join(str(track_id) for track_id in track_ids)
        raw = await self._get("/lookup", {"id": ids, "country": country}, max_wait)
        if raw is None:
            return None
        try:
            return {app.track_id: app for app in parse_apps(raw)}
        except RecordError as exc:
            log.warning("App Store lookup unusable: %s", exc)
            return None

    async def newest_reviews(
        self, track_id: int, country: str, max_wait: float
    ) -> list[Review] | None:
        """The newest reviews page (50), JSON or else XML; None: unavailable."""
        newest = await self._review_page(track_id, country, 1, "mostrecent", "json", max_wait)
        if newest:
            return newest
        xml = await self._review_page(track_id, country, 1, "mostrecent", "xml", max_wait)
        return xml if xml is not None else newest

    async def chart(
        self, genre_id: int, country: str, chart: str, limit: int, max_wait: float
    ) -> list[ChartEntry] | None:
        """One top chart of a category (`CHART_KINDS`), best first, at most `CHART_MAX`
        entries; None: unavailable."""
        limit = max(1, min(limit, CHART_MAX))
        raw = await self._get(
            f"/{country}/rss/{chart}/limit={limit}/genre={genre_id}/json", {}, max_wait
        )
        if raw is None:
            return None
        try:
            return chart_entries(raw)
        except RecordError as exc:
            log.warning("App Store feed unusable: %s", exc)
            return None

    # -- caching -------------------------------------------------------------------------
    async def _cached(self, key: Hashable, produce: Callable[[], Awaitable[Result]]) -> Result:
        for cache in (self._found, self._missing):
            hit = cache.get(key)
            if hit is not None:
                return hit  # type: ignore[no-any-return]

        async def produce_and_store() -> Result:
            result = await produce()
            if result.status is LookupStatus.FOUND:
                self._found[key] = result
            elif result.status is LookupStatus.NOT_FOUND:
                self._missing[key] = result
            return result  # UNAVAILABLE is never cached: the next command asks again

        return await self._flights.run(key, produce_and_store)  # type: ignore[no-any-return]

    # -- look-ups ------------------------------------------------------------------------
    async def _find(self, name: str, track_id: int | None, country: str) -> AppLookup:
        if track_id is not None:
            raw = await self._get("/lookup", {"id": str(track_id), "country": country})
        else:
            raw = await self._get(
                "/search",
                {
                    "term": name,
                    "entity": "software",
                    "country": country,
                    "limit": str(self.settings.search_limit),
                },
            )
        if raw is None:
            return AppLookup(LookupStatus.UNAVAILABLE)
        try:
            apps = parse_apps(raw)
        except RecordError as exc:
            log.warning("App Store answer unusable: %s", exc)
            return AppLookup(LookupStatus.UNAVAILABLE)
        if track_id is not None:  # an exact app: any platform the user pointed at
            return AppLookup(LookupStatus.FOUND, apps[0]) if apps else _NOT_FOUND
        match = best_match(name, apps)
        if match is None:
            return AppLookup(LookupStatus.NOT_FOUND, suggestions=nearest_names(name, apps))
        others = tuple(app for app in apps if app.platform == "ios" and app is not match)
        return AppLookup(LookupStatus.FOUND, match, others=others)

    async def _chart(self, genre_id: int, country: str) -> ChartLookup:
        size = self.settings.chart_size
        feeds = await asyncio.gather(
            *(
                self._get(f"/{country}/rss/{chart}/limit={size}/genre={genre_id}/json", {})
                for chart in CHARTS
            )
        )
        if all(raw is None for raw in feeds):
            return ChartLookup(LookupStatus.UNAVAILABLE)
        entries = {}
        for raw in feeds:
            if raw is None:
                continue
            try:
                for entry in chart_entries(raw):
                    entries.setdefault(entry.track_id, entry)
            except RecordError as exc:
                log.warning("App Store feed unusable: %s", exc)
        ranked = list(entries.values())[:size]
        if not ranked:
            return ChartLookup(LookupStatus.FOUND, ())

        # One batched lookup brings the ratings the feeds leave out.
        ids = ",".join(str(entry.track_id) for entry in ranked)
        raw = await self._get("/lookup", {"id": ids, "country": country})
        enriched: dict[int, AppInfo] = {}
        if raw is not None:
            try:
                enriched = {app.track_id: app for app in parse_apps(raw)}
            except RecordError as exc:
                log.warning("App Store lookup unusable: %s", exc)
        apps = tuple(
            enriched.get(entry.track_id)
            or AppInfo(
                track_id=entry.track_id,
                name=entry.name,
                category=entry.category,
                artwork_url=entry.artwork_url,
            )
            for entry in ranked
        )
        return ChartLookup(LookupStatus.FOUND, apps)

    async def _reviews(self, track_id: int, country: str, pages: int) -> ReviewsLookup:
        # The JSON feed has been seen empty (or broken) while the XML one was full: page 1
        # decides which form this app's feeds are read in.
        form = "json"
        first = await self._review_page(track_id, country, 1, "mostrecent", form)
        if not first:
            xml = await self._review_page(track_id, country, 1, "mostrecent", "xml")
            if xml is None and first is None:
                return ReviewsLookup(LookupStatus.UNAVAILABLE)
            if xml:
                first, form = xml, "xml"
        found = {review.review_id: review for review in first or ()}
        page, latest = 1, first or []
        while len(latest) >= REVIEWS_PER_PAGE and page < min(pages, MAX_REVIEW_PAGES):
            page += 1
            latest = await self._review_page(track_id, country, page, "mostrecent", form) or []
            for review in latest:
                found.setdefault(review.review_id, review)
        if found:  # the most helpful ones add what the recent pages did not reach
            helpful = await self._review_page(track_id, country, 1, "mosthelpful", form) or []
            for review in helpful:
                found.setdefault(review.review_id, replace(review, helpful_feed=True))
        return ReviewsLookup(LookupStatus.FOUND, tuple(found.values()))

    async def _review_page(
        self,
        track_id: int,
        country: str,
        page: int,
        sort: str,
        form: str,
        max_wait: float | None = None,
    ) -> list[Review] | None:
        """One page of a reviews feed; None when it could not be had or read."""
        path = f"/{country}/rss/customerreviews/page={page}/id={track_id}/sortby={sort}/{form}"
        raw = await self._get(path, {}, max_wait)
        if raw is None:
            return None
        try:
            return parse_json_feed(raw) if form == "json" else parse_xml_feed(raw)
        except RecordError as exc:
            log.warning("App Store reviews unusable: %s", exc)
            return None

    # -- HTTP ----------------------------------------------------------------------------
    async def _get(
        self, path: str, params: dict[str, str], max_wait: float | None = None
    ) -> bytes | None:
        """The body of a 200, or None when the App Store cannot be asked or keeps failing.
        `max_wait`: how long to queue for the rate limit (a command's default is short)."""
        url = f"{self.settings.base_url}{path}"
        wait = self.settings.max_queue_wait if max_wait is None else max_wait
        for attempt in range(2):
            if not await self._limiter.acquire(wait):
                log.warning("App Store rate limit reached; going on without facts")
                return None
            self.upstream_calls += 1
            count_appstore_call()
            try:
                response = await self._http.get(url, params=params)
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code == 200:
                    return response.content
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRYABLE_STATUS:
                    break
            if attempt == 0:
                await asyncio.sleep(self.settings.retry_delay * random.uniform(1.0, 1.5))
        log.warning("App Store unavailable for %s: %s", path, problem)
        return None


_NOT_FOUND = AppLookup(LookupStatus.NOT_FOUND)


def best_match(query: str, apps: list[AppInfo]) -> AppInfo | None:
    """iOS apps only: an exact normalised name first, then names containing the query, then
    the most-rated (Apple's search has already judged relevance)."""
    ios = [app for app in apps if app.platform == "ios"]
    if not ios:
        return None
    wanted = normalise_subject(query)
    names = {app.track_id: normalise_subject(app.name) for app in ios}

    def most_rated(candidates: list[AppInfo]) -> AppInfo:
        return max(candidates, key=lambda app: app.rating_count or 0)

    exact = [app for app in ios if names[app.track_id] == wanted]
    if exact:
        return most_rated(exact)
    containing = [app for app in ios if f" {wanted} " in f" {names[app.track_id]} "]
    if containing:
        return most_rated(containing)
    return most_rated(ios)


def nearest_names(query: str, apps: list[AppInfo], limit: int = 3) -> tuple[str, ...]:
    wanted = normalise_subject(query)
    scored = sorted(
        {app.name for app in apps},
        key=lambda name: (
            -difflib.SequenceMatcher(None, wanted, normalise_subject(name)).ratio(),
            name,
        ),
    )
    return tuple(scored[:limit])
