"""Apple's iTunes Search/Lookup results and legacy top-chart feeds, parsed into `AppInfo`.

Pure functions that survive every quirk Apple ships: ratings of 0 with 0 ratings (no data, not
zero stars), missing fields, ratings as long floats, localised genre names beside the English
`primaryGenreName`, `fileSizeBytes` as a string, `{"errorMessage": …}` bodies, and feeds whose
`entry` is one object instead of a list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.appstore.values import AppInfo

RELEASE_NOTES_CHARS = 600  # what an alert quotes of "what's new" is shorter still
APP_KINDS = {"software": "ios", "mac-software": "mac"}


class RecordError(ValueError):
    """The body is not what Apple sends for this request (or is Apple's error shape)."""


@dataclass(frozen=True)
class ChartEntry:
    track_id: int
    name: str
    category: str | None
    artwork_url: str | None


def results(raw: bytes) -> list[dict[str, Any]]:
    """The `results` of a search or lookup body; `RecordError` for anything else."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise RecordError("not JSON") from None
    if not isinstance(data, dict):
        raise RecordError("not an object")
    if "errorMessage" in data:
        raise RecordError(f"Apple error: {str(data['errorMessage'])[:120]}")
    found = data.get("results")
    if not isinstance(found, list):
        raise RecordError("no results list")
    return [item for item in found if isinstance(item, dict)]


def parse_app(record: dict[str, Any]) -> AppInfo | None:
    """One software result as `AppInfo`; None for anything that is not an app."""
    platform = APP_KINDS.get(text_value(record.get("kind")) or "")
    track_id = int_value(record.get("trackId"))
    name = text_value(record.get("trackName"))
    if platform is None or track_id is None or not name:
        return None
    rating, count = _rating(record.get("averageUserRating"), record.get("userRatingCount"))
    cv_rating, cv_count = _rating(
        record.get("averageUserRatingForCurrentVersion"),
        record.get("userRatingCountForCurrentVersion"),
    )
    return AppInfo(
        track_id=track_id,
        name=name,
        seller=text_value(record.get("sellerName")) or text_value(record.get("artistName")),
        category=text_value(record.get("primaryGenreName")),
        rating=rating,
        rating_count=count,
        current_version_rating=cv_rating,
        current_version_rating_count=cv_count,
        price=_float(record.get("price")),
        formatted_price=text_value(record.get("formattedPrice")),
        last_update=_date(record.get("currentVersionReleaseDate")),
        url=text_value(record.get("trackViewUrl")),
        artwork_url=(
            text_value(record.get("artworkUrl512"))
            or text_value(record.get("artworkUrl100"))
            or text_value(record.get("artworkUrl60"))
        ),
        genre_id=int_value(record.get("primaryGenreId")),
        size_bytes=int_value(record.get("fileSizeBytes")),
        platform=platform,
        version=text_value(record.get("version")),
        release_notes=_shortened(record.get("releaseNotes"), RELEASE_NOTES_CHARS),
    )


def _shortened(value: Any, limit: int) -> str | None:
    text = text_value(value)
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_apps(raw: bytes) -> list[AppInfo]:
    return [app for app in map(parse_app, results(raw)) if app is not None]


def feed_entries(raw: bytes) -> list[Any]:
    """The `entry` list of one of Apple's legacy RSS feeds (JSON flavour): charts, reviews."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise RecordError("feed is not JSON") from None
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise RecordError("no feed object")
    entries = feed.get("entry", [])  # an empty feed has no "entry" at all
    if isinstance(entries, dict):  # a one-entry feed has an object, not a list
        entries = [entries]
    if not isinstance(entries, list):
        raise RecordError("feed entry is neither a list nor an object")
    return entries


def chart_entries(raw: bytes) -> list[ChartEntry]:
    """The entries of a legacy RSS top-chart feed (JSON flavour), best first."""
    entries = feed_entries(raw)
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        track_id = int_value(dig(entry, "id", "attributes", "im:id"))
        name = text_value(dig(entry, "im:name", "label"))
        if track_id is None or not name:
            continue
        images = entry.get("im:image")
        artwork = (
            text_value(images[-1].get("label"))
            if isinstance(images, list) and images and isinstance(images[-1], dict)
            else None
        )
        category = text_value(dig(entry, "category", "attributes", "term"))
        parsed.append(ChartEntry(track_id, name, category, artwork))
    return parsed


def dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text_value(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def int_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _rating(value: Any, count: Any) -> tuple[float | None, int | None]:
    """A rating only means something with ratings behind it: 0 with 0 ratings is no data."""
    n = int_value(count)
    rating = _float(value)
    if not n or rating is None or not (1.0 <= rating <= 5.0):
        return None, n
    return rating, n


def _date(value: Any) -> date | None:
    text = text_value(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None
