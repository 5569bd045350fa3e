"""The command being worked on: its request id, who asked from where, and what it cost upstream.

Held in a context variable, so every log line written while the command runs carries its id
(whatever logger wrote it), and the upstream clients can count their calls against it without
being handed it. Each adapter runs a command in a task of its own, so scopes never mix.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Who sent a command: the platform, the user's id there, and where they are."""

    platform: str  # "slack", "discord" or "console"
    user_id: str = ""
    workspace: str | None = None  # Slack team or Discord guild; None in DMs and the console
    is_admin: bool = False  # may see `/scout stats`
    language: str | None = None  # the user's language (their locale), for answers; None: English

    @property
    def limit_key(self) -> str:
        """Whose per-user limit a command counts against (user ids are unique per platform)."""
        return f"{self.platform}:{self.user_id}"


CONSOLE = Caller("console", "console", is_admin=True)  # the operator at the terminal


@dataclass
class RequestScope:
    request_id: str
    caller: Caller
    model_calls: int = 0
    appstore_calls: int = 0
    # Tokens of the model calls made on the way to the answer (e.g. theming reviews); the
    # answer's own are on its report.
    side_prompt_tokens: int = 0
    side_completion_tokens: int = 0

    @property
    def upstream_calls(self) -> int:
        return self.model_calls + self.appstore_calls


_current: ContextVar[RequestScope | None] = ContextVar("trend_scout_request", default=None)


def begin_request(caller: Caller) -> RequestScope:
    """Start a command's scope in the current task (and the tasks it starts)."""
    scope = RequestScope(secrets.token_hex(4), caller)
    _current.set(scope)
    return scope


def current_request() -> RequestScope | None:
    return _current.get()


def count_model_call() -> None:
    if (scope := _current.get()) is not None:
        scope.model_calls += 1


def count_side_tokens(prompt_tokens: int, completion_tokens: int) -> None:
    """Tokens spent by a model call that is not the answer's own (its report carries those)."""
    if (scope := _current.get()) is not None:
        scope.side_prompt_tokens += prompt_tokens
        scope.side_completion_tokens += completion_tokens


def count_appstore_call() -> None:
    if (scope := _current.get()) is not None:
        scope.appstore_calls += 1
