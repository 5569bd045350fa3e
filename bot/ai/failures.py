"""What can go wrong with the model, in the router's own words: `FailureKind` and
`RouterFailure` for callers (the service maps them to what users are told), and the signals the
router's policy passes between its attempts."""

from __future__ import annotations

from enum import Enum


class FailureKind(Enum):
    """Why the router gave no usable answer."""

    NO_KEY = "no_key"
    KEY_REJECTED = "key_rejected"
    CREDITS_EXHAUSTED = "credits_exhausted"
    MODEL_UNAVAILABLE = "model_unavailable"
    REQUEST_REJECTED = "request_rejected"
    UPSTREAM_DOWN = "upstream_down"
    TIMED_OUT = "timed_out"
    EMPTY_ANSWER = "empty_answer"


# Failures that say the upstream itself is unhealthy; they feed the circuit breaker.
UNHEALTHY = frozenset({FailureKind.UPSTREAM_DOWN, FailureKind.TIMED_OUT})


class RouterFailure(Exception):
    """No usable answer; `kind` says why."""

    def __init__(self, kind: FailureKind, detail: str, upstream_calls: int) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.upstream_calls = upstream_calls


class Retry(Exception):
    def __init__(self, kind: FailureKind, detail: str, delay: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.delay = delay  # what the server asked for, if it did


class NextModel(Exception):
    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class StopChain(Exception):
    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class LengthEmpty(Exception):
    """Reasoning ate the whole budget; content is empty."""


class ToolsRefused(Exception):
    """The provider or model cannot use tools (a 400 naming them): ask again without."""
