"""`RecommendationService`: the one entry point adapters call, `handle(command) -> Report`.

Every accepted command ends in exactly one Report: the model's answer, a cached answer, or
labelled rule-based advice. Nothing here raises to the adapter.

Each answer the model writes gets an id (`Report.answer_id`, kept by the cache, so a vote on a
cached copy counts for the same answer) and, given an `answer_log`, is recorded with exactly the
messages it was sent — in the background: recording never delays or fails a reply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.advice import advise
from bot.ai import Completion, FailureKind, Message, RouterClient, RouterFailure
from bot.appstore import AppCatalog, category_list, category_named
from bot.cache import AnswerCache, CachedReport, CacheKey, Produced, ReviewCache
from bot.commands import USAGE, Command, CommandKind, ParsedCommand, UsageError
from bot.feedback import AnswerLog, ModelAnswer, new_answer_id, share_line
from bot.progress import ProgressFeed, ProgressListener, SharedFeeds, StepKey, StepStatus
from bot.prompts import PROMPT_VERSION, build_messages
from bot.report import FallbackReason, Report, ReportKind, Source
from bot.runtime import Caller, Cutoff, ServiceStats
from bot.scout import ScanCache
from bot.service.account import CommandAccount
from bot.service.facts import REPORT_KINDS, FactFinder, Facts
from bot.service.market import unknown_category

log = logging.getLogger(__name__)

ANONYMOUS = Caller("unknown")
# When stopping, model calls end at the cut-off; a whole command (waiting on another worker, or
# the App Store) this long after it, so that it still ends with its one labelled reply.
COMMAND_CUTOFF_MARGIN = 1.5

# `/scout stats` waits this long for the votes (from the database) before it answers without them.
SHARES_WAIT_SECONDS = 2.0

# What users are told when the router fails (the same names: every kind must have a reason).
_REASONS = {kind: FallbackReason(kind.value) for kind in FailureKind}


class RecommendationService:
    def __init__(
        self,
        router: RouterClient,
        cache: AnswerCache,
        catalog: AppCatalog | None = None,
        default_country: str = "us",
        today: Callable[[], date] = date.today,
        reviews: ReviewCache | None = None,
        review_pages: int = 2,
        scans: ScanCache | None = None,
        answer_log: AnswerLog | None = None,
    ) -> None:
        self.router = router
        self.answer_log = answer_log  # where the model's answers are recorded for feedback
        self.cache = cache
        self.facts = FactFinder(catalog, reviews, review_pages, today, scans, router)
        self.default_country = default_country
        self.stats = ServiceStats()
        self.account = CommandAccount(self.stats)  # every command kind's log line and stats
        self.today = today  # what day it is, for everything that reads the App Store's dates
        self.stopping = Cutoff()  # set when the process stops; follow-ups share it
        self._feeds = SharedFeeds()

    def wind_down(self, within: float) -> None:
        """The process is stopping: model calls still running `within` seconds from now are
        cut off and their commands answered with labelled advice, while replies can still be
        posted. Commands that start from now on are bounded the same way."""
        log.info("model calls still running in %.0f s will be cut off", within)
        self.stopping.set(within)

    def health(self) -> dict[str, str]:
        """The model circuit and the cache backend, for `/healthz`."""
        return {"model_circuit": self.router.breaker.state.value, "cache": self.cache.backend}

    async def handle(
        self,
        parsed: ParsedCommand,
        caller: Caller = ANONYMOUS,
        listener: ProgressListener | None = None,
    ) -> Report:
        """The command's one final Report. `listener` is shown its progress while it is being
        made (nothing, for answers that are ready at once: cached ones, help, errors)."""
        command = parsed if isinstance(parsed, Command) else None
        return await self.account.run(
            caller,
            command.kind.value if command is not None else "usage_error",
            lambda: self._handle_safely(parsed, caller, listener),
            subject=command.subject if command is not None else None,
            answered=command is not None and command.is_lookup,
        )

    async def _handle_safely(
        self, parsed: ParsedCommand, caller: Caller, listener: ProgressListener | None
    ) -> Report:
        try:
            async with self.stopping.bound(COMMAND_CUTOFF_MARGIN):
                return await self._handle(parsed, caller, listener)
        except TimeoutError:  # stopping, and this command was still waiting
            return self._without_model(parsed, FallbackReason.RESTARTING)
        except Exception:
            log.exception("command failed: %r", parsed)
            return self._without_model(parsed, FallbackReason.INTERNAL_ERROR)

    async def _handle(
        self, parsed: ParsedCommand, caller: Caller, listener: ProgressListener | None
    ) -> Report:
        if isinstance(parsed, UsageError):
            return Report(ReportKind.ERROR, "", f"{parsed.problem}\n\n{USAGE}")
        if parsed.kind is CommandKind.HELP:
            return Report(ReportKind.HELP, "", USAGE)
        if parsed.kind is CommandKind.STATS:
            if not caller.is_admin:
                return Report(
                    ReportKind.ERROR, "", "`/scout stats` is for Trend Scout's admins only."
                )
            return Report(ReportKind.STATS, "", await self._stats_text())
        if parsed.kind is CommandKind.FIND:
            category = category_named(parsed.subject)
            if category is None:  # the nearest names, before any call
                return unknown_category(parsed.subject)
            parsed = replace(parsed, subject=category)
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

        # The answer's language: `--lang=xx`, else the user's; English is the default (None).
        language = parsed.language or caller.language
        parsed = replace(parsed, language=None if language == "en" else language)
        country = parsed.country or self.default_country
        key = CacheKey.for_command(
            parsed,
            country,
            self.router.primary_model,
            self.router.reasoning_effort(parsed.deep),
            PROMPT_VERSION,
        )
        command = parsed
        feed = self._feeds.join(key)
        try:
            answer = await self.cache.get_or_produce(
                key,
                lambda: self._answer(command, country, feed, caller),
                fresh=parsed.fresh,
                on_miss=(lambda: feed.subscribe(listener)) if listener is not None else None,
            )
        finally:
            if listener is not None:
                feed.unsubscribe(listener)
            self._feeds.leave(key)
        if not parsed.fresh:
            self.stats.record_lookup(isinstance(answer, CachedReport))
        if isinstance(answer, CachedReport):
            minutes = max(0, round((time.time() - answer.stored_at) / 60))
            note = "Cached answer" + (f" from {minutes} min ago" if minutes else "")
            notes = (*answer.report.notes, note)
            return replace(answer.report, source=Source.CACHE, notes=notes)
        return answer

    async def _answer(
        self, command: Command, country: str, feed: ProgressFeed, caller: Caller
    ) -> Produced:
        facts = await self.facts.gather(command, country, feed)
        if isinstance(facts, Report):
            return Produced(facts, keep=False)
        messages = build_messages(
            command,
            facts.app,
            facts.score,
            facts.top_apps,
            reviews=facts.reviews,
            competitors=facts.competitors,
            comparison=facts.comparison,
            opportunities=facts.opportunities,
            today=self.today(),
        )
        feed.step(StepKey.MODEL, "Asking the AI model")
        try:
            async with self.stopping.bound():
                if self.router.settings.stream:
                    completion = await self.router.stream(messages, feed.write, deep=command.deep)
                else:
                    completion = await self.router.complete(messages, deep=command.deep)
        except RouterFailure as exc:
            log.info("model not used (%s): %s", exc.kind.value, exc.detail)
            reason = _REASONS[exc.kind]
            skipped = exc.kind is FailureKind.NO_KEY
            status = StepStatus.SKIPPED if skipped else StepStatus.UNAVAILABLE
            feed.finish(StepKey.MODEL, status, f"{reason.label} — rule-based advice instead")
            return Produced(self._fallback(command, reason, facts), keep=False)
        except TimeoutError:  # cut off: the process is stopping
            reason = FallbackReason.RESTARTING
            feed.finish(StepKey.MODEL, StepStatus.UNAVAILABLE, f"{reason.label} — advice instead")
            restarting = self._fallback(command, reason, facts)
            return Produced(restarting, keep=False, share=False)
        feed.finish(StepKey.MODEL, StepStatus.DONE, "cut short" if completion.truncated else "")

        notes = list(facts.notes)
        if completion.cut_note:
            notes.append(completion.cut_note)
        report = facts.report(
            command,
            completion.text,
            Source.AI,
            model=completion.model,
            provider=completion.provider,
            usage=completion.usage,
            notes=tuple(notes),
            answer_id=new_answer_id(),
        )
        self._record(report, command, messages, completion, caller)
        # An answer made without the App Store's facts is not kept.
        return Produced(report, keep=facts.complete)

    def _record(
        self,
        report: Report,
        command: Command,
        messages: list[Message],
        completion: Completion,
        caller: Caller,
    ) -> None:
        """Hand the model's answer to the answer log (a background write; never raises)."""
        if self.answer_log is None or report.answer_id is None:
            return
        try:
            self.answer_log.record_answer(
                ModelAnswer(
                    answer_id=report.answer_id,
                    kind=report.kind.value,
                    subject=report.subject,
                    command=command.as_text(),
                    messages=tuple(message.as_dict() for message in messages),
                    answer=completion.text,
                    model=completion.requested_model,
                    created_at=time.time(),
                    platform=caller.platform,
                    workspace=caller.workspace,
                    cut_short=completion.truncated,
                )
            )
        except Exception:
            log.exception("the answer was not recorded for feedback")

    async def _stats_text(self) -> str:
        """`/scout stats`: this worker's figures, then the share of 👍 per kind of answer (every
        worker's votes; left out when the database does not answer in time)."""
        text = self.stats.text(self.cache.backend)
        if self.answer_log is None:
            return text
        try:
            async with asyncio.timeout(SHARES_WAIT_SECONDS):
                shares = await self.answer_log.shares()
        except Exception as exc:  # TimeoutError included: stats answer without the votes
            log.warning("votes left out of the stats (%s)", type(exc).__name__)
            return text + "\n• Feedback (all workers): unavailable right now"
        return text + f"\n• Feedback (all workers): {share_line(shares)}"

    def _fallback(
        self, command: Command, reason: FallbackReason, facts: Facts | None = None
    ) -> Report:
        facts = facts or Facts()
        advice = advise(
            command,
            facts.app,
            facts.top_apps,
            facts.reviews,
            today=self.today(),
            comparison=facts.comparison,
            opportunities=facts.opportunities,
        )
        return facts.report(
            command,
            advice.text,
            Source.FALLBACK,
            fallback_reason=reason,
            notes=(*facts.notes, f"{reason.label} — showing rule-based advice"),
        )

    def _without_model(self, parsed: ParsedCommand, reason: FallbackReason) -> Report:
        """Advice without facts when a command could not run its course."""
        if isinstance(parsed, Command) and parsed.kind in REPORT_KINDS:
            try:
                return self._fallback(parsed, reason)
            except Exception:
                log.exception("fallback advice failed")
        return Report(
            ReportKind.ERROR,
            "",
            "Sorry, something went wrong on our side. Please try again in a minute.",
        )
