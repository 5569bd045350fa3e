"""`RecommendationService`: the one entry point adapters call, `handle(command) -> Report`.

Every accepted command ends in exactly one Report: the model's answer, a cached answer, or
labelled rule-based advice. Nothing here raises to the adapter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.cache import CacheKey, ReportCache, SingleFlight
from bot.catalog import AppCatalog, AppInfo, LookupStatus
from bot.commands import USAGE, Command, CommandKind, ParsedCommand, UsageError
from bot.fallback import advise
from bot.prompts import PROMPT_VERSION, build_messages
from bot.report import FallbackReason, Report, ReportKind, Source
from bot.router_client import RouterClient, RouterUnavailable
from bot.scoring import clone_score

log = logging.getLogger(__name__)

DEEP_MIN_TOKENS = 2048  # high effort spends most of a small budget on reasoning

_KINDS = {
    CommandKind.ANALYSIS: ReportKind.ANALYSIS,
    CommandKind.GAPS: ReportKind.GAPS,
    CommandKind.BUILD: ReportKind.BUILD,
}


class RecommendationService:
    def __init__(
        self,
        router: RouterClient,
        cache: ReportCache,
        catalog: AppCatalog | None = None,
        default_country: str = "us",
        today: Callable[[], date] = date.today,
    ) -> None:
        self.router = router
        self.cache = cache
        self.catalog = catalog
        self.default_country = default_country
        self._today = today
        self._flights: SingleFlight[Report] = SingleFlight()

    @property
    def primary_model(self) -> str:
        return self.router.settings.models[0]

    async def handle(self, parsed: ParsedCommand) -> Report:
        started = time.perf_counter()
        try:
            report = await self._handle(parsed)
        except Exception:
            log.exception("command failed: %r", parsed)
            report = self._internal_error(parsed)
        return replace(report, latency_ms=round((time.perf_counter() - started) * 1000))

    async def _handle(self, parsed: ParsedCommand) -> Report:
        if isinstance(parsed, UsageError):
            return Report(ReportKind.ERROR, "", f"{parsed.problem}\n\n{USAGE}")
        if parsed.kind is CommandKind.HELP:
            return Report(ReportKind.HELP, "", USAGE)

        country = parsed.country or self.default_country
        effort = "high" if parsed.deep else self.router.settings.reasoning_effort
        key = CacheKey.for_command(parsed, country, self.primary_model, effort, PROMPT_VERSION)
        if not parsed.fresh and (cached := self.cache.get(key)) is not None:
            minutes = max(0, round((time.time() - cached.stored_at) / 60))
            note = "Cached answer" + (f" from {minutes} min ago" if minutes else "")
            return replace(cached.report, source=Source.CACHE, notes=(*cached.report.notes, note))
        return await self._flights.run(key, lambda: self._answer(parsed, key, country, effort))

    async def _answer(
        self, command: Command, key: CacheKey, country: str, effort: str | None
    ) -> Report:
        app: AppInfo | None = None
        notes: list[str] = []
        if self.catalog is not None and command.kind is not CommandKind.GAPS:
            lookup = await self.catalog.find_app(command.subject, command.track_id, country)
            if lookup.status is LookupStatus.FOUND:
                app = lookup.app
            elif lookup.status is LookupStatus.UNAVAILABLE:
                notes.append("App Store data unavailable")

        score = clone_score(app, self._today()) if app is not None else None
        messages = build_messages(command, app, score, today=self._today())
        budget = max(self.router.settings.max_tokens, DEEP_MIN_TOKENS) if command.deep else None
        try:
            completion = await self.router.complete(
                messages, reasoning_effort=effort, max_tokens=budget
            )
        except RouterUnavailable as exc:
            log.info("model not used (%s): %s", exc.reason.value, exc.detail)
            return self._fallback(command, exc.reason, app, tuple(notes))

        if completion.truncated:
            notes.append("The answer was cut short at the model's length limit")
        report = Report(
            kind=_KINDS[command.kind],
            subject=app.name if app is not None else command.subject,
            text=completion.text,
            source=Source.AI,
            app=app,
            clone_score=score,
            model=completion.model,
            provider=completion.provider,
            usage=completion.usage,
            notes=tuple(notes),
        )
        self.cache.put(key, report)
        return report

    def _fallback(
        self,
        command: Command,
        reason: FallbackReason,
        app: AppInfo | None,
        notes: tuple[str, ...] = (),
    ) -> Report:
        today = self._today()
        score = clone_score(app, today) if app is not None else None
        advice = advise(command, app, score, today=today)
        return Report(
            kind=_KINDS[command.kind],
            subject=app.name if app is not None else command.subject,
            text=advice.text,
            source=Source.FALLBACK,
            app=app,
            clone_score=score,
            fallback_reason=reason,
            notes=(*notes, f"{reason.label} — showing rule-based advice"),
        )

    def _internal_error(self, parsed: ParsedCommand) -> Report:
        if isinstance(parsed, Command) and parsed.kind in _KINDS:
            try:
                return self._fallback(parsed, FallbackReason.INTERNAL_ERROR, None)
            except Exception:
                log.exception("fallback advice failed")
        return Report(
            ReportKind.ERROR,
            "",
            "Sorry, something went wrong on our side. Please try again in a minute.",
        )
