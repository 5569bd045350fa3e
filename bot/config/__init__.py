"""Settings read from the environment and `.env`, validated once at start-up."""

from bot.config.settings import (
    SECRET_NAMES,
    CacheSettings,
    ConfigError,
    DiscordSettings,
    Settings,
    SlackSettings,
    StorageSettings,
    load_settings,
    read_environment,
)

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
