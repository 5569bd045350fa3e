"""Trend Scout as a Python library: the seed's `AIRecommender` and the async `TrendScout` under it.

    from bot import AIRecommender

    recommender = AIRecommender()  # the same settings as the bot (environment and .env)
    app = {"name": "Calculator Pro", "category": "Utilities", "rating_avg": 3.2, "total": 1500}
    print(recommender.generate_recommendation(app).improvement_summary)

    async with TrendScout.from_env() as scout:
        analysis = await scout.analyse("Calculator Pro")
        market = await scout.find("Finance")

Both go through the bot's own service — its caches, Apple's rate limit, the model chain with its
retries and circuit breaker, labelled rule-based advice when the model cannot answer, and one
`command answered` log line per call.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, TypeVar

from bot.advice import CloneScore, Opportunity, ReviewEvidence, advise, clone_score
from bot.app import build_service
from bot.appstore import AppInfo
from bot.cache import RedisBackend
from bot.commands import Command, CommandKind, UsageError, app_command, parse
from bot.config import Settings, load_settings, read_environment
from bot.report import Report, ReportKind, Source
from bot.runtime import AiohttpTransport, Caller
from bot.service import RecommendationService

CALLER = Caller("api", "python")
T = TypeVar("T")

# A name, an App Store link, "id:123", an id, or the seed's dict.
AppSpec = str | int | Mapping[str, Any]


class TrendScoutError(ValueError):
    """What was asked cannot be answered (an unknown app or category, a bad request); the
    message says why in one sentence."""


@dataclass(frozen=True)
class Recommendation:
    """One answer: its sections as the seed named them, where it came from, and the facts used."""

    improvement_summary: str
    monetization: str
    build_estimate: str
    source: str  # "ai", "cache" or "fallback"
    text: str  # the whole answer, Markdown
    app: AppInfo | None
    clone_score: CloneScore | None
    reviews: ReviewEvidence | None
    opportunities: tuple[Opportunity, ...]
    notes: tuple[str, ...]
    report: Report  # everything, as the bot's replies have it

    @classmethod
    def of(cls, report: Report) -> Recommendation:
        sections = _sections(report.text)
        return cls(
            improvement_summary=sections.get("improvements") or sections.get("do better", ""),
            monetization=sections.get("monetization", ""),
            build_estimate=(
                sections.get("build estimate")
                or sections.get("what it takes")
                or sections.get("timeline", "")
            ),
            source=(report.source or Source.FALLBACK).value,
            text=report.text,
            app=report.app,
            clone_score=report.clone_score,
            reviews=report.reviews,
            opportunities=report.opportunities,
            notes=report.notes,
            report=report,
        )


class TrendScout:
    """The async API: one service (one connection pool, one cache) for every call."""

    def __init__(
        self,
        service: RecommendationService,
        transport: AiohttpTransport | None = None,
        redis: RedisBackend | None = None,
        caller: Caller = CALLER,
    ) -> None:
        self.service = service
        self.caller = caller  # who the logs and usage statistics say asked
        self._transport = transport
        self._redis = redis

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, hf_api_key: str | None = None
    ) -> TrendScout:
        """The bot's settings (environment laid over `.env`, or `env`); `hf_api_key` overrides
        the configured key. `ConfigError` (one line) when a setting is bad."""
        values = dict(read_environment() if env is None else env)
        if hf_api_key is not None:
            values["HUGGING_FACE_API_KEY"] = hf_api_key
        return cls.from_settings(load_settings(values))

    @classmethod
    def from_settings(cls, settings: Settings, caller: Caller = CALLER) -> TrendScout:
        """A service of its own (connection pool, caches, Redis when set) for `settings`."""
        transport = AiohttpTransport()
        redis = None
        if settings.cache.redis_url:
            verify = settings.cache.redis_tls_verify
            redis = RedisBackend(settings.cache.redis_url, verify_tls=verify)
        return cls(build_service(settings, transport, redis), transport, redis, caller)

    async def __aenter__(self) -> TrendScout:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def analyse(self, app: AppSpec, country: str | None = None) -> Recommendation:
        """The opportunity analysis of one app (improvements, monetization, build estimate);
        `country` is a two-letter App Store (default: the configured one)."""
        return await self._app_command(CommandKind.ANALYSIS, app, country)

    async def build(self, app: AppSpec, country: str | None = None) -> Recommendation:
        """Technical guidance to build a competitor to one app."""
        return await self._app_command(CommandKind.BUILD, app, country)

    async def gaps(self, category: str) -> Recommendation:
        """Market gaps in an App Store category, from its current top apps."""
        return await self._ask(f"gaps {category}")

    async def find(self, category: str, price: str | None = None) -> Recommendation:
        """The category's charts scanned and its best opportunities ranked (`.opportunities`)."""
        return await self._ask(f"find {category}" + (f" --{price}" if price else ""))

    async def _app_command(
        self, kind: CommandKind, app: AppSpec, country: str | None
    ) -> Recommendation:
        # The app itself, never a verb or an option: "Find My" is an app, not `find`.
        record = app if isinstance(app, Mapping) else None
        name = str(app.get("name") or "") if record is not None else str(app)
        command = app_command(name, kind, country.lower() if country else None)
        if isinstance(command, UsageError):
            raise TrendScoutError(command.problem)
        found = await self._answer(command, allow_missing=record is not None)
        if found.report.kind is not ReportKind.ERROR or record is None:
            return found
        # Not in the App Store (a scraper's own record): advice from the facts it gave.
        return Recommendation.of(_from_record(command, record, self.service))

    async def _ask(self, text: str) -> Recommendation:
        command = parse(text)
        if isinstance(command, UsageError):
            raise TrendScoutError(command.problem)
        return await self._answer(command)

    async def _answer(self, command: Command, allow_missing: bool = False) -> Recommendation:
        report = await self.service.handle(command, self.caller)
        if report.kind is ReportKind.ERROR and not allow_missing:
            raise TrendScoutError(report.text)
        return Recommendation.of(report)


