"""Fallback advice quotes only real facts, per use case, and says what it guessed."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.advice.fallback import advise
from bot.advice.playbooks import PLAYBOOKS, category_guessed_from
from bot.appstore import AppInfo
from bot.commands.grammar import Command, CommandKind

TODAY = date(2026, 11, 23)


def test_fallback_numbers_all_come_from_the_facts() -> None:
    app = AppInfo(
        track_id=1,
        name="Old Calc",
        category="Utilities",
        rating=2.8,
        rating_count=1_234,
        current_version_rating=1.9,
        price=2.99,
        formatted_price="$2.99",
        last_update=TODAY - timedelta(days=800),
    )
    advice = advise(Command(CommandKind.ANALYSIS, "Old Calc"), app, today=TODAY)
    text = advice.text
    assert "2.8★ from 1,234 ratings" in text
    assert "current version rates 1.9★" in text
    assert "800 days ago" in text
    assert "$2.99 up front" in text
    allowed = _numbers(
        " ".join(
            [
                "2.8 1,234 1.9 800 2.99 1 2",
                PLAYBOOKS["Utilities"].monetization,
                PLAYBOOKS["Utilities"].stack,
                *PLAYBOOKS["Utilities"].improvements,
                f"{PLAYBOOKS['Utilities'].weeks[0]} {PLAYBOOKS['Utilities'].weeks[1]}",
            ]
        )
    )
    assert _numbers(text) <= allowed


def test_fallback_without_facts_guesses_the_category_and_says_so() -> None:
    advice = advise(Command(CommandKind.ANALYSIS, "Calculator Pro"), today=TODAY)
    assert advice.category == "Utilities"
    assert advice.category_guessed
    assert "_Category guessed from the name: Utilities._" in advice.text
    assert PLAYBOOKS["Utilities"].monetization in advice.text


def test_each_use_case_has_its_own_advice() -> None:
    analysis = advise(Command(CommandKind.ANALYSIS, "Zzz"), today=TODAY).text
    build = advise(Command(CommandKind.BUILD, "Zzz"), today=TODAY).text
    gaps = advise(Command(CommandKind.GAPS, "health"), today=TODAY).text
    assert "**Monetization**" in analysis and "**Build estimate**" in analysis
    assert "**Stack**" in build and "**Timeline**" in build
    assert "**Market gaps in Health & Fitness**" in gaps
    assert PLAYBOOKS["Health & Fitness"].gaps[0] in gaps


def test_gaps_advice_names_weak_top_apps_with_their_numbers() -> None:
    top = (
        AppInfo(track_id=1, name="Meh Scanner", rating=2.9, rating_count=3_210),
        AppInfo(track_id=2, name="Great Timer", rating=4.8, rating_count=99_000),
    )
    text = advise(Command(CommandKind.GAPS, "Utilities"), top_apps=top, today=TODAY).text
    unhappy = text.split("**Leaders users are unhappy with**")[1]
    assert "- Meh Scanner (2.9★ from 3,210 ratings)" in unhappy
    assert "Great Timer" not in text


def test_the_category_is_guessed_from_the_name() -> None:
    assert category_guessed_from("Super Workout Timer") == "Utilities"  # first rule wins
    assert category_guessed_from("Yoga Daily") == "Health & Fitness"
    assert category_guessed_from("Zzz") is None


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text))
