"""A watched app's history: one point per check, oldest first — what its history chart draws."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryPoint:
    """One check of a watched app."""

    day: str  # ISO date
    rating: float | None
    version_rating: float | None
    new_reviews: int | None  # reviews written since the check before (a week's worth)
    rank: int | None  # on its category's top chart (1 = top); None: not on it


@dataclass(frozen=True)
class AppHistory:
    app: str  # its name (untrusted App Store text)
    track_id: int
    points: tuple[HistoryPoint, ...]  # oldest first
