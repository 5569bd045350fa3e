"""The console chat in a terminal or on a pipe (like Hubot"s shell adapter)."""

from adapters.console.adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]
