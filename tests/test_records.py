"""Parsing Apple's recorded responses: every quirk in the fixtures."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.appstore.records import RecordError, chart_entries, parse_app, parse_apps, results
from tests.fake_appstore import FIXTURES


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_facebook_lookup() -> None:
    [app] = parse_apps(raw("lookup-facebook.json"))
    assert app.track_id == 284882215
    assert app.name == "Facebook"
    assert app.seller == "Facebook, Inc."
    assert app.category == "Social Networking"
    assert (app.rating, app.rating_count) == (3.5, 2_840_784)
    assert (app.current_version_rating, app.current_version_rating_count) == (1.5, 3328)
    assert app.last_update is None  # no currentVersionReleaseDate in this record
    assert app.size_bytes == 67_617_695  # sent as a string
    assert (app.price, app.formatted_price) == (0.0, "Free")
    assert app.genre_id == 6005
    assert app.platform == "ios"
    assert app.url and "id284882215" in app.url
    assert app.artwork_url and app.artwork_url.startswith("http")


def test_zero_rating_with_zero_ratings_is_no_data() -> None:
    apps = parse_apps(raw("search-things-mac.json"))
    things = next(a for a in apps if a.name == "Things 3")
    assert things.rating is None
    assert things.rating_count == 0
    assert things.current_version_rating is None
    assert things.platform == "mac"


def test_long_float_ratings_are_kept_and_dates_parsed() -> None:
    apps = parse_apps(raw("search-things-mac.json"))
    planny = next(a for a in apps if a.name.startswith("Planny"))
    assert planny.rating == pytest.approx(4.38973)
    assert f"{planny.rating:.1f}" == "4.4"
    assert planny.last_update == date(2020, 7, 30)


def test_localised_genres_keep_the_english_category() -> None:
    [whatsapp] = parse_apps(raw("lookup-whatsapp-hk.json"))
    assert whatsapp.category == "Social Networking"
    assert whatsapp.formatted_price == "免費"
    [french] = parse_apps(raw("lookup-fr.json"))
    assert french.category == "Utilities"
    assert (french.rating, french.current_version_rating) == (3.5, 1.0)


def test_error_and_empty_bodies() -> None:
    with pytest.raises(RecordError, match="Apple error: Invalid value"):
        results(raw("error-invalid-key.json"))
    assert parse_apps(raw("lookup-empty.json")) == []
    for body in (b"", b"<html>throttled</html>", b"[]", b'{"results": 3}'):
        with pytest.raises(RecordError):
            results(body)


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"kind": "podcast", "trackId": 1, "trackName": "A show"},
        {"kind": "software", "trackName": "No id"},
        {"kind": "software", "trackId": 1, "trackName": ""},
    ],
)
def test_records_that_are_not_apps_are_skipped(record: dict[str, object]) -> None:
    assert parse_app(record) is None


def test_wrong_types_become_unknown_not_errors() -> None:
    app = parse_app(
        {
            "kind": "software",
            "trackId": "42",
            "trackName": "Odd",
            "averageUserRating": "4.5",
            "userRatingCount": True,
            "price": None,
            "currentVersionReleaseDate": "yesterday",
            "fileSizeBytes": "12a",
        }
    )
    assert app is not None
    assert app.track_id == 42
    assert (app.rating, app.rating_count, app.price, app.last_update, app.size_bytes) == (
        None,
        None,
        None,
        None,
        None,
    )


def test_feeds_with_a_list_and_with_a_single_object() -> None:
    listed = chart_entries(raw("topfree-hk-6002.json"))
    assert [(e.track_id, e.category) for e in listed] == [
        (310633997, "Social Networking"),
        (1289157855, "Games"),
    ]
    [single] = chart_entries(raw("topgrossing-hk-single.json"))
    assert single.track_id == 1289157855
    assert single.artwork_url and single.artwork_url.endswith(".png")
    assert chart_entries(json.dumps({"feed": {"title": {"label": "x"}}}).encode()) == []
    with pytest.raises(RecordError):
        chart_entries(b'{"nofeed": 1}')
