"""The `/scout` grammar: what a command is, parsed from untrusted chat text."""

from bot.commands.grammar import (
    LOOKUP_KINDS,
    MAX_COMPARED,
    MAX_INPUT_CHARS,
    MAX_NAME_CHARS,
    USAGE,
    VERBS,
    WATCH_KINDS,
    Command,
    CommandKind,
    ParsedCommand,
    UsageError,
    app_command,
    clean_text,
    parse,
    starts_with_verb,
)
from bot.commands.languages import LANGUAGES, language_name, language_of

__all__ = [
    "LANGUAGES",
    "LOOKUP_KINDS",
    "MAX_COMPARED",
    "MAX_INPUT_CHARS",
    "MAX_NAME_CHARS",
    "USAGE",
    "VERBS",
    "WATCH_KINDS",
    "Command",
    "CommandKind",
    "ParsedCommand",
    "UsageError",
    "app_command",
    "clean_text",
    "language_name",
    "language_of",
    "parse",
    "starts_with_verb",
]
