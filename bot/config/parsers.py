"""Value parsers: one small value per kind of setting, each turning a variable's raw text into a
typed value or raising `ConfigError` with the one line the user sees: the variable, the bad value
(or `(hidden)` for a secret) and what is allowed.

A parser is only handed text that is set: empty and whitespace-only values count as unset and
never reach it.
"""

from __future__ import annotations

import os
import pathlib
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfoNotFoundError

from redis.asyncio.connection import parse_url as parse_redis_url

from bot.appstore import is_storefront
from bot.database import engine_url
from bot.watch import WEEKDAYS, WatchSettings

T = TypeVar("T")
N = TypeVar("N", int, float)


class ConfigError(ValueError):
    """A setting is invalid; `str(error)` is a single line fit for the terminal."""


class Parser(Generic[T]):
    """Raw text to a value. `hidden` parsers read secrets: their text is never echoed."""

    @property
    def hidden(self) -> bool:
        return False

    def shown(self, raw: str) -> str:
        """The raw text as an error line may show it."""
        return "(hidden)" if self.hidden else repr(raw)

    def parse(self, name: str, raw: str) -> T:
        raise NotImplementedError

    def join(self, current: object, value: T) -> object:
        """The field's new value, given its `current` one (the default, or what an earlier
        variable set): most variables replace it."""
        return value


