"""App Store facts as values: an app (`AppInfo`), a customer review (`Review`), and what a
catalog lookup found (`AppLookup`, `ChartLookup`, `ReviewsLookup`). Plain data, no parsing: the
parsers (records, review_records) and the catalog port (catalog) all build on this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


@dataclass(frozen=True)
class AppInfo:
    track_id: int
    name: str
    seller: str | None = None
    category: str | None = None  # English primaryGenreName, e.g. "Utilities"
    rating: float | None = None  # None: no ratings yet (Apple sends 0 with a count of 0)
    rating_count: int | None = None
    current_version_rating: float | None = None
    current_version_rating_count: int | None = None
    price: float | None = None
    formatted_price: str | None = None
    last_update: date | None = None
    url: str | None = None
    artwork_url: str | None = None
    genre_id: int | None = None
    size_bytes: int | None = None
    platform: str = "ios"  # "ios" or "mac" (Apple's kind "software" / "mac-software")
    version: str | None = None  # the current version's number, as Apple writes it
    release_notes: str | None = None  # what's new in it (shortened)

    @property
    def rating_summary(self) -> str:
        """ "4.0★ from 98,311 ratings"; never "0★" for an app nobody has rated."""
        if self.rating_count is None:
            return "rating unknown"
        if self.rating is None or self.rating_count == 0:
            return "no ratings yet"
        return f"{self.rating:.1f}★ from {self.rating_count:,} ratings"

    def days_since_update(self, today: date) -> int | None:
        if self.last_update is None:
            return None
        return max(0, (today - self.last_update).days)


class LookupStatus(Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # the App Store could not be asked (throttled, down, slow)


@dataclass(frozen=True)
class AppLookup:
    status: LookupStatus
    app: AppInfo | None = None
    suggestions: tuple[str, ...] = ()  # nearest names when nothing matched
    others: tuple[AppInfo, ...] = ()  # the search's other iOS results (competitors come from here)


@dataclass(frozen=True)
class ChartLookup:
    """A category's current top apps, best first, with ratings where Apple gave them."""

    status: LookupStatus
    apps: tuple[AppInfo, ...] = ()


@dataclass(frozen=True)
class Review:
    review_id: str
    stars: int  # 1–5
    title: str
    text: str
    version: str | None = None
    day: date | None = None  # when it was written; older JSON feeds leave it out
    votes: int = 0  # how many found it helpful (im:voteSum)
    helpful_feed: bool = False  # read from the "most helpful" feed rather than "most recent"


@dataclass(frozen=True)
class ReviewsLookup:
    """An app's customer reviews in one store: most recent first, then the most helpful ones
    not among them. FOUND with none means the app has no reviews there."""

    status: LookupStatus
    reviews: tuple[Review, ...] = ()
