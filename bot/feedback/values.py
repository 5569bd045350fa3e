"""The values of feedback: one answer the model wrote (`ModelAnswer`), a vote on it, what a vote
did, the tally of votes per kind of answer, and `AnswerLog`, what the service records answers in
(a protocol, so the service needs no database)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

# Answer ids are made here (32 hex digits): short enough for a Discord custom_id or a Slack
# button value with room to spare, and checked before any look-up (buttons carry them back).
_ANSWER_ID = re.compile(r"^[0-9a-f]{32}$")


def new_answer_id() -> str:
    return uuid.uuid4().hex


def is_answer_id(text: str) -> bool:
    """Whether `text` has the form of an answer id (it may still be unknown)."""
    return bool(_ANSWER_ID.match(text))


@dataclass(frozen=True)
class ModelAnswer:
    """One answer the model wrote for a command, with exactly what it was asked."""

    answer_id: str
    kind: str  # the kind of answer: analysis, gaps, build, compare, find (ReportKind's value)
    subject: str
    command: str  # the command as asked (normalised: `Command.as_text()`)
    messages: tuple[dict[str, Any], ...]  # exactly what the model was sent, OpenAI chat form
    answer: str  # the answer's text as the model wrote it
    model: str  # the model asked for (AI_MODEL or a fallback of the chain), not the provider's id
    created_at: float  # seconds since the epoch
    platform: str | None = None  # where the asker was (each optional; erased on uninstall
    workspace: str | None = None  # but for the platform)
    channel: str | None = None
    cut_short: bool = False  # the answer was truncated: never exported for fine-tuning


class Vote(Enum):
    UP = "up"
    DOWN = "down"

    @property
    def emoji(self) -> str:
        return "👍" if self is Vote.UP else "👎"


class VoteResult(Enum):
    """What a vote did."""

    NEW = "new"  # the user's first vote on this answer
    CHANGED = "changed"  # their earlier vote was the other one
    UNCHANGED = "unchanged"  # they had voted the same already
    UNKNOWN_ANSWER = "unknown_answer"  # no such answer (never recorded, or purged)


@dataclass(frozen=True)
class VoteTally:
    """The votes on one kind of answer."""

    up: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def share_up(self) -> float | None:
        """The share of 👍 among the votes (None without votes)."""
        return self.up / self.total if self.total else None


@dataclass(frozen=True)
class ForgottenWorkspace:
    """What erasing a workspace touched: votes whose voter was erased, answers whose asker's
    workspace and channel were."""

    votes: int
    answers: int


class AnswerLog(Protocol):
    """Where the service records the model's answers. `record_answer` returns at once, never
    raises: the write happens in the background, off the reply's path."""

    def record_answer(self, answer: ModelAnswer) -> None: ...

    async def shares(self) -> dict[str, VoteTally]:
        """The votes per kind of answer, across every worker."""
        ...
