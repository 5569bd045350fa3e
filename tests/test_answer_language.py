"""Answers in the user's language (issue 27): `--lang=xx`, or the locale the platform gives
(console: LANG), told to the model with the headings kept and quotes as written; each language
its own cached answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import Command, UsageError, language_of, parse
from bot.intake import Incoming
from bot.runtime import Caller
from tests.conftest import ServiceFactory
from tests.fake_appstore import FakeAppStore
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.helpers import run_bot


def system_prompt(router: FakeRouter, call: int = -1) -> str:
    return str(router.completion_calls()[call].body["messages"][0]["content"])


def command(text: str) -> Command:
    parsed = parse(text)
    assert isinstance(parsed, Command)
    return parsed


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ja-JP", "ja"),
        ("pt_BR.UTF-8", "pt"),
        ("de", "de"),
        ("en-US", "en"),
        ("C", None),
        ("POSIX", None),
        ("", None),
        (None, None),
        ("xx-YY", None),
        ("ja-JP\x1b[31m", None),
    ],
)
def test_a_locale_names_the_answer_language(locale: str | None, language: str | None) -> None:
    assert language_of(locale) == language


def test_lang_option_and_its_usage_error() -> None:
    assert command("Calculator Pro --lang=JA").language == "ja"
    assert command("--lang=de find Finance").as_text() == "find Finance --lang=de"
    wrong = parse("Calculator Pro --lang=klingon")
    assert isinstance(wrong, UsageError)
    assert wrong.problem.startswith("`--lang=klingon` is not a language we answer in")


def test_the_platforms_locale_travels_with_the_command_even_after_a_crash() -> None:
    incoming = Incoming("slack", "U1", "Facebook", "T1", "C1", locale="ja-JP")
    assert incoming.caller.language == "ja"
    again = Incoming.from_journal(incoming.journal_entry(0.0, 60.0))
    assert again.locale == "ja-JP" and again.caller.language == "ja"
    assert again.address == incoming.address


async def test_the_model_is_told_the_language_and_each_language_is_its_own_answer(
    make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    service = make_grounded_service()
    english = await service.handle(command("Facebook"), Caller("slack", "U1"))
    assert "Write the answer in" not in system_prompt(router)
    japanese = await service.handle(command("Facebook"), Caller("slack", "U2", language="ja"))
    rule = (
        "Write the answer in Japanese. Keep the bold section headings exactly as given above, "
        "in English, and quote reviews in the language they were written in."
    )
    assert system_prompt(router).endswith(rule)
    assert english.source is not None and japanese.source is not None
    assert (english.source.value, japanese.source.value) == ("ai", "ai")  # two answers
    # --lang wins over the locale; English shares the default answer.
    german = await service.handle(
        command("Facebook --lang=de"), Caller("slack", "U3", language="ja")
    )
    assert "Write the answer in German." in system_prompt(router)
    cached = await service.handle(command("Facebook"), Caller("slack", "U4", language="en"))
    again = await service.handle(command("Facebook"), Caller("discord", "U5", language="ja"))
    assert german.source is not None and german.source.value == "ai"
    assert [r.source.value for r in (cached, again) if r.source] == ["cache", "cache"]
    assert len(router.completion_calls()) == 3


def test_the_console_answers_in_the_terminals_language(tmp_path: Path) -> None:
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = run_bot(
            "/scout Facebook\n",
            tmp_path,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
            LANG="fr_FR.UTF-8",
        )
        prompt = system_prompt(router)
    assert result.returncode == 0, result.stderr
    assert "Write the answer in French." in prompt
