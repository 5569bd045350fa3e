"""What this worker has done since it started, for `/scout stats`.

Bounded memory however long the worker runs: counters, and latencies in a histogram whose
buckets grow by 5 %, so a percentile is exact to within 5 %.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.runtime.request_scope import RequestScope

_GROWTH = 1.05


class LatencyHistogram:
    def __init__(self) -> None:
        self._buckets: Counter[int] = Counter()
        self.count = 0

    def add(self, milliseconds: float) -> None:
        self._buckets[self._bucket(milliseconds)] += 1
        self.count += 1

    def percentile(self, p: float) -> float | None:
        """The upper bound of the bucket holding the p-th percentile, in milliseconds."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * p / 100))
        seen = 0
        for bucket in sorted(self._buckets):
            seen += self._buckets[bucket]
            if seen >= rank:
                return 0.0 if bucket < 0 else _GROWTH ** (bucket + 1)
        raise AssertionError("unreachable: ranks never exceed the count")

    @staticmethod
    def _bucket(milliseconds: float) -> int:
        if milliseconds < 1:
            return -1
        return int(math.log(milliseconds, _GROWTH))


@dataclass(frozen=True)
class AnswerRecord:
    """What one look-up command's answer was, as the stats count it."""

    source: str  # "ai", "cache", "fallback" or "no answer"
    latency_ms: int
    fallback: str | None = None  # the reason's label
    prompt_tokens: int = 0  # spent by this command (not by one it shared a call with)
    completion_tokens: int = 0


@dataclass
class ServiceStats:
    started_wall: float = field(default_factory=time.time)
    commands: Counter[str] = field(default_factory=Counter)  # by kind
    answers: Counter[str] = field(default_factory=Counter)  # lookups by source
    fallbacks: Counter[str] = field(default_factory=Counter)  # by reason label
    cache_hits: int = 0
    cache_misses: int = 0
    model_calls: int = 0
    appstore_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)

    def record_lookup(self, hit: bool) -> None:
        if hit:
            self.cache_hits += 1
        else:
            self.cache_misses += 1

    def record(self, kind: str, scope: RequestScope, answer: AnswerRecord | None) -> None:
        """One command of `kind`; `answer` for look-ups (help and errors have none)."""
        self.commands[kind] += 1
        self.model_calls += scope.model_calls
        self.appstore_calls += scope.appstore_calls
        if answer is None:
            return
        self.prompt_tokens += answer.prompt_tokens
        self.completion_tokens += answer.completion_tokens
        self.latency.add(answer.latency_ms)
        self.answers[answer.source] += 1
        if answer.fallback is not None:
            self.fallbacks[answer.fallback] += 1

    def text(self, cache_backend: str) -> str:
        """The Markdown that `/scout stats` shows."""
        total = sum(self.commands.values())
        lookups = self.cache_hits + self.cache_misses
        hit_rate = f"{self.cache_hits / lookups:.0%}" if lookups else "—"
        p50, p99 = self.latency.percentile(50), self.latency.percentile(99)
        uptime = _duration(time.time() - self.started_wall)
        lines = [
            f"**Trend Scout stats** — this worker (pid {os.getpid()}), up {uptime}",
            f"• Commands: {total}" + _breakdown(self.commands),
            f"• Answers: {sum(self.answers.values())}" + _breakdown(self.answers),
            f"• Cache ({cache_backend}): {hit_rate} hit rate "
            f"({self.cache_hits} of {lookups} lookups)",
            f"• Upstream calls: {self.model_calls} to the model, "
            f"{self.appstore_calls} to the App Store",
            f"• Tokens: {self.prompt_tokens:,} prompt, {self.completion_tokens:,} completion",
            "• Fallbacks: "
            + (
                ", ".join(f"{label} ×{n}" for label, n in self.fallbacks.most_common())
                if self.fallbacks
                else "none"
            ),
            "• Latency: "
            + (f"p50 {_ms(p50)}, p99 {_ms(p99)}" if p50 is not None and p99 is not None else "—")
            + f" over {self.latency.count} answers",
        ]
        return "\n".join(lines)


def _breakdown(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{name} {n}" for name, n in counts.most_common()) + ")"


def _ms(milliseconds: float) -> str:
    return f"{milliseconds / 1000:.1f} s" if milliseconds >= 1000 else f"{milliseconds:.0f} ms"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
