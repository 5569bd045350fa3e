"""`ReplyView`: what a reply shows, decided once in the core — its heading, ordered sections,
the answer's text, the footer, the follow-up actions (buttons, with the same labels
everywhere) and the chart it shows (its data; each platform draws it through `bot.charts` and
delivers the picture its own way). Platforms map it to their markup and decide nothing.

Text in a view is untrusted unless it says otherwise: every platform escapes it its own way
(mentions, control sequences) before adding its markup around the spans' styles.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from bot.charts import Chart
from bot.report import ReportKind


class Style(Enum):
    PLAIN = "plain"
    STRONG = "strong"
    EMPHASIS = "emphasis"
    CODE = "code"


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = Style.PLAIN


Line = tuple[Span, ...]


def plain_line(text: str) -> Line:
    return (Span(text),)


@dataclass(frozen=True)
class FactsSection:
    """The app the reply is about: its name (a link to its page) and labelled facts."""

    name: str
    url: str | None
    artwork_url: str | None
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LinesSection:
    """A titled block: a headline beside the title, lines under it, and verbatim quotes."""

    title: str
    headline: Line = ()
    lines: tuple[Line, ...] = ()
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSection:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class NoteSection:
    """Small print with a title, e.g. who else is in the market."""

    title: str
    text: str


Section = FactsSection | LinesSection | TableSection | NoteSection


class ActionKind(Enum):
    """What a button does; platforms key their button ids on it."""

    GAPS = "gaps"
    BUILD = "build"
    REFRESH = "refresh"
    RUN = "run"  # another command named by the report (alerts, digests)


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    label: str  # untrusted where it names an app or category
    command: str  # as typed after /scout: buttons carry commands, so they outlive a restart


class Tone(Enum):
    """How the reply feels at a glance (Discord colours its embed by it)."""

    NEUTRAL = "neutral"
    ERROR = "error"
    GOOD = "good"  # a clone score of 70 or more: a strong opportunity
    FAIR = "fair"  # 40–69
    POOR = "poor"  # under 40


@dataclass(frozen=True)
class ReplyView:
    kind: ReportKind
    subject: str
    title: str  # the kind, as people read it: "Opportunity analysis"
    summary: str  # one line for notifications and screen readers
    body: str  # the answer's Markdown (CommonMark), links already made safe
    sections: tuple[Section, ...] = ()
    footer: tuple[str, ...] = ()  # where the answer came from, then notes
    actions: tuple[Action, ...] = ()
    private: bool = False  # help, stats, usage errors, refusals: only for the one who asked
    tone: Tone = Tone.NEUTRAL
    chart: Chart | None = None  # the picture shown with the reply (drawn by the platform)
    # A model's answer (fresh or cached): 👍/👎 under it vote on this id (bot.feedback).
    feedback_id: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.subject} · {self.title}"

    def without_chart(self, problem: str | None = None) -> ReplyView:
        """The reply without its picture; `problem` (why it could not be shown, in words for
        the reader) ends the footer."""
        footer = self.footer if problem is None else (*self.footer, chart_problem(problem))
        return replace(self, chart=None, footer=footer)


def chart_problem(reason: str) -> str:
    """The footer line that says why the chart is missing."""
    return f"Chart not shown: {reason}"
