from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.grammar import (
    MAX_NAME_CHARS,
    Command,
    CommandKind,
    UsageError,
    clean_text,
    normalise_subject,
    parse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Calculator Pro", Command(CommandKind.ANALYSIS, "Calculator Pro")),
        ("/scout Calculator Pro", Command(CommandKind.ANALYSIS, "Calculator Pro")),
        ("  calculator   pro  ", Command(CommandKind.ANALYSIS, "calculator pro")),
        ("gaps Utilities", Command(CommandKind.GAPS, "Utilities")),
        ("GAPS health & fitness", Command(CommandKind.GAPS, "health & fitness")),
        ("build Calculator Pro", Command(CommandKind.BUILD, "Calculator Pro")),
        ("", Command(CommandKind.HELP)),
        ("/scout", Command(CommandKind.HELP)),
        ("help", Command(CommandKind.HELP)),
        ("Calculator Pro --deep", Command(CommandKind.ANALYSIS, "Calculator Pro", deep=True)),
        ("--fresh Calculator Pro", Command(CommandKind.ANALYSIS, "Calculator Pro", fresh=True)),
        (
            "build Things --country=GB --deep",
            Command(CommandKind.BUILD, "Things", country="gb", deep=True),
        ),
        ("id:284882215", Command(CommandKind.ANALYSIS, "id:284882215", track_id=284882215)),
        (
            "https://apps.apple.com/gb/app/facebook/id284882215",
            Command(CommandKind.ANALYSIS, "id:284882215", track_id=284882215, country="gb"),
        ),
        (
            "https://itunes.apple.com/us/app/facebook/id284882215?mt=8",
            Command(CommandKind.ANALYSIS, "id:284882215", track_id=284882215, country="us"),
        ),
        (
            "<https://apps.apple.com/fr/app/x/id338986109|apps.apple.com>",
            Command(CommandKind.ANALYSIS, "id:338986109", track_id=338986109, country="fr"),
        ),
        (
            "build https://apps.apple.com/app/id42 --country=de",
            Command(CommandKind.BUILD, "id:42", track_id=42, country="de"),
        ),
        ("Calc\x00ulator\u202e Pro\x1b[31m", Command(CommandKind.ANALYSIS, "Calculator Pro[31m")),
    ],
)
def test_grammar(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("gaps", "Which category?"),
        ("build", "Which app?"),
        ("Calculator --fast", "Unknown option `--fast`"),
        ("Calculator --country=usa", "is not a country"),
        ("Calculator --country=zz", "`zz` is not an App Store country"),
        ("https://apps.apple.com/zz/app/x/id284882215", "`zz` is not an App Store country"),
        ("https://apps.apple.com/us/app/x/id2848822150123", "id is too long"),
        ("id:2848822150123", "id is too long"),
        ("x" * (MAX_NAME_CHARS + 1), "too long"),
        ("y" * 10_000, "too long"),
        ("https://example.com/app", "not an App Store app link"),
    ],
)
def test_bad_input_gets_a_usage_problem(text: str, problem: str) -> None:
    result = parse(text)
    assert isinstance(result, UsageError)
    assert problem in result.problem


def test_echoed_options_are_short_and_cannot_break_formatting() -> None:
    result = parse("App --" + "`" * 200)
    assert isinstance(result, UsageError)
    assert "``" not in result.problem
    assert len(result.problem) < 150


def test_names_up_to_the_limit_are_accepted() -> None:
    result = parse("z" * MAX_NAME_CHARS)
    assert isinstance(result, Command)
    assert len(result.subject) == MAX_NAME_CHARS


@settings(max_examples=500)
@given(st.text())
def test_parse_never_raises_and_always_answers(text: str) -> None:
    result = parse(text)
    assert isinstance(result, Command | UsageError)
    if isinstance(result, Command):
        assert len(result.subject) <= MAX_NAME_CHARS
        assert clean_text(result.subject) == result.subject  # no control characters survive


@given(st.lists(st.sampled_from(["gaps", "build", "--deep", "--fresh", "id:1", "help", "x"])))
def test_parse_never_raises_on_grammar_words(words: list[str]) -> None:
    assert isinstance(parse(" ".join(words)), Command | UsageError)


def test_normalised_subjects_fold_case_space_and_punctuation() -> None:
    assert normalise_subject("Calculator  Pro!") == normalise_subject("calculator pro")
    assert normalise_subject("Ｃａｌｃ") == "calc"  # full-width folds too
    assert normalise_subject("Calculator Pro") != normalise_subject("Calculator Plus")


@given(st.text(max_size=600))
def test_a_command_written_back_parses_to_itself(text: str) -> None:
    command = parse(text)
    if isinstance(command, Command):
        assert parse(command.as_text()) == command


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("  facebook\x07  --DEEP --country=GB", "facebook --country=gb --deep"),
        (
            "https://apps.apple.com/fr/app/x/id284882215 --fresh",
            "id:284882215 --country=fr --fresh",
        ),
        ("gaps   health", "gaps health"),
        ("build id: 42", "build id:42"),
        ("help", "help"),
        ("stats", "stats"),
    ],
)
def test_commands_are_written_back_normalised(typed: str, written: str) -> None:
    command = parse(typed)
    assert isinstance(command, Command)
    assert command.as_text() == written
    assert parse(written) == command
