"""`Report`: the platform-free result of one command. Adapters render it; nothing else does."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from bot.advice import CloneScore, ComparedApp, Opportunity, ReviewEvidence
from bot.ai import TokenUsage
from bot.appstore import AppInfo
from bot.report.history import AppHistory


class ReportKind(Enum):
    ANALYSIS = "analysis"
    GAPS = "gaps"
    BUILD = "build"
    COMPARE = "compare"
    FIND = "find"  # a market scanned, its best opportunities ranked
    ANSWER = "answer"  # a follow-up question's answer, in a conversation
    WATCH = "watch"  # a watch set up, removed or listed
    ALERTS = "alerts"  # what moved among a channel's watches, posted by a check
    DIGEST = "digest"  # a channel's weekly trend digest
    HELP = "help"
    STATS = "stats"
    ERROR = "error"


class Source(Enum):
    AI = "ai"
    CACHE = "cache"
    FALLBACK = "fallback"


class FallbackReason(Enum):
    """Why the model was not used; `label` is what the user reads."""

    NO_KEY = "no_key"
    KEY_REJECTED = "key_rejected"
    CREDITS_EXHAUSTED = "credits_exhausted"
    MODEL_UNAVAILABLE = "model_unavailable"
    REQUEST_REJECTED = "request_rejected"
    UPSTREAM_DOWN = "upstream_down"
    TIMED_OUT = "timed_out"
    EMPTY_ANSWER = "empty_answer"
    RESTARTING = "restarting"
    INTERNAL_ERROR = "internal_error"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    FallbackReason.NO_KEY: "No Hugging Face key is configured",
    FallbackReason.KEY_REJECTED: "The Hugging Face key was rejected",
    FallbackReason.CREDITS_EXHAUSTED: "AI credits are exhausted",
    FallbackReason.MODEL_UNAVAILABLE: "The AI model is not available right now",
    FallbackReason.REQUEST_REJECTED: "The AI service rejected the request",
    FallbackReason.UPSTREAM_DOWN: "The AI service is down or overloaded",
    FallbackReason.TIMED_OUT: "The AI service took too long",
    FallbackReason.EMPTY_ANSWER: "The AI model returned no usable answer",
    FallbackReason.RESTARTING: "Trend Scout is restarting",
    FallbackReason.INTERNAL_ERROR: "Something went wrong on our side",
}


@dataclass(frozen=True)
class FollowUp:
    """A button under a reply that runs another command (`command` as typed after /scout)."""

    label: str
    command: str


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    subject: str
    text: str  # Markdown
    source: Source | None = None  # None for help and error replies
    app: AppInfo | None = None
    clone_score: CloneScore | None = None
    top_apps: tuple[AppInfo, ...] = ()
    model: str | None = None
    provider: str | None = None
    latency_ms: int = 0
    usage: TokenUsage | None = None
    fallback_reason: FallbackReason | None = None
    notes: tuple[str, ...] = field(default=())
    reviews: ReviewEvidence | None = None  # what the app's (or the top apps') users say
    competitors: tuple[AppInfo, ...] = ()  # the most-rated other apps of its category
    comparison: tuple[ComparedApp, ...] = ()  # compare: the apps side by side, in asked order
    follow_ups: tuple[FollowUp, ...] = ()  # alerts and digests: buttons for the apps named
    opportunities: tuple[Opportunity, ...] = ()  # find: the market's best, ranked
    history: AppHistory | None = None  # a watched app over time (watch history, alerts, digests)
    answer_id: str | None = None  # the model's answer, for feedback (votes); None otherwise

    @property
    def is_reply_private(self) -> bool:
        """Help, stats and usage errors concern only the person who typed them; adapters show
        them as plain text."""
        return self.kind in (ReportKind.HELP, ReportKind.STATS, ReportKind.ERROR)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, used by `--json` and logs."""
        data: dict[str, Any] = json_ready(asdict(self))
        data["opportunities"] = [opportunity_json(found) for found in self.opportunities]
        return data


def opportunity_json(found: Opportunity) -> dict[str, Any]:
    """One ranked opportunity for `--json`: `{app: {id, name, …}, score, parts, why}` (and its
    chart ranks and review evidence)."""
    app = json_ready(asdict(found.app))
    return {
        "app": {"id": found.app.track_id, **app},
        "score": found.score.total,
        "parts": [json_ready(asdict(part)) for part in found.score.parts],
        "why": found.why,
        "ranks": asdict(found.ranks),
        "reviews": json_ready(asdict(found.reviews)) if found.reviews is not None else None,
    }


def json_ready(value: Any) -> Any:
    """Enums as their values, dates as ISO text, tuples as lists: ready for `json.dumps`."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value
