"""Settings read from the environment and `.env`, validated once at start-up.

A bad value raises `ConfigError` whose message is the one line the user sees: the variable,
the bad value and what is allowed. Secrets are never echoed back in that line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfoNotFoundError

from dotenv import dotenv_values
from redis.asyncio.connection import parse_url as parse_redis_url

from bot.ai.router import RouterSettings
from bot.appstore.itunes import AppStoreSettings
from bot.appstore.storefronts import is_storefront
from bot.database import DatabaseUrlError, engine_url
from bot.watch import WEEKDAYS, WatchSettings

REASONING_EFFORTS = ("low", "medium", "high")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")

# Names whose values must never appear in an error line or a log.
SECRET_NAMES = frozenset(
    {
        "HUGGING_FACE_API_KEY",
        "HF_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DISCORD_BOT_TOKEN",
        "REDIS_URL",
        "DATABASE_URL",
    }
)


class ConfigError(ValueError):
    """A setting is invalid; `str(error)` is a single line fit for the terminal."""


@dataclass(frozen=True)
class CacheSettings:
    ttl_seconds: int = 3600
    max_entries: int = 1000
    reviews_ttl_seconds: int = 6 * 3600  # customer reviews change slowly; Apple's limit is tight
    conversation_ttl_seconds: int = 24 * 3600  # how long a thread or DM can be followed up
    redis_url: str | None = field(default=None, repr=False)
    redis_tls_verify: bool = True  # Heroku's Key-Value Store serves self-signed certificates


@dataclass(frozen=True)
class StorageSettings:
    """The database: an SQLite file under `data_dir`, or PostgreSQL at `database_url`."""

    data_dir: Path = Path("data")
    database_url: str | None = field(default=None, repr=False)
    journal_lease_seconds: int = 60  # how soon another worker answers a dead one's commands

    @property
    def password(self) -> str | None:
        if self.database_url is None:
            return None
        return engine_url(self.database_url, self.data_dir).password


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)  # Socket Mode
    signing_secret: str | None = field(default=None, repr=False)  # HTTP mode
    api_url: str = "https://slack.com/api/"
    allowed_team_ids: frozenset[str] = frozenset()  # empty: every workspace

    @property
    def socket_mode_ready(self) -> bool:
        return bool(self.bot_token and self.app_token)

    @property
    def http_ready(self) -> bool:
        return bool(self.bot_token and self.signing_secret)


@dataclass(frozen=True)
class DiscordSettings:
    bot_token: str | None = field(default=None, repr=False)
    api_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    guild_ids: frozenset[str] = frozenset()  # sync commands here (instant); else global
    allowed_guild_ids: frozenset[str] = frozenset()  # empty: every server


@dataclass(frozen=True)
class Settings:
    """Every setting, grouped by who needs it; each part goes to its own component."""

    router: RouterSettings = field(default_factory=RouterSettings)
    appstore: AppStoreSettings = field(default_factory=AppStoreSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    user_commands_per_minute: int = 10
    admin_ids: frozenset[str] = frozenset()  # Slack and Discord user ids: /scout stats
    port: int = 3000  # Slack HTTP mode and /healthz
    shutdown_grace_seconds: int = 25  # Heroku kills 30 s after SIGTERM
    log_level: str = "INFO"
    log_format: str = "text"

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """Values that must never be written anywhere (the log redaction removes them)."""
        return (
            self.router.api_key,
            self.slack.bot_token,
            self.slack.app_token,
            self.slack.signing_secret,
            self.discord.bot_token,
            self.cache.redis_url,
            self.storage.database_url,
            self.storage.password,
        )


T = TypeVar("T")


def _shown(name: str, raw: str) -> str:
    return "(hidden)" if name in SECRET_NAMES else repr(raw)


def _plain_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else str(value)


def _number(name: str, raw: str, cast: Callable[[str], T], low: T, high: T, unit: str = "") -> T:
    allowed = f"allowed {_plain_number(low)}–{_plain_number(high)}{unit}"  # type: ignore[arg-type]
    try:
        value = cast(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={_shown(name, raw)} is not a number; {allowed}") from None
    if value != value or not (low <= value <= high):  # value != value catches NaN
        raise ConfigError(f"{name}={_shown(name, raw)} is out of range; {allowed}")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...], fold: Callable[[str], str]) -> str:
    value = fold(raw.strip())
    if value not in choices:
        raise ConfigError(f"{name}={raw!r} is not allowed; allowed {'|'.join(choices)}")
    return value


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[a-z]+://[^\s/]+(/\S*)?", value) or value.split(":", 1)[0] not in schemes:
        allowed = " or ".join(f"{s}://…" for s in schemes)
        raise ConfigError(f"{name}={_shown(name, raw)} is not a URL; allowed {allowed}")
    return value


def _redis_url(name: str, raw: str) -> str:
    value = _url(name, raw, ("redis", "rediss"))
    try:
        parse_redis_url(value)  # what the client will do at start-up: port, db, options
    except ValueError:
        raise ConfigError(
            f"{name}={_shown(name, raw)} is not a Redis URL; allowed "
            "redis://[user:password@]host[:port][/db] or rediss://…"
        ) from None
    return value


def _country(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if not is_storefront(value):
        raise ConfigError(
            f"{name}={raw!r} is not an App Store country; allowed a two-letter code like us, gb"
        )
    return value


def _weekday(name: str, raw: str) -> int:
    value = raw.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if value in (day, day[:3]):
            return index
    raise ConfigError(f"{name}={raw!r} is not a weekday; allowed monday–sunday (or mon–sun)")


def _time_zone(name: str, raw: str) -> str:
    value = raw.strip()
    try:
        WatchSettings(digest_tz=value).zone  # noqa: B018  (raises for an unknown zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name}={raw!r} is not a time zone; allowed UTC or an IANA name like Europe/Berlin"
        ) from None
    return value


def _boolean(name: str, raw: str) -> bool:
    return _choice(name, raw, ("true", "false"), str.lower) == "true"


def _secret(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value or None


def _id_set(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """The process environment laid over `.env`: the environment wins."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate every setting; raises `ConfigError` on the first bad one. Only what the
    environment sets is passed on: every default is the one written on the settings classes."""

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value is not None and value.strip() != "" else None

    router: dict[str, object] = {"api_key": _secret(get("HUGGING_FACE_API_KEY") or get("HF_TOKEN"))}
    if (v := get("AI_BASE_URL")) is not None:
        router["base_url"] = _url("AI_BASE_URL", v, ("https", "http")).rstrip("/")
    models = list(RouterSettings.models)
    if (v := get("AI_MODEL")) is not None:
        models = [v.strip()]
    if (v := get("AI_FALLBACK_MODELS")) is not None:
        models += [m.strip() for m in v.split(",") if m.strip()]
    router["models"] = tuple(dict.fromkeys(models))  # the primary first, without repeats
    if (v := get("AI_MAX_TOKENS")) is not None:
        router["max_tokens"] = _number("AI_MAX_TOKENS", v, int, 1, 4096)
    if (v := get("AI_TEMPERATURE")) is not None:
        router["temperature"] = _number("AI_TEMPERATURE", v, float, 0.0, 2.0)
    if (v := get("AI_TOP_P")) is not None:
        router["top_p"] = _number("AI_TOP_P", v, float, 0.0, 1.0)
    if (v := get("AI_TIMEOUT")) is not None:
        router["timeout"] = _number("AI_TIMEOUT", v, float, 10.0, 120.0, " s")
    if (v := get("AI_REASONING_EFFORT")) is not None:
        router["reasoning_effort"] = _choice("AI_REASONING_EFFORT", v, REASONING_EFFORTS, str.lower)
    if (v := get("AI_MAX_RETRIES")) is not None:
        router["max_retries"] = _number("AI_MAX_RETRIES", v, int, 0, 10)
    if (v := get("AI_STREAM")) is not None:
        router["stream"] = _boolean("AI_STREAM", v)

    cache: dict[str, object] = {}
    if (v := get("CACHE_TTL_SECONDS")) is not None:
        cache["ttl_seconds"] = _number("CACHE_TTL_SECONDS", v, int, 0, 604800, " s")
    if (v := get("CACHE_MAX_ENTRIES")) is not None:
        cache["max_entries"] = _number("CACHE_MAX_ENTRIES", v, int, 1, 1_000_000)
    if (v := get("REVIEWS_TTL_SECONDS")) is not None:
        cache["reviews_ttl_seconds"] = _number("REVIEWS_TTL_SECONDS", v, int, 0, 604800, " s")
    if (v := get("CONVERSATION_TTL_SECONDS")) is not None:
        cache["conversation_ttl_seconds"] = _number(
            "CONVERSATION_TTL_SECONDS", v, int, 60, 30 * 86_400, " s"
        )
    if (v := get("REDIS_URL")) is not None:
        cache["redis_url"] = _redis_url("REDIS_URL", v)
    if (v := get("REDIS_TLS_VERIFY")) is not None:
        cache["redis_tls_verify"] = _boolean("REDIS_TLS_VERIFY", v)

    appstore: dict[str, object] = {}
    if (v := get("APPSTORE_BASE_URL")) is not None:
        appstore["base_url"] = _url("APPSTORE_BASE_URL", v, ("https", "http")).rstrip("/")
    if (v := get("APPSTORE_COUNTRY")) is not None:
        appstore["country"] = _country("APPSTORE_COUNTRY", v)
    if (v := get("REVIEWS_PAGES")) is not None:
        appstore["reviews_pages"] = _number("REVIEWS_PAGES", v, int, 1, 10)
    if (v := get("APPSTORE_CALLS_PER_MINUTE")) is not None:
        appstore["calls_per_minute"] = _number("APPSTORE_CALLS_PER_MINUTE", v, int, 1, 100_000)

    slack: dict[str, object] = {
        "bot_token": _secret(get("SLACK_BOT_TOKEN")),
        "app_token": _secret(get("SLACK_APP_TOKEN")),
        "signing_secret": _secret(get("SLACK_SIGNING_SECRET")),
    }
    if (v := get("SLACK_API_URL")) is not None:
        url = _url("SLACK_API_URL", v, ("https", "http"))
        slack["api_url"] = url if url.endswith("/") else url + "/"
    if (v := get("SLACK_ALLOWED_TEAM_IDS")) is not None:
        slack["allowed_team_ids"] = _id_set(v)

    discord: dict[str, object] = {"bot_token": _secret(get("DISCORD_BOT_TOKEN"))}
    for name in ("DISCORD_GUILD_IDS", "DISCORD_ALLOWED_GUILD_IDS"):
        if (v := get(name)) is not None:
            ids = _id_set(v)
            if not all(i.isdigit() for i in ids):
                raise ConfigError(f"{name}={v!r} is not a list of ids; allowed 123,456")
            discord[name.removeprefix("DISCORD_").lower()] = ids
    if (v := get("DISCORD_API_URL")) is not None:
        discord["api_url"] = _url("DISCORD_API_URL", v, ("https", "http")).rstrip("/")
    if (v := get("DISCORD_GATEWAY_URL")) is not None:
        discord["gateway_url"] = _url("DISCORD_GATEWAY_URL", v, ("wss", "ws"))

    storage: dict[str, object] = {}
    if (v := get("DATA_DIR")) is not None:
        storage["data_dir"] = Path(v.strip()).expanduser()
    if (v := get("DATABASE_URL")) is not None:
        try:
            engine_url(v, Path("."))
        except DatabaseUrlError:
            raise ConfigError(
                "DATABASE_URL=(hidden) is not a PostgreSQL URL; allowed "
                "postgres://user:password@host:5432/database"
            ) from None
        storage["database_url"] = v.strip()
    if (v := get("JOURNAL_LEASE_SECONDS")) is not None:
        storage["journal_lease_seconds"] = _number("JOURNAL_LEASE_SECONDS", v, int, 5, 600, " s")

    watch: dict[str, object] = {}
    if (v := get("WATCH_CHECK_SECONDS")) is not None:
        watch["check_seconds"] = _number("WATCH_CHECK_SECONDS", v, int, 60, 7 * 86_400, " s")
    if (v := get("DIGEST_WEEKDAY")) is not None:
        watch["digest_weekday"] = _weekday("DIGEST_WEEKDAY", v)
    if (v := get("DIGEST_HOUR")) is not None:
        watch["digest_hour"] = _number("DIGEST_HOUR", v, int, 0, 23)
    if (v := get("DIGEST_TZ")) is not None:
        watch["digest_tz"] = _time_zone("DIGEST_TZ", v)

    top: dict[str, object] = {}
    if (v := get("USER_COMMANDS_PER_MINUTE")) is not None:
        top["user_commands_per_minute"] = _number("USER_COMMANDS_PER_MINUTE", v, int, 1, 1000)
    if (v := get("PORT")) is not None:
        top["port"] = _number("PORT", v, int, 1, 65535)
    if (v := get("SHUTDOWN_GRACE_SECONDS")) is not None:
        top["shutdown_grace_seconds"] = _number("SHUTDOWN_GRACE_SECONDS", v, int, 2, 600, " s")
    if (v := get("SCOUT_ADMIN_IDS")) is not None:
        top["admin_ids"] = _id_set(v)
    if (v := get("LOG_LEVEL")) is not None:
        top["log_level"] = _choice("LOG_LEVEL", v, LOG_LEVELS, str.upper)
    if (v := get("LOG_FORMAT")) is not None:
        top["log_format"] = _choice("LOG_FORMAT", v, LOG_FORMATS, str.lower)
    return Settings(
        router=RouterSettings(**router),  # type: ignore[arg-type]
        appstore=AppStoreSettings(**appstore),  # type: ignore[arg-type]
        cache=CacheSettings(**cache),  # type: ignore[arg-type]
        slack=SlackSettings(**slack),  # type: ignore[arg-type]
        discord=DiscordSettings(**discord),  # type: ignore[arg-type]
        storage=StorageSettings(**storage),  # type: ignore[arg-type]
        watch=WatchSettings(**watch),  # type: ignore[arg-type]
        **top,  # type: ignore[arg-type]
    )
