"""The review rules on the phrasings users write, in each language with rules: bug reports (the
"crashes & bugs" theme) and feature requests found, and what is neither — praise, price and ads,
"no bugs", "never crashes", a question, a thanks for what was added. A review in a language
without rules is counted but never themed."""

from __future__ import annotations

import pytest

from bot.advice import THEMES, passage, read_review, review_language
from bot.advice.theme_rules import RULES

BUGS_EN = [
    "Crashes every time I open a photo.",
    "Won't open since the latest update.",
    "keeps freezing on the checkout screen",
    "Doesnt work since the update",
    "I can't log in anymore, it says my password is wrong",
    "Opened it and got a black screen.",
    "Lost all my data after the update!!!",
    "I get an error message every time I upload",
    "Fun game but really glitchy.",
    "Feed is not loading at all.",
    "app keeps crashng when i open my profile",
    "Stuck on the loading screen forever.",
    "It logs me out every few minutes.",
    "Very laggy and takes forever to load each page.",
    "Would be perfect if it didn't crash every time I open the settings.",
    "Payments fail every time, tried 3 different cards.",
    "plz fix the bug where the app closes when i post",
]
REQUESTS_EN = [
    "Please add a dark mode.",
    "I wish there was a way to export my data.",
    "Would be nice if you could sort by date.",
    "It would be better if I could choose the reminder days.",
    "should have an option to turn off the sounds",
    "Needs a home screen widget.",
    "Add an option to hide completed tasks please",
    "Hope you add more themes in the future.",
    "Bring back the old layout!",
    "Missing a basic feature: there is no way to edit a transaction.",
    "Why can't I change the font size?",
    "Can you please add widgets for the lock screen?",
    "pleeease add more languages",
    "Any chance of a Windows version?",
]
NEITHER_EN = [
    "Love this app, use it every day!",
    "Great app, easy to use and never crashes.",
    "Smooth, fast, no bugs so far.",
    "Haven't found a single bug.",
    "Way too expensive for what it is.",
    "Ads every 30 seconds. So annoying.",
    "The update is great, much cleaner look.",
    "I wish I had found this app sooner!",
    "Thank you for adding the dark mode!",
    "How do I change my username?",
    "Nice app but I wish the premium was cheaper.",
    "It used to crash a lot but the last update fixed it.",
    "Great crash course in photography basics.",
    "Better than the other apps, which always crash.",
]


def bug(text: str) -> bool:
    reading = read_review(text)
    return reading is not None and reading.reports_bug


def request(text: str) -> str | None:
    reading = read_review(text)
    return None if reading is None else reading.request


@pytest.mark.parametrize("text", BUGS_EN)
def test_english_bug_reports_are_found(text: str) -> None:
    assert bug(text)


@pytest.mark.parametrize("text", REQUESTS_EN)
def test_english_feature_requests_are_found(text: str) -> None:
    asked = request(text)
    assert asked is not None and asked in text


@pytest.mark.parametrize("text", NEITHER_EN)
def test_praise_price_negation_and_questions_are_neither(text: str) -> None:
    reading = read_review(text)
    assert reading is not None and not reading.reports_bug and reading.request is None


def test_a_request_is_quoted_as_its_own_sentence() -> None:
    text = passage("Good but", "I love the charts. It crashes sometimes. Please add a widget!")
    reading = read_review(text)
    assert reading is not None and reading.reports_bug
    assert reading.request == "Please add a widget!"


@pytest.mark.parametrize(
    ("text", "language", "is_bug", "is_request"),
    [
        ("アプリを起動したら強制終了してしまいます", "ja", True, False),
        ("急にアプリがひらけなくなった", "ja", True, False),
        ("ログインできなくなりました。", "ja", True, False),
        ("いろんな髪型追加して欲しい", "ja", False, True),
        ("垂れ犬耳実装お願いします", "ja", False, True),
        ("バグがなければ最高のアプリです", "ja", False, False),
        ("早く直して欲しいです！", "ja", True, False),
        ("Die App stürzt ständig ab.", "de", True, False),
        ("Seit dem Update lässt sich die App nicht mehr öffnen.", "de", True, False),
        ("Bitte einen Dunkelmodus einbauen, das wäre super.", "de", False, True),
        ("Tolle App, stürzt nie ab und ist sehr übersichtlich.", "de", False, False),
        ("L'application plante tout le temps.", "fr", True, False),
        ("Impossible de se connecter depuis la mise à jour.", "fr", True, False),
        ("Ce serait bien d'avoir un mode sombre.", "fr", False, True),
        ("Super appli, aucun bug et très pratique.", "fr", False, False),
        ("La aplicación se cierra sola cada vez que la abro.", "es", True, False),
        ("No me deja iniciar sesión desde la actualización.", "es", True, False),
        ("Me gustaría que agreguen el modo oscuro.", "es", False, True),
        ("Excelente aplicación, nunca falla y es muy fácil de usar.", "es", False, False),
        ("O aplicativo trava toda hora e fecha sozinho.", "pt", True, False),
        ("Não consigo entrar na minha conta.", "pt", True, False),
        ("Seria muito bom se tivesse modo escuro, por favor adicionem.", "pt", False, True),
        ("Muito bom, sem bugs e fácil de usar.", "pt", False, False),
    ],
)
def test_the_largest_other_stores_are_themed_in_their_language(
    text: str, language: str, is_bug: bool, is_request: bool
) -> None:
    reading = read_review(text)
    assert reading is not None and reading.language == language
    assert reading.reports_bug is is_bug
    assert (reading.request is not None) is is_request


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The app keeps crashing", "en"),
        ("crashes", "en"),
        ("REALITY Avatar", "en"),
        ("通知が届きません。", "ja"),
        ("Das ist eine tolle App, aber sie ist langsam", "de"),
        ("C'est une très bonne application", "fr"),
        ("Es una aplicación muy buena pero lenta", "es"),
        ("É um aplicativo muito bom mas não abre", "pt"),
        ("앱이 계속 꺼져요 업데이트 후에", None),
        ("Приложение постоянно вылетает", None),
        ("这个应用经常闪退", None),
    ],
)
def test_the_language_is_told_from_the_text(text: str, language: str | None) -> None:
    assert review_language(text) == language


def test_a_language_without_rules_is_counted_never_themed() -> None:
    assert read_review("앱이 계속 꺼져요. 다크 모드 추가해 주세요") is None


def test_every_language_covers_the_themes_and_every_phrase_compiles() -> None:
    keys = {rule.key for rule in THEMES} - {"crashes"}  # the crashes theme: faults, symptoms
    for language, rules in RULES.items():
        assert set(rules.themes) <= keys, language
        assert rules.faults and rules.symptoms and rules.requests, language
        assert len(rules.themes) >= 10, language
    assert read_review("x") is not None  # compiles every English pattern


def test_every_phrase_starts_with_a_plain_letter_so_the_scan_stays_fast() -> None:
    """A phrase without a plain first letter (after its opening alternatives are spread) would
    be tried at every word of every review: the 150-review summary would blow its 5 ms."""
    from bot.advice.review_themes import _expand, _split_literal

    for language, rules in RULES.items():
        phrases = [
            *(phrase for group in rules.themes.values() for phrase in group),
            *rules.faults,
            *rules.symptoms,
            *rules.requests,
        ]
        for phrase in phrases:
            for whole in _expand(phrase):
                assert _split_literal(whole)[0], (language, phrase)
