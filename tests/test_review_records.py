"""Customer-review feeds as Apple ships them, JSON and XML: the recorded pages, every quirk, and
any other shape answered with `RecordError`, never another exception."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.appstore import RecordError, parse_json_feed, parse_xml_feed
from tests.fake_appstore import EMPTY_XML_FEED, FIXTURES

WEBSTER = (FIXTURES / "reviews-webster-us.json").read_bytes()
REALITY = (FIXTURES / "reviews-jp-1404176564.xml").read_bytes()


def test_the_webster_page_json_has_fifty_undated_reviews_of_one_version() -> None:
    reviews = parse_json_feed(WEBSTER)
    assert len(reviews) == 50
    assert len({r.review_id for r in reviews}) == 50
    assert sorted({r.stars for r in reviews}) == [1, 2, 3, 4, 5]
    assert {r.version for r in reviews} == {"8.0.9"}
    assert all(r.day is None for r in reviews)  # older JSON feeds carry no date
    first = reviews[0]
    assert (first.review_id, first.stars) == ("7175647643", 2)
    assert first.title.startswith("Mobile app cannot recognize endorsement")
    assert "business sized checks" in first.text


def test_the_reality_page_xml_is_dated_japanese_text_only() -> None:
    reviews = parse_xml_feed(REALITY)
    assert len(reviews) == 50
    assert reviews[0].day == date(2020, 8, 12)
    assert reviews[0].title == "髪型追加してもらいたい"
    assert reviews[0].text.startswith("いろんな髪型追加して欲しい")  # never mangled
    assert all("<table" not in r.text for r in reviews)  # the html content is not read
    assert len({r.version for r in reviews}) == 7


def _feed(entry: Any) -> bytes:
    feed: dict[str, Any] = {"author": {"name": {"label": "iTunes Store"}}}
    if entry is not None:
        feed["entry"] = entry
    return json.dumps({"feed": feed}).encode()


REVIEW = {
    "id": {"label": "1"},
    "im:rating": {"label": "4"},
    "title": {"label": "Nice"},
    "content": [
        {"label": "Good app", "attributes": {"type": "text"}},
        {"label": "<b>Good app</b>", "attributes": {"type": "html"}},
    ],
    "im:voteSum": {"label": "12"},
    "updated": {"label": "2024-05-01T10:00:00-07:00"},
}
APP_ENTRY = {"id": {"label": "https://apps.apple.com/app/id1"}, "im:name": {"label": "An app"}}


@pytest.mark.parametrize(
    ("entry", "count"),
    [(None, 0), ([], 0), (REVIEW, 1), ([APP_ENTRY, REVIEW], 1), ([REVIEW, "junk", 3], 1)],
    ids=["absent", "empty", "one-object", "app-first", "junk"],
)
def test_every_entry_shape(entry: Any, count: int) -> None:
    reviews = parse_json_feed(_feed(entry))
    assert len(reviews) == count
    if count:
        assert (reviews[0].text, reviews[0].votes) == ("Good app", 12)  # text part; votes parsed
        assert reviews[0].day == date(2024, 5, 1)


def test_an_empty_xml_feed_has_no_reviews_and_a_doctype_is_refused() -> None:
    assert parse_xml_feed(EMPTY_XML_FEED.encode()) == []
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    with pytest.raises(RecordError):
        parse_xml_feed(bomb)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(json_values)
def test_any_json_is_reviews_or_a_record_error(value: Any) -> None:
    for raw in (json.dumps(value).encode(), json.dumps({"feed": value}).encode()):
        try:
            reviews = parse_json_feed(raw)
        except RecordError:
            continue
        assert all(1 <= r.stars <= 5 and r.review_id for r in reviews)


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_reviews_or_a_record_error(raw: bytes) -> None:
    for parse in (parse_json_feed, parse_xml_feed):
        with contextlib.suppress(RecordError):  # anything else fails the test
            parse(raw)
