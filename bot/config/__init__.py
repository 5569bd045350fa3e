"""Settings read from the environment and `.env`, validated once at start-up."""

from bot.config.environment import read_environment
from bot.config.parsers import ConfigError
from bot.config.settings import (
    CacheSettings,
    DiscordSettings,
    Settings,
    SlackSettings,
    StorageSettings,
    load_settings,
)
from bot.config.table import SECRET_NAMES

__all__ = [
    "SECRET_NAMES",
    "CacheSettings",
    "ConfigError",
    "DiscordSettings",
    "Settings",
    "SlackSettings",
    "StorageSettings",
    "load_settings",
    "read_environment",
]