def _plain_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Number(Parser[N]):
    """An int or a float within `low`–`high` (NaN is not)."""

    cast: Callable[[str], N]
    low: N
    high: N
    unit: str = ""

    def parse(self, name: str, raw: str) -> N:
        allowed = f"allowed {_plain_number(self.low)}–{_plain_number(self.high)}{self.unit}"
        try:
            value = self.cast(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={self.shown(raw)} is not a number; {allowed}") from None
        if value != value or not (self.low <= value <= self.high):  # value != value: NaN
            raise ConfigError(f"{name}={self.shown(raw)} is out of range; {allowed}")
        return value


@dataclass(frozen=True)
class Seconds(Parser[int]):
    """Whole seconds within `low`–`high`."""

    low: int
    high: int

    def parse(self, name: str, raw: str) -> int:
        return Number(int, self.low, self.high, unit=" s").parse(name, raw)


@dataclass(frozen=True)
class Choice(Parser[str]):
    """One of `choices`, compared after `fold` (str.lower, str.upper)."""

    choices: tuple[str, ...]
    fold: Callable[[str], str] = str.lower

    def parse(self, name: str, raw: str) -> str:
        value = self.fold(raw.strip())
        if value not in self.choices:
            raise ConfigError(f"{name}={raw!r} is not allowed; allowed {'|'.join(self.choices)}")
        return value


@dataclass(frozen=True)
class Boolean(Parser[bool]):
    """true or false, in any case."""

    def parse(self, name: str, raw: str) -> bool:
        return Choice(("true", "false"), str.lower).parse(name, raw) == "true"


@dataclass(frozen=True)
class Url(Parser[str]):
    """A URL with one of `schemes`; `strip_slash` drops trailing slashes, `end_slash` adds one
    if missing; `secret`: never echoed."""

    schemes: tuple[str, ...]
    strip_slash: bool = False
    end_slash: bool = False
    secret: bool = False

    @property
    def hidden(self) -> bool:
        return self.secret

    def parse(self, name: str, raw: str) -> str:
        value = raw.strip()
        scheme = value.split(":", 1)[0]
        if not re.fullmatch(r"[a-z]+://[^\s/]+(/\S*)?", value) or scheme not in self.schemes:
            allowed = " or ".join(f"{s}://…" for s in self.schemes)
            raise ConfigError(f"{name}={self.shown(raw)} is not a URL; allowed {allowed}")
        if self.strip_slash:
            return value.rstrip("/")
        if self.end_slash and not value.endswith("/"):
            return value + "/"
        return value


@dataclass(frozen=True)
class RedisUrl(Parser[str]):
    """A redis:// or rediss:// URL the Redis client accepts (port, db, options). A secret."""

    @property
    def hidden(self) -> bool:
        return True

    def parse(self, name: str, raw: str) -> str:
        value = Url(("redis", "rediss"), secret=True).parse(name, raw)
        try:
            parse_redis_url(value)  # what the client will do at start-up: port, db, options
        except ValueError:
            raise ConfigError(
                f"{name}={self.shown(raw)} is not a Redis URL; allowed "
                "redis://[user:password@]host[:port][/db] or rediss://…"
            ) from None
        return value


@dataclass(frozen=True)
class DatabaseUrl(Parser[str]):
    """A PostgreSQL URL the database layer accepts. A secret."""

    @property
    def hidden(self) -> bool:
        return True

    def parse(self, name: str, raw: str) -> str:
        try:
            url = engine_url(raw, pathlib.Path("."))
        except ValueError:  # DatabaseUrlError, or SQLAlchemy's own (a port that is not a number)
            raise ConfigError(
                f"{name}={self.shown(raw)} is not a PostgreSQL URL; allowed "
                "postgres://user:password@host:5432/database"
            ) from None
        if url.port is not None and not 1 <= url.port <= 65_535:
            raise ConfigError(
                f"{name}={self.shown(raw)} has port {url.port}, out of range; allowed 1–65,535"
            )
        return raw.strip()


@dataclass(frozen=True)
class Secret(Parser[str]):
    """A token or password, taken as it is (trimmed) and never echoed; one we check ourselves
    (a bearer token) must be at least `min_chars` long to be hard to guess."""

    min_chars: int = 0

    @property
    def hidden(self) -> bool:
        return True

    def parse(self, name: str, raw: str) -> str:
        secret = raw.strip()
        if len(secret) < self.min_chars:
            raise ConfigError(
                f"{name}={self.shown(raw)} is too short to be safe; allowed {self.min_chars} "
                "characters or more (a long random string, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return secret


@dataclass(frozen=True)
class ClientId(Parser[str]):
    """A Slack app's client id: digits and one dot (`1234567890.1234567890`)."""

    def parse(self, name: str, raw: str) -> str:
        value = raw.strip()
        if not re.fullmatch(r"\d+\.\d+", value):
            raise ConfigError(f"{name}={raw!r} is not a Slack client id; allowed 123456.789012")
        return value


@dataclass(frozen=True)
class IdSet(Parser[frozenset[str]]):
    """Comma-separated ids, blanks skipped; `digits`: each id must be all digits."""

    digits: bool = False

    def parse(self, name: str, raw: str) -> frozenset[str]:
        ids = frozenset(part.strip() for part in raw.split(",") if part.strip())
        if self.digits and not all(i.isdigit() for i in ids):
            raise ConfigError(f"{name}={raw!r} is not a list of ids; allowed 123,456")
        return ids


@dataclass(frozen=True)
class ShardCount(Parser[int | Literal["auto"]]):
    """How many shards the bot's gateway sessions split its servers over: 1–`high`, or `auto`
    (Discord's recommendation, asked at start-up)."""

    high: int = 100_000

    def parse(self, name: str, raw: str) -> int | Literal["auto"]:
        value = raw.strip().lower()
        if value == "auto":
            return "auto"
        allowed = f"allowed 1–{self.high:,} or auto"
        if not re.fullmatch(r"[0-9]+", value):
            raise ConfigError(f"{name}={raw!r} is not a number; {allowed}")
        if not 1 <= int(value) <= self.high:
            raise ConfigError(f"{name}={raw!r} is out of range; {allowed}")
        return int(value)


@dataclass(frozen=True)
class ShardIds(Parser[tuple[int, ...]]):
    """Comma-separated shard ids from 0 (blanks skipped), sorted, without repeats; whether
    each is below the shard count is checked with the count (`DiscordSettings`)."""

    def parse(self, name: str, raw: str) -> tuple[int, ...]:
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if not parts or not all(re.fullmatch(r"[0-9]+", part) for part in parts):
            raise ConfigError(f"{name}={raw!r} is not a list of shard ids; allowed 0,2 (from 0)")
        return tuple(sorted({int(part) for part in parts}))


@dataclass(frozen=True)
class WorkerDyno(Parser[int | None]):
    """Heroku's name for the dyno (`worker.2`): a worker's number, from 1. Other dynos
    (`web.1`, `run.4321`) and hosts that name them otherwise have none: None."""

    def parse(self, name: str, raw: str) -> int | None:
        found = re.fullmatch(r"worker\.([0-9]+)", raw.strip())
        if found is None:
            return None
        if int(found[1]) < 1:
            raise ConfigError(f"{name}={raw!r} is out of range; allowed worker.1, worker.2, …")
        return int(found[1])


@dataclass(frozen=True)
class Country(Parser[str]):
    """An App Store storefront, a two-letter code (any case)."""

    def parse(self, name: str, raw: str) -> str:
        value = raw.strip().lower()
        if not is_storefront(value):
            raise ConfigError(
                f"{name}={raw!r} is not an App Store country; allowed a two-letter code like us, gb"
            )
        return value


@dataclass(frozen=True)
class Weekday(Parser[int]):
    """monday–sunday or mon–sun (any case), as 0–6."""

    def parse(self, name: str, raw: str) -> int:
        value = raw.strip().lower()
        for index, day in enumerate(WEEKDAYS):
            if value in (day, day[:3]):
                return index
        raise ConfigError(f"{name}={raw!r} is not a weekday; allowed monday–sunday (or mon–sun)")


@dataclass(frozen=True)
class TimeZone(Parser[str]):
    """UTC or an IANA zone name this machine knows."""

    def parse(self, name: str, raw: str) -> str:
        value = raw.strip()
        try:
            WatchSettings(digest_tz=value).zone  # noqa: B018  (raises for an unknown zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{name}={raw!r} is not a time zone; allowed UTC or an IANA name like Europe/Berlin"
            ) from None
        return value


@dataclass(frozen=True)
class Directory(Parser[pathlib.Path]):
    """A directory path; `~` is expanded. Refused when it can never be a folder: it, or the
    nearest part of it that exists, is a file. (Whether the folder can be created or written
    is found out when it is used.)"""

    def parse(self, name: str, raw: str) -> pathlib.Path:
        path = pathlib.Path(raw.strip()).expanduser()
        for step in (path, *path.parents):
            try:
                mode = os.stat(step).st_mode
            except (FileNotFoundError, NotADirectoryError):
                continue  # missing (the bot creates it), or under a file: look further up
            except OSError:
                break  # unreadable, too long, a loop: left to the first use, which reports it
            if not stat.S_ISDIR(mode):
                where = "it is" if step == path else f"{str(step)!r} is"
                raise ConfigError(
                    f"{name}={raw!r} is not a folder ({where} a file); allowed a folder, "
                    "created if missing"
                )
            break  # the nearest part that exists is a folder
        return path


@dataclass(frozen=True)
class PrimaryModel(Parser[tuple[str, ...]]):
    """The model asked first: it replaces the default list of models."""

    def parse(self, name: str, raw: str) -> tuple[str, ...]:
        return (raw.strip(),)


@dataclass(frozen=True)
class FallbackModels(Parser[tuple[str, ...]]):
    """Comma-separated models tried next: appended to the current list (the primary model, or
    the default list) without repeats."""

    def parse(self, name: str, raw: str) -> tuple[str, ...]:
        return tuple(model.strip() for model in raw.split(",") if model.strip())

    def join(self, current: object, value: tuple[str, ...]) -> object:
        if not isinstance(current, tuple):
            raise TypeError(f"models must be a tuple, not {type(current).__name__}")
        return tuple(dict.fromkeys((*current, *value)))  # the primary first, without repeats
