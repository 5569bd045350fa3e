"""What a command shows while it works: its plan steps and the answer's text as the model writes it.

The service writes to a `ProgressFeed`; adapters listen and draw it live (a Slack stream, an
edited Discord embed, the console's status line). The final `Report` stays the one contract —
progress is only ever a preview of it. A feed is state, not a log of events: a listener that
subscribes late (a second user asking the same question) is shown the state so far at once and
then follows along, so it never misses the beginning of the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

log = logging.getLogger(__name__)


class StepStatus(Enum):
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    UNAVAILABLE = "unavailable"

    @property
    def finished(self) -> bool:
        return self is not StepStatus.RUNNING


class StepKey(Enum):
    """The steps of a command, in the order they happen."""

    APPSTORE = "appstore"
    CHARTS = "charts"  # a market scan (`/scout find`): its charts, then their batched look-ups
    LOOKUPS = "lookups"
    REVIEWS = "reviews"
    SCORE = "score"
    MODEL = "model"


@dataclass(frozen=True)
class Step:
    key: StepKey | str  # a fixed step, or one of the model's look-ups ("lookup:call_1")
    title: str  # what is being done: "Looking up Calculator Pro in the US App Store"
    status: StepStatus = StepStatus.RUNNING
    detail: str = ""  # its outcome, once finished: "4.6★ from 12,400 ratings"

    @property
    def id(self) -> str:
        return self.key.value if isinstance(self.key, StepKey) else self.key


@dataclass(frozen=True)
class Progress:
    """One moment of a command's progress."""

    steps: tuple[Step, ...]
    text: str  # the answer so far, as the model wrote it (untrusted, like all model text)
    version: int  # grows with every change, so a renderer can tell whether anything moved


class ProgressListener(Protocol):
    def progressed(self, feed: ProgressFeed) -> None:
        """Something changed. Called on the event loop; must not block (read `feed.snapshot()`
        now or later)."""
        ...


class ProgressFeed:
    def __init__(self) -> None:
        self._steps: dict[StepKey | str, Step] = {}
        self._pieces: list[str] = []
        self._text = ""
        self._joined = 0  # how many pieces `_text` holds
        self.version = 0
        self._listeners: list[ProgressListener] = []

    # -- writing (the service) -----------------------------------------------------------
    def step(
        self,
        key: StepKey | str,
        title: str,
        status: StepStatus = StepStatus.RUNNING,
        detail: str = "",
    ) -> None:
        """Start a step, or finish it (the title of a step already shown may be kept by passing
        it again)."""
        self._steps[key] = Step(key, title, status, detail)
        self._changed()

    def finish(self, key: StepKey | str, status: StepStatus, detail: str = "") -> None:
        """Finish a step that was started (does nothing for one that was not)."""
        started = self._steps.get(key)
        if started is not None:
            self.step(key, started.title, status, detail)

    def write(self, piece: str) -> None:
        """More of the answer (the router calls this for every streamed piece)."""
        if piece:
            self._pieces.append(piece)
            self._changed()

    # -- reading (the adapters) ----------------------------------------------------------
    @property
    def text(self) -> str:
        if self._joined < len(self._pieces):  # joined on demand: a piece costs O(1) to write
            self._text = "".join(self._pieces)
            self._pieces = [self._text]
            self._joined = 1
        return self._text

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps.values())

    def snapshot(self) -> Progress:
        return Progress(self.steps, self.text, self.version)

    def subscribe(self, listener: ProgressListener) -> None:
        """Follow this feed; shown what happened so far at once."""
        self._listeners.append(listener)
        if self.version:
            self._tell(listener)

    def unsubscribe(self, listener: ProgressListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        self.version += 1
        for listener in tuple(self._listeners):
            self._tell(listener)

    def _tell(self, listener: ProgressListener) -> None:
        try:
            listener.progressed(self)
        except Exception:  # a broken renderer must not break the command
            log.exception("progress listener failed")


class SharedFeeds:
    """One feed per question in flight, shared by everyone asking it (the answer is shared by
    single-flight, so its progress is too); dropped when the last of them has its answer."""

    def __init__(self) -> None:
        self._feeds: dict[Hashable, tuple[ProgressFeed, int]] = {}

    def __len__(self) -> int:
        return len(self._feeds)

    def join(self, key: Hashable) -> ProgressFeed:
        feed, users = self._feeds.get(key, (None, 0))
        feed = feed or ProgressFeed()
        self._feeds[key] = (feed, users + 1)
        return feed

    def leave(self, key: Hashable) -> None:
        feed, users = self._feeds[key]
        if users <= 1:
            del self._feeds[key]
        else:
            self._feeds[key] = (feed, users - 1)
