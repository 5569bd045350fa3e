"""The `/scout` grammar: what a command is, parsed from untrusted chat text."""

from bot.commands.grammar import (
    LOOKUP_KINDS,
    MAX_COMPARED,
    MAX_INPUT_CHARS,
    MAX_NAME_CHARS,
    USAGE,
    WATCH_KINDS,
    Command,
    CommandKind,
    ParsedCommand,
    UsageError,
    clean_text,
    parse,
)

__all__ = [
    "LOOKUP_KINDS",
    "MAX_COMPARED",
    "MAX_INPUT_CHARS",
    "MAX_NAME_CHARS",
    "USAGE",
    "WATCH_KINDS",
    "Command",
    "CommandKind",
    "ParsedCommand",
    "UsageError",
    "clean_text",
    "parse",
]
