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

from dotenv import dotenv_values

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
    }
)


class ConfigError(ValueError):
    """A setting is invalid; `str(error)` is a single line fit for the terminal."""


@dataclass(frozen=True)
class Settings:
    hf_api_key: str | None = field(default=None, repr=False)
    ai_base_url: str = "https://router.huggingface.co/v1"
    ai_model: str = "openai/gpt-oss-120b"
    ai_fallback_models: tuple[str, ...] = ()
    ai_max_tokens: int = 400
    ai_temperature: float = 0.7
    ai_top_p: float = 0.9
    ai_timeout: float = 60.0
    ai_reasoning_effort: str | None = None
    ai_max_retries: int = 2
    cache_ttl_seconds: int = 3600
    cache_max_entries: int = 1000
    redis_url: str | None = field(default=None, repr=False)
    redis_tls_verify: bool = True  # Heroku's Key-Value Store serves self-signed certificates
    appstore_base_url: str = "https://itunes.apple.com"
    appstore_country: str = "us"
    appstore_calls_per_minute: int = 20  # Apple allows about 20
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    discord_bot_token: str | None = field(default=None, repr=False)
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    slack_allowed_team_ids: frozenset[str] = frozenset()  # empty: every workspace
    discord_guild_ids: frozenset[str] = frozenset()  # sync commands here (instant); else global
    discord_allowed_guild_ids: frozenset[str] = frozenset()  # empty: every server
    user_commands_per_minute: int = 10
    scout_admin_ids: frozenset[str] = frozenset()  # Slack and Discord user ids: /scout stats
    port: int = 3000
    log_level: str = "INFO"
    log_format: str = "text"

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """Values that must never be written anywhere (the log redaction removes them)."""
        return (
            self.hf_api_key,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.discord_bot_token,
            self.redis_url,
        )

    @property
    def model_chain(self) -> tuple[str, ...]:
        """The primary model first, then the fallbacks, without repeats."""
        return tuple(dict.fromkeys((self.ai_model, *self.ai_fallback_models)))


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


