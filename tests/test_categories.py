"""App Store categories: Apple's names, genre ids, and what users type."""

from __future__ import annotations

import pytest

from bot.appstore import GENRE_IDS, category_named


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("utilities", "Utilities"),
        ("UTILITIES", "Utilities"),
        ("health", "Health & Fitness"),
        ("Health & Fitness", "Health & Fitness"),
        ("health and fitness", "Health & Fitness"),
        ("games", "Games"),
        ("photo", "Photo & Video"),
        ("Photo & Video", "Photo & Video"),
        ("  developer   tools ", "Developer Tools"),
        ("nonsense", None),
        ("", None),
    ],
)
def test_category_names_and_aliases(typed: str, category: str | None) -> None:
    assert category_named(typed) == category


def test_every_category_has_a_distinct_genre_id() -> None:
    assert len(set(GENRE_IDS.values())) == len(GENRE_IDS) >= 26
    assert GENRE_IDS["Utilities"] == 6002
