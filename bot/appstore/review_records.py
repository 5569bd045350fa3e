"""Apple's customer-reviews feeds (`/rss/customerreviews/…/json` and `…/xml`) parsed into
`Review`s: pure functions that survive every shape Apple ships.

Quirks handled: `entry` as a list, a single object, or absent (no reviews); older JSON feeds put
the app itself first, as an entry without `im:rating`; JSON entries may carry no date while XML
ones always do; XML entries have two `content` elements (text and html, only the text is read);
votes come as strings; text is in the store's language. Anything else is a `RecordError`, never
an exception of another kind. XML with a DOCTYPE is refused outright (no entity expansion).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, datetime
from typing import Any

from bot.appstore.records import RecordError, dig, feed_entries, int_value, text_value
from bot.appstore.values import Review

ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://itunes.apple.com/rss}"
MAX_TEXT_CHARS = 4000  # Apple caps reviews near this; anything longer is not a review


def parse_json_feed(raw: bytes) -> list[Review]:
    reviews = []
    for entry in feed_entries(raw):
        if not isinstance(entry, dict):
            continue
        review = _review(
            review_id=_label(entry.get("id")),
            stars=_label(entry.get("im:rating")),
            title=_label(entry.get("title")),
            text=_json_text(entry.get("content")),
            version=_label(entry.get("im:version")),
            updated=_label(entry.get("updated")),
            votes=_label(entry.get("im:voteSum")),
        )
        if review is not None:
            reviews.append(review)
    return reviews


def parse_xml_feed(raw: bytes) -> list[Review]:
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise RecordError("reviews feed declares a DOCTYPE")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise RecordError("reviews feed is not XML") from None
    if root.tag != f"{ATOM}feed":
        raise RecordError("no Atom feed")
    reviews = []
    for entry in root.iter(f"{ATOM}entry"):
        text = next(
            (c.text or "" for c in entry.iter(f"{ATOM}content") if c.get("type") == "text"), ""
        )
        review = _review(
            review_id=entry.findtext(f"{ATOM}id"),
            stars=entry.findtext(f"{ITUNES}rating"),
            title=entry.findtext(f"{ATOM}title"),
            text=text,
            version=entry.findtext(f"{ITUNES}version"),
            updated=entry.findtext(f"{ATOM}updated"),
            votes=entry.findtext(f"{ITUNES}voteSum"),
        )
        if review is not None:
            reviews.append(review)
    return reviews


def _review(
    *,
    review_id: Any,
    stars: Any,
    title: Any,
    text: Any,
    version: Any,
    updated: Any,
    votes: Any,
) -> Review | None:
    """A review from raw fields; None for an entry that is not one (no id or rating)."""
    rating = int_value(stars)
    identifier = text_value(review_id)
    if rating is None or not 1 <= rating <= 5 or not identifier:
        return None
    return Review(
        review_id=identifier[:40],
        stars=rating,
        title=(text_value(title) or "")[:300],
        text=(text_value(text) or "")[:MAX_TEXT_CHARS],
        version=_short(version, 40),
        day=_day(updated),
        votes=max(0, int_value(votes) or 0),
    )


def _short(value: Any, limit: int) -> str | None:
    text = text_value(value)
    return text[:limit] if text else None


def _label(value: Any) -> Any:
    return value.get("label") if isinstance(value, dict) else value


def _json_text(content: Any) -> Any:
    """`content` is one object, or a list with a text and an html part."""
    if isinstance(content, list):
        parts = [c for c in content if isinstance(c, dict)]
        text_parts = [c for c in parts if dig(c, "attributes", "type") == "text"]
        content = (text_parts or parts or [None])[0]
    return _label(content)


def _day(value: Any) -> date | None:
    text = text_value(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None
