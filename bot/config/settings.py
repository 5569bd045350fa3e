"""The settings, grouped by who needs them, validated once at start-up.

Which environment variable sets which field, and how its text is checked, is declared once in
`bot.config.table`; the defaults are the ones written here (and on the sections other packages
own). A bad value raises `ConfigError` whose message is the one line the user sees: the variable,
the bad value and what is allowed. Secrets are never echoed back in that line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from bot.ai import RouterSettings
from bot.appstore import AppStoreSettings
from bot.config.parsers import ConfigError
from bot.config.table import load
from bot.database import engine_url
from bot.watch import WatchSettings


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
    # OAuth ("Add to Slack", many workspaces): each workspace's token from its installation
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    @property
    def oauth(self) -> bool:
        """Many workspaces: installed through /slack/install, one token each."""
        return bool(self.client_id and self.client_secret)

    @property
    def has_tokens(self) -> bool:
        """A bot token to act with: the one SLACK_BOT_TOKEN, or the installations' (OAuth)."""
        return bool(self.bot_token) or self.oauth

    @property
    def socket_mode_ready(self) -> bool:
        return bool(self.has_tokens and self.app_token)

    @property
    def http_ready(self) -> bool:
        return bool(self.has_tokens and self.signing_secret)

    @property
    def oauth_url(self) -> str:
        """Slack's authorize page, next to its Web API (`…/api/` → `…/oauth/v2/authorize`)."""
        return self.api_url.removesuffix("/").removesuffix("/api") + "/oauth/v2/authorize"


class ShardPlan(NamedTuple):
    """The Discord shards one process runs: `ids` of `count` (None: every one of them)."""

    ids: tuple[int, ...] | None
    count: int


@dataclass(frozen=True)
class DiscordSettings:
    """Discord's token and URLs, and the shards this process runs (`shard_plan`): with no
    sharding variable set, one unsharded session that gets every server."""

    bot_token: str | None = field(default=None, repr=False)
    api_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    guild_ids: frozenset[str] = frozenset()  # sync commands here (instant); else global
    allowed_guild_ids: frozenset[str] = frozenset()  # empty: every server
    shard_count: int | Literal["auto"] | None = None  # None: unsharded, unless WORKER_COUNT
    shard_ids: tuple[int, ...] | None = None  # this process's shards; None: from DYNO, or all
    worker_number: int | None = None  # k of DYNO=worker.k (Heroku's, from 1)
    worker_count: int | None = None  # how many worker dynos there are

    def __post_init__(self) -> None:
        """A plan that cannot work is refused at start-up, in one line naming the variable."""
        count, ids, worker = self.shard_count, self.shard_ids, self._worker
        if ids is not None:
            if count is None:
                raise ConfigError(
                    f"DISCORD_SHARD_IDS={_shown(ids)!r} needs DISCORD_SHARD_COUNT; allowed with "
                    "DISCORD_SHARD_COUNT set too (a number or auto)"
                )
            if isinstance(count, int):
                _check_ids(ids, count, f"DISCORD_SHARD_COUNT={count}")
        elif worker is not None:
            number, workers = worker
            if number > workers:
                raise ConfigError(
                    f"DYNO='worker.{number}' is out of range; allowed worker.1–worker.{workers} "
                    f"(WORKER_COUNT={workers})"
                )
            if isinstance(count, int) and workers > count:
                raise ConfigError(
                    f"WORKER_COUNT='{workers}' is out of range; allowed 1–{count} (at most "
                    f"DISCORD_SHARD_COUNT={count}, so that every worker runs a shard)"
                )

    @property
    def _worker(self) -> tuple[int, int] | None:
        """(k, N) on worker dyno k of N: DYNO names a worker and WORKER_COUNT is set."""
        if self.worker_number is None or self.worker_count is None:
            return None
        return self.worker_number, self.worker_count

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None or self._worker is not None

    def shard_plan(self, recommended: int | None = None) -> ShardPlan | None:
        """The shards this process runs, None for one unsharded session. DISCORD_SHARD_IDS
        name them; else worker k of N runs {i : i % N == k-1}; else all. The count is
        DISCORD_SHARD_COUNT, or `recommended` (Discord's, from `GET /gateway/bot`) for `auto`
        — at least N when the plan comes from the dyno —, or N alone."""
        worker = None if self.shard_ids is not None else self._worker
        if self.shard_count == "auto":
            if recommended is None:
                raise ValueError("DISCORD_SHARD_COUNT=auto: ask Discord for its shard count first")
            count = max(recommended, worker[1]) if worker is not None else recommended
            if self.shard_ids is not None:
                _check_ids(self.shard_ids, count, f"Discord's recommended {count} shards")
        elif self.shard_count is not None:
            count = self.shard_count
        elif worker is not None:
            count = worker[1]
        else:
            return None
        if self.shard_ids is not None:
            return ShardPlan(self.shard_ids, count)
        if worker is not None:
            number, workers = worker
            return ShardPlan(tuple(i for i in range(count) if i % workers == number - 1), count)
        return ShardPlan(None, count)


def _shown(ids: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in ids)


def _check_ids(ids: tuple[int, ...], count: int, below: str) -> None:
    if max(ids) >= count:
        raise ConfigError(
            f"DISCORD_SHARD_IDS={_shown(ids)!r} is out of range; allowed 0–{count - 1} "
            f"(below {below})"
        )


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
    port: int = 3000  # Slack HTTP mode, /mcp and /healthz
    mcp_token: str | None = field(default=None, repr=False)  # /mcp's bearer token; None: off
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
            self.slack.client_secret,
            self.discord.bot_token,
            self.mcp_token,
            self.cache.redis_url,
            self.storage.database_url,
            self.storage.password,
        )


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate every setting; raises `ConfigError` on the first bad one. Only what the
    environment sets is passed on: every default is the one written on the settings classes."""
    return load(env, Settings())
