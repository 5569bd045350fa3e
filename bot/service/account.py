"""One account for every command, whatever answers it (analysis, compare, follow-up, watch…):
its request scope (so every log line written meanwhile carries its id, and upstream calls are
counted against it), its latency, one `command answered` line and the worker's stats."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.report import Report
from bot.runtime import AnswerRecord, Caller, RequestScope, ServiceStats, begin_request

log = logging.getLogger(__name__)


class CommandAccount:
    def __init__(self, stats: ServiceStats) -> None:
        self.stats = stats

    async def run(
        self,
        caller: Caller,
        kind: str,
        produce: Callable[[], Awaitable[Report]],
        subject: str | None = None,
        answered: bool = True,
    ) -> Report:
        """`produce` the command's report inside its own scope, then account for it. `kind` is
        what the log and the stats call it ("analysis", "follow_up", "watch"…); `answered`:
        it was a real question (look-ups and follow-ups), so its source, latency and tokens
        count in the stats (help and usage errors do not)."""
        scope = begin_request(caller)
        started = time.perf_counter()
        report = await produce()
        report = replace(report, latency_ms=round((time.perf_counter() - started) * 1000))
        self._record(kind, subject, report, scope, answered)
        return report

    def _record(
        self, kind: str, subject: str | None, report: Report, scope: RequestScope, answered: bool
    ) -> None:
        # Tokens are spent by the command that called the model, not by one it shared with.
        usage = report.usage if scope.model_calls else None
        prompt_tokens = (usage.prompt_tokens if usage else 0) + scope.side_prompt_tokens
        completion_tokens = (usage.completion_tokens if usage else 0) + scope.side_completion_tokens
        self.stats.record(
            kind,
            scope,
            AnswerRecord(
                source=report.source.value if report.source else "no answer",
                latency_ms=report.latency_ms,
                fallback=report.fallback_reason.label if report.fallback_reason else None,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )
            if answered
            else None,
        )
        log.info(
            "command answered",
            extra={
                "fields": {
                    "user": scope.caller.user_id or None,
                    "kind": kind,
                    "subject": subject,
                    "reply": report.kind.value,
                    "source": report.source.value if report.source else None,
                    "fallback_reason": (
                        report.fallback_reason.value if report.fallback_reason else None
                    ),
                    "latency_ms": report.latency_ms,
                    "upstream_calls": scope.upstream_calls,
                    "model_calls": scope.model_calls,
                    "appstore_calls": scope.appstore_calls,
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                }
            },
        )
