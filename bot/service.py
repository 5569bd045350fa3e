"""`RecommendationService`: the one entry point adapters call, `handle(command) -> Report`.

Every accepted command ends in exactly one Report: the model's answer, a cached answer, or
labelled rule-based advice. Nothing here raises to the adapter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.advice.fallback import advise
from bot.advice.scoring import CloneScore, clone_score
from bot.ai.prompts import PROMPT_VERSION, build_messages
from bot.ai.router import RouterClient, RouterUnavailable
from bot.appstore.catalog import AppCatalog, AppInfo, LookupStatus
from bot.appstore.categories import GENRE_IDS, category_list, category_named
from bot.commands import USAGE, Command, CommandKind, ParsedCommand, UsageError
from bot.report import FallbackReason, Report, ReportKind, Source
from bot.runtime.request_scope import Caller, RequestScope, begin_request
from bot.runtime.single_flight import SingleFlight
from bot.runtime.stats import ServiceStats
from bot.state.answer_cache import AnswerCache, CacheKey

log = logging.getLogger(__name__)

ANONYMOUS = Caller("unknown")
DEEP_MIN_TOKENS = 2048  # high effort spends most of a small budget on reasoning
APPSTORE_UNAVAILABLE = "App Store data unavailable"

_KINDS = {
    CommandKind.ANALYSIS: ReportKind.ANALYSIS,
    CommandKind.GAPS: ReportKind.GAPS,
    CommandKind.BUILD: ReportKind.BUILD,
}


class RecommendationService:
    def __init__(
        self,
        router: RouterClient,
        cache: AnswerCache,
        catalog: AppCatalog | None = None,
        default_country: str = "us",
        today: Callable[[], date] = date.today,
        admin_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.router = router
        self.cache = cache
        self.catalog = catalog
        self.default_country = default_country
        self.admin_ids = admin_ids
        self.stats = ServiceStats()
        self._today = today
        self._flights: SingleFlight[Report] = SingleFlight()

    @property
    def primary_model(self) -> str:
        return self.router.settings.models[0]

    async def handle(self, parsed: ParsedCommand, caller: Caller = ANONYMOUS) -> Report:
        scope = begin_request(caller)
        started = time.perf_counter()
        try:
            report = await self._handle(parsed, caller)
        except Exception:
            log.exception("command failed: %r", parsed)
            report = self._internal_error(parsed)
        report = replace(report, latency_ms=round((time.perf_counter() - started) * 1000))
        self._account(parsed, report, scope)
        return report

    def _account(self, parsed: ParsedCommand, report: Report, scope: RequestScope) -> None:
        """One log line and the stats for every command."""
        kind = parsed.kind.value if isinstance(parsed, Command) else "usage_error"
        is_lookup = isinstance(parsed, Command) and parsed.is_lookup
        # Tokens are spent by the command that called the model, not by one it shared with.
        usage = report.usage if scope.model_calls else None
        self.stats.record(kind, report, scope, is_lookup, usage)
        log.info(
            "command answered",
            extra={
                "fields": {
                    "user": scope.caller.user_id or None,
                    "kind": kind,
                    "subject": parsed.subject if isinstance(parsed, Command) else None,
                    "reply": report.kind.value,
                    "source": report.source.value if report.source else None,
                    "fallback_reason": (
                        report.fallback_reason.value if report.fallback_reason else None
                    ),
                    "latency_ms": report.latency_ms,
                    "upstream_calls": scope.upstream_calls,
                    "model_calls": scope.model_calls,
                    "appstore_calls": scope.appstore_calls,
                    "prompt_tokens": usage.prompt_tokens if usage else 0,
                    "completion_tokens": usage.completion_tokens if usage else 0,
                }
            },
        )

    async def _handle(self, parsed: ParsedCommand, caller: Caller) -> Report:
        if isinstance(parsed, UsageError):
            return Report(ReportKind.ERROR, "", f"{parsed.problem}\n\n{USAGE}")
        if parsed.kind is CommandKind.HELP:
            return Report(ReportKind.HELP, "", USAGE)
        if parsed.kind is CommandKind.STATS:
            if caller.platform != "console" and caller.user_id not in self.admin_ids:
                return Report(
                    ReportKind.ERROR, "", "`/scout stats` is for Trend Scout's admins only."
                )
            return self.stats.report(self.cache.backend)
        if parsed.kind is CommandKind.GAPS:
            category = category_named(parsed.subject)
            if category is None:
                return Report(
                    ReportKind.ERROR,
                    parsed.subject,
                    f"“{parsed.subject}” is not an App Store category. "
                    f"Try one of: {category_list()}.",
                )
            parsed = replace(parsed, subject=category)

        country = parsed.country or self.default_country
        effort = "high" if parsed.deep else self.router.settings.reasoning_effort
        key = CacheKey.for_command(parsed, country, self.primary_model, effort, PROMPT_VERSION)
        if not parsed.fresh:
            cached = await self.cache.get(key)
            self.stats.record_lookup(cached is not None)
            if cached is not None:
                minutes = max(0, round((time.time() - cached.stored_at) / 60))
                note = "Cached answer" + (f" from {minutes} min ago" if minutes else "")
                notes = (*cached.report.notes, note)
                return replace(cached.report, source=Source.CACHE, notes=notes)
        command = parsed
        return await self._flights.run(
            key,
            lambda: self.cache.produce_once(
                key, lambda: self._answer(command, key, country, effort)
            ),
        )

    async def _answer(
        self, command: Command, key: CacheKey, country: str, effort: str | None
    ) -> Report:
        facts = await self._gather_facts(command, country)
        if isinstance(facts, Report):
            return facts
        messages = build_messages(
            command, facts.app, facts.score, facts.top_apps, today=self._today()
        )
        budget = max(self.router.settings.max_tokens, DEEP_MIN_TOKENS) if command.deep else None
        try:
            completion = await self.router.complete(
                messages, reasoning_effort=effort, max_tokens=budget
            )
        except RouterUnavailable as exc:
            log.info("model not used (%s): %s", exc.reason.value, exc.detail)
            return self._fallback(command, exc.reason, facts)

        notes = list(facts.notes)
        if completion.truncated:
            notes.append("The answer was cut short at the model's length limit")
        report = facts.report(
            command,
            completion.text,
            Source.AI,
            model=completion.model,
            provider=completion.provider,
            usage=completion.usage,
            notes=tuple(notes),
        )
        if facts.complete:  # an answer made without the App Store's facts is not kept
            await self.cache.put(key, report)
        return report

    async def _gather_facts(self, command: Command, country: str) -> Facts | Report:
        """App Store facts for the command, or the reply when there is nothing to analyse."""
        if self.catalog is None:
            return Facts()
        if command.kind is CommandKind.GAPS:
            chart = await self.catalog.top_apps(GENRE_IDS[command.subject], country)
            if chart.status is LookupStatus.UNAVAILABLE:
                return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
            return Facts(top_apps=chart.apps)

        lookup = await self.catalog.find_app(command.subject, command.track_id, country)
        if lookup.status is LookupStatus.UNAVAILABLE:
            return Facts(complete=False, notes=(APPSTORE_UNAVAILABLE,))
        if lookup.status is LookupStatus.NOT_FOUND or lookup.app is None:
            return _no_match(command, country, lookup.suggestions)
        return Facts(app=lookup.app, score=clone_score(lookup.app, self._today()))

    def _fallback(
        self, command: Command, reason: FallbackReason, facts: Facts | None = None
    ) -> Report:
        facts = facts or Facts()
        advice = advise(command, facts.app, facts.top_apps, today=self._today())
        return facts.report(
            command,
            advice.text,
            Source.FALLBACK,
            fallback_reason=reason,
            notes=(*facts.notes, f"{reason.label} — showing rule-based advice"),
        )

    def _internal_error(self, parsed: ParsedCommand) -> Report:
        if isinstance(parsed, Command) and parsed.kind in _KINDS:
            try:
                return self._fallback(parsed, FallbackReason.INTERNAL_ERROR)
            except Exception:
                log.exception("fallback advice failed")
        return Report(
            ReportKind.ERROR,
            "",
            "Sorry, something went wrong on our side. Please try again in a minute.",
        )


@dataclass(frozen=True)
class Facts:
    """What the App Store told us about one command's subject."""

    app: AppInfo | None = None
    score: CloneScore | None = None
    top_apps: tuple[AppInfo, ...] = ()
    notes: tuple[str, ...] = ()
    complete: bool = True  # False when the App Store could not be asked

    def report(self, command: Command, text: str, source: Source, **fields: Any) -> Report:
        fields.setdefault("notes", self.notes)
        return Report(
            kind=_KINDS[command.kind],
            subject=self.app.name if self.app is not None else command.subject,
            text=text,
            source=source,
            app=self.app,
            clone_score=self.score,
            top_apps=self.top_apps,
            **fields,
        )


def _no_match(command: Command, country: str, suggestions: tuple[str, ...]) -> Report:
    what = f"id {command.track_id}" if command.track_id is not None else f"“{command.subject}”"
    text = f"No App Store app matched {what} in the {country.upper()} store."
    if suggestions:
        text += " Did you mean: " + ", ".join(f"“{name}”" for name in suggestions) + "?"
    return Report(ReportKind.ERROR, command.subject, text)