class AIRecommender:
    """The seed's class: synchronous calls over one `TrendScout`, run on an event loop of its
    own (a thread), so caches and connections last from one call to the next."""

    def __init__(self, hf_api_key: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.scout = self._run(_make(env, hf_api_key))

    def generate_recommendation(self, app: AppSpec) -> Recommendation:
        return self._run(self.scout.analyse(app))

    def market_gaps(self, category: str) -> Recommendation:
        return self._run(self.scout.gaps(category))

    def build_guidance(self, app: AppSpec) -> Recommendation:
        return self._run(self.scout.build(app))

    def find_opportunities(self, category: str, price: str | None = None) -> Recommendation:
        return self._run(self.scout.find(category, price))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self.scout.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> AIRecommender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()


async def _make(env: Mapping[str, str] | None, hf_api_key: str | None) -> TrendScout:
    return TrendScout.from_env(env, hf_api_key)  # made on the loop it will run on


def _from_record(
    command: Command, record: Mapping[str, Any], service: RecommendationService
) -> Report:
    """Rule-based advice from a scraper's own record (`name`, `category`, `rating_avg`, `total`,
    optionally `clone_score`) when the App Store does not know the app."""
    app = AppInfo(
        0,
        str(record.get("name") or command.subject),
        category=record.get("category"),
        rating=_number(record.get("rating_avg")),
        rating_count=int(record["total"]) if record.get("total") is not None else None,
    )
    today = service.today()
    advice = advise(command, app, today=today)
    score = clone_score(app, today)
    if record.get("clone_score") is not None:
        score = replace(score, total=int(record["clone_score"]))
    kind = ReportKind.BUILD if command.kind is CommandKind.BUILD else ReportKind.ANALYSIS
    note = "Not found in the App Store: advice from the record given"
    return Report(kind, app.name, advice.text, Source.FALLBACK, app, score, notes=(note,))


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


_HEADING = re.compile(r"^\s*(?:#+\s*)?\*\*([^*]+?)\*\*:?\s*$|^\s*#+\s*(.+?)\s*$", re.MULTILINE)


def _sections(markdown: str) -> dict[str, str]:
    """The answer's sections by heading ("**Improvements**" or "## Improvements"), lower-cased."""
    found: dict[str, str] = {}
    marks = list(_HEADING.finditer(markdown))
    for mark, following in zip(marks, [*marks[1:], None], strict=False):
        title = (mark.group(1) or mark.group(2) or "").strip().lower()
        end = following.start() if following is not None else len(markdown)
        found.setdefault(title, markdown[mark.end() : end].strip())
    return found