def _country(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if not re.fullmatch(r"[a-z]{2}", value):
        raise ConfigError(f"{name}={raw!r} is not a country; allowed a two-letter code like us, gb")
    return value


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
    """Validate every setting; raises `ConfigError` on the first bad one."""

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value is not None and value.strip() != "" else None

    kwargs: dict[str, object] = {}
    kwargs["hf_api_key"] = _secret(get("HUGGING_FACE_API_KEY") or get("HF_TOKEN"))
    if (v := get("AI_BASE_URL")) is not None:
        kwargs["ai_base_url"] = _url("AI_BASE_URL", v, ("https", "http")).rstrip("/")
    if (v := get("AI_MODEL")) is not None:
        kwargs["ai_model"] = v.strip()
    if (v := get("AI_FALLBACK_MODELS")) is not None:
        kwargs["ai_fallback_models"] = tuple(m.strip() for m in v.split(",") if m.strip())
    if (v := get("AI_MAX_TOKENS")) is not None:
        kwargs["ai_max_tokens"] = _number("AI_MAX_TOKENS", v, int, 1, 4096)
    if (v := get("AI_TEMPERATURE")) is not None:
        kwargs["ai_temperature"] = _number("AI_TEMPERATURE", v, float, 0.0, 2.0)
    if (v := get("AI_TOP_P")) is not None:
        kwargs["ai_top_p"] = _number("AI_TOP_P", v, float, 0.0, 1.0)
    if (v := get("AI_TIMEOUT")) is not None:
        kwargs["ai_timeout"] = _number("AI_TIMEOUT", v, float, 10.0, 120.0, " s")
    if (v := get("AI_REASONING_EFFORT")) is not None:
        kwargs["ai_reasoning_effort"] = _choice(
            "AI_REASONING_EFFORT", v, REASONING_EFFORTS, str.lower
        )
    if (v := get("AI_MAX_RETRIES")) is not None:
        kwargs["ai_max_retries"] = _number("AI_MAX_RETRIES", v, int, 0, 10)
    if (v := get("CACHE_TTL_SECONDS")) is not None:
        kwargs["cache_ttl_seconds"] = _number("CACHE_TTL_SECONDS", v, int, 0, 604800, " s")
    if (v := get("CACHE_MAX_ENTRIES")) is not None:
        kwargs["cache_max_entries"] = _number("CACHE_MAX_ENTRIES", v, int, 1, 1_000_000)
    if (v := get("REDIS_URL")) is not None:
        kwargs["redis_url"] = _url("REDIS_URL", v, ("redis", "rediss"))
    if (v := get("REDIS_TLS_VERIFY")) is not None:
        kwargs["redis_tls_verify"] = (
            _choice("REDIS_TLS_VERIFY", v, ("true", "false"), str.lower) == "true"
        )
    if (v := get("APPSTORE_BASE_URL")) is not None:
        kwargs["appstore_base_url"] = _url("APPSTORE_BASE_URL", v, ("https", "http")).rstrip("/")
    if (v := get("APPSTORE_COUNTRY")) is not None:
        kwargs["appstore_country"] = _country("APPSTORE_COUNTRY", v)
    if (v := get("APPSTORE_CALLS_PER_MINUTE")) is not None:
        kwargs["appstore_calls_per_minute"] = _number(
            "APPSTORE_CALLS_PER_MINUTE", v, int, 1, 100_000
        )
    kwargs["slack_bot_token"] = _secret(get("SLACK_BOT_TOKEN"))
    kwargs["slack_app_token"] = _secret(get("SLACK_APP_TOKEN"))
    kwargs["slack_signing_secret"] = _secret(get("SLACK_SIGNING_SECRET"))
    if (v := get("SLACK_API_URL")) is not None:
        url = _url("SLACK_API_URL", v, ("https", "http"))
        kwargs["slack_api_url"] = url if url.endswith("/") else url + "/"
    if (v := get("SLACK_ALLOWED_TEAM_IDS")) is not None:
        kwargs["slack_allowed_team_ids"] = _id_set(v)
    if (v := get("USER_COMMANDS_PER_MINUTE")) is not None:
        kwargs["user_commands_per_minute"] = _number("USER_COMMANDS_PER_MINUTE", v, int, 1, 1000)
    kwargs["discord_bot_token"] = _secret(get("DISCORD_BOT_TOKEN"))
    for name in ("DISCORD_GUILD_IDS", "DISCORD_ALLOWED_GUILD_IDS"):
        if (v := get(name)) is not None:
            ids = _id_set(v)
            if not all(i.isdigit() for i in ids):
                raise ConfigError(f"{name}={v!r} is not a list of ids; allowed 123,456")
            kwargs[name.lower()] = ids
    if (v := get("DISCORD_API_URL")) is not None:
        kwargs["discord_api_url"] = _url("DISCORD_API_URL", v, ("https", "http")).rstrip("/")
    if (v := get("DISCORD_GATEWAY_URL")) is not None:
        kwargs["discord_gateway_url"] = _url("DISCORD_GATEWAY_URL", v, ("wss", "ws"))
    if (v := get("PORT")) is not None:
        kwargs["port"] = _number("PORT", v, int, 1, 65535)
    if (v := get("SCOUT_ADMIN_IDS")) is not None:
        kwargs["scout_admin_ids"] = _id_set(v)
    if (v := get("LOG_LEVEL")) is not None:
        kwargs["log_level"] = _choice("LOG_LEVEL", v, LOG_LEVELS, str.upper)
    if (v := get("LOG_FORMAT")) is not None:
        kwargs["log_format"] = _choice("LOG_FORMAT", v, LOG_FORMATS, str.lower)
    return Settings(**kwargs)  # type: ignore[arg-type]
