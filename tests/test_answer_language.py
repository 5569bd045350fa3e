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
from tests.discord_harness import DiscordHarness
from tests.fake_appstore import FakeAppStore
from tests.fake_discord_payloads import guild_create
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.fake_slack import TEAM
from tests.helpers import run_bot, wait_for
from tests.slack_harness import SlackHarness


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


async def test_slack_answers_in_the_users_slack_language(
    harness: SlackHarness, router: FakeRouter
) -> None:
    harness.slack.locales[(TEAM, "U0001")] = "ja-JP"
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    assert "Write the answer in Japanese." in system_prompt(router)
    asked = [c for c in harness.slack.calls if c.method == "users.info"]
    assert len(asked) == 1 and asked[0].body.get("include_locale") in ("true", True, "1")

    await harness.slash("Facebook --fresh")  # the locale is kept: no second users.info
    await wait_for(lambda: len(harness.slack.posted) == 2, what="the second reply")
    assert len([c for c in harness.slack.calls if c.method == "users.info"]) == 1


async def test_slack_without_users_read_answers_in_english_and_says_so_once(
    harness: SlackHarness, router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    harness.slack.users_read = False
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    assert "Write the answer in" not in system_prompt(router)
    refused = [r for r in caplog.records if "users:read" in r.getMessage()]
    assert len(refused) == 1


async def test_discord_answers_in_the_users_or_the_servers_language(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    fake = discord_harness.fake
    fake.user_locale = "pt-BR"
    discord_harness.slash("app", name="Facebook")
    await wait_for(lambda: len(router.completion_calls()) == 1, what="the model call")
    assert "Write the answer in Portuguese." in system_prompt(router)
    await wait_for(discord_harness.replied, what="the reply")

    fake.dispatch("GUILD_UPDATE", guild_create() | {"preferred_locale": "de"})
    discord_harness.mention("Webster Bank")
    await wait_for(lambda: len(router.completion_calls()) == 2, what="the second model call")
    assert "Write the answer in German." in system_prompt(router)
