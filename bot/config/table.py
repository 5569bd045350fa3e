"""Every environment variable, declared once: its name, where its value goes in `Settings`
(`"section.field"`, or `"field"` for `Settings` itself) and how its text is parsed.

`load` walks the table in order (the first bad value raises) and passes on only the variables
that are set, so the defaults written on the settings classes stay the only defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config.parsers import (
    Boolean,
    Choice,
    ClientId,
    Country,
    DatabaseUrl,
    Directory,
    FallbackModels,
    IdSet,
    Number,
    Parser,
    PrimaryModel,
    RedisUrl,
    Seconds,
    Secret,
    ShardCount,
    ShardIds,
    TimeZone,
    Url,
    Weekday,
    WorkerDyno,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")

DAY = 86_400
WEB = ("https", "http")
REASONING_EFFORTS = ("low", "medium", "high")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
MCP_TOKEN_MIN_CHARS = 16


@dataclass(frozen=True)
class Setting:
    """One environment variable (and the `aliases` read, in order, when it is unset)."""

    name: str
    target: str  # "section.field" in Settings, or "field" for Settings itself
    parser: Parser[Any]
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def section(self) -> str:
        """The part of `Settings` the value goes to; "" for `Settings` itself."""
        return self.target.rpartition(".")[0]

    @property
    def field(self) -> str:
        return self.target.rpartition(".")[2]

    def read(self, env: Mapping[str, str]) -> tuple[str, str] | None:
        """The first of `names` that is set (not empty, not blank), with its raw text."""
        for name in self.names:
            raw = env.get(name)
            if raw is not None and raw.strip() != "":
                return name, raw
        return None


SETTINGS: tuple[Setting, ...] = (
    # The model: bot.ai.RouterSettings
    Setting("HUGGING_FACE_API_KEY", "router.api_key", Secret(), aliases=("HF_TOKEN",)),
    Setting("AI_BASE_URL", "router.base_url", Url(WEB, strip_slash=True)),
    Setting("AI_MODEL", "router.models", PrimaryModel()),
    Setting("AI_FALLBACK_MODELS", "router.models", FallbackModels()),
    Setting("AI_MAX_TOKENS", "router.max_tokens", Number(int, 1, 4096)),
    Setting("AI_TEMPERATURE", "router.temperature", Number(float, 0.0, 2.0)),
    Setting("AI_TOP_P", "router.top_p", Number(float, 0.0, 1.0)),
    Setting("AI_TIMEOUT", "router.timeout", Number(float, 10.0, 120.0, unit=" s")),
    Setting("AI_REASONING_EFFORT", "router.reasoning_effort", Choice(REASONING_EFFORTS)),
    Setting("AI_MAX_RETRIES", "router.max_retries", Number(int, 0, 10)),
    Setting("AI_STREAM", "router.stream", Boolean()),
    # The cache: CacheSettings
    Setting("CACHE_TTL_SECONDS", "cache.ttl_seconds", Seconds(0, 7 * DAY)),
    Setting("CACHE_MAX_ENTRIES", "cache.max_entries", Number(int, 1, 1_000_000)),
    Setting("REVIEWS_TTL_SECONDS", "cache.reviews_ttl_seconds", Seconds(0, 7 * DAY)),
    Setting("CONVERSATION_TTL_SECONDS", "cache.conversation_ttl_seconds", Seconds(60, 30 * DAY)),
    Setting("REDIS_URL", "cache.redis_url", RedisUrl()),
    Setting("REDIS_TLS_VERIFY", "cache.redis_tls_verify", Boolean()),
    # The App Store: bot.appstore.AppStoreSettings
    Setting("APPSTORE_BASE_URL", "appstore.base_url", Url(WEB, strip_slash=True)),
    Setting("APPSTORE_COUNTRY", "appstore.country", Country()),
    Setting("REVIEWS_PAGES", "appstore.reviews_pages", Number(int, 1, 10)),
    Setting("APPSTORE_CALLS_PER_MINUTE", "appstore.calls_per_minute", Number(int, 1, 100_000)),
    # Slack: SlackSettings (its Web API base URL keeps a trailing slash)
    Setting("SLACK_BOT_TOKEN", "slack.bot_token", Secret()),
    Setting("SLACK_APP_TOKEN", "slack.app_token", Secret()),
    Setting("SLACK_SIGNING_SECRET", "slack.signing_secret", Secret()),
    Setting("SLACK_API_URL", "slack.api_url", Url(WEB, end_slash=True)),
    Setting("SLACK_ALLOWED_TEAM_IDS", "slack.allowed_team_ids", IdSet()),
    Setting("SLACK_CLIENT_ID", "slack.client_id", ClientId()),
    Setting("SLACK_CLIENT_SECRET", "slack.client_secret", Secret()),
    # Discord: DiscordSettings
    Setting("DISCORD_BOT_TOKEN", "discord.bot_token", Secret()),
    Setting("DISCORD_GUILD_IDS", "discord.guild_ids", IdSet(digits=True)),
    Setting("DISCORD_ALLOWED_GUILD_IDS", "discord.allowed_guild_ids", IdSet(digits=True)),
    Setting("DISCORD_API_URL", "discord.api_url", Url(WEB, strip_slash=True)),
    Setting("DISCORD_GATEWAY_URL", "discord.gateway_url", Url(("wss", "ws"))),
    Setting("DISCORD_SHARD_COUNT", "discord.shard_count", ShardCount()),
    Setting("DISCORD_SHARD_IDS", "discord.shard_ids", ShardIds()),
    Setting("DYNO", "discord.worker_number", WorkerDyno()),  # set by Heroku: worker.1, worker.2…
    Setting("WORKER_COUNT", "discord.worker_count", Number(int, 1, 1000)),
    # The database: StorageSettings
    Setting("DATA_DIR", "storage.data_dir", Directory()),
    Setting("DATABASE_URL", "storage.database_url", DatabaseUrl()),
    Setting("JOURNAL_LEASE_SECONDS", "storage.journal_lease_seconds", Seconds(5, 600)),
    # Trend watch: bot.watch.WatchSettings
    Setting("WATCH_CHECK_SECONDS", "watch.check_seconds", Seconds(60, 7 * DAY)),
    Setting("DIGEST_WEEKDAY", "watch.digest_weekday", Weekday()),
    Setting("DIGEST_HOUR", "watch.digest_hour", Number(int, 0, 23)),
    Setting("DIGEST_TZ", "watch.digest_tz", TimeZone()),
    # MCP: the bearer token /mcp on the web process asks for (unset: /mcp is off)
    Setting("MCP_TOKEN", "mcp_token", Secret(min_chars=MCP_TOKEN_MIN_CHARS)),
    # The process: Settings itself
    Setting("USER_COMMANDS_PER_MINUTE", "user_commands_per_minute", Number(int, 1, 1000)),
    Setting("PORT", "port", Number(int, 1, 65_535)),
    Setting("SHUTDOWN_GRACE_SECONDS", "shutdown_grace_seconds", Seconds(2, 600)),
    Setting("SCOUT_ADMIN_IDS", "admin_ids", IdSet()),
    Setting("LOG_LEVEL", "log_level", Choice(LOG_LEVELS, str.upper)),
    Setting("LOG_FORMAT", "log_format", Choice(LOG_FORMATS)),
)

# Names whose values must never appear in an error line or a log.
SECRET_NAMES = frozenset(name for s in SETTINGS if s.parser.hidden for name in s.names)


def load(env: Mapping[str, str], defaults: D, table: tuple[Setting, ...] = SETTINGS) -> D:
    """`defaults` (a settings dataclass whose sections are dataclasses too) with every variable
    of `table` that `env` sets; raises `ConfigError` on the first bad one."""
    parts: dict[str, dict[str, object]] = {}
    for setting in table:
        found = setting.read(env)
        if found is None:
            continue
        name, raw = found
        value = setting.parser.parse(name, raw)
        part = parts.setdefault(setting.section, {})
        section = getattr(defaults, setting.section) if setting.section else defaults
        current = part[setting.field] if setting.field in part else getattr(section, setting.field)
        part[setting.field] = setting.parser.join(current, value)
    top = parts.pop("", {})
    sections = {name: replace(getattr(defaults, name), **part) for name, part in parts.items()}
    return replace(defaults, **sections, **top)
