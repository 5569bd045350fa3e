"""What a conversation remembers between its turns: its first report (the app's facts, clone
score, review evidence, competitors and the answer) and its last exchanges, within a token budget.

A conversation is one thread, DM or console session, keyed by platform, workspace and place, so
context never crosses conversations, users' DMs, channels or workspaces. Kept for a day by
default; `MemoryConversationStore` in this process, `RedisConversationStore` shared by every
worker (memory again while Redis is away), as JSON — never pickle: whoever can write to Redis
must not be able to run code in the workers. The budget drops the oldest exchanges first and
never the first report: the facts are what keep a follow-up grounded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from cachetools import TTLCache

from bot.cache.redis_backend import KEY_PREFIX, RedisBackend, RedisUnavailable
from bot.cache.report_codec import report_from_dict
from bot.report import Report

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
EXCHANGE_TOKEN_BUDGET = 1500  # the exchanges kept besides the first report
CHARS_PER_TOKEN = 4  # gpt-oss's o200k vocabulary on English prose, about
MAX_CONVERSATIONS = 10_000  # kept in one process's memory at once


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class ConversationKey:
    platform: str  # slack, discord, console
    workspace: str  # the Slack team or Discord guild ("" for DMs outside one)
    place: str  # the channel and thread, or the DM channel, or the console session

    def storage_key(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()
        return f"{KEY_PREFIX}conversation:{digest[:40]}"


@dataclass(frozen=True)
class Exchange:
    role: str  # "user" or "assistant"
    text: str


@dataclass(frozen=True)
class ConversationContext:
    report: Report
    exchanges: tuple[Exchange, ...] = ()
    dropped: int = 0  # older exchanges left out to stay within the budget

    def with_exchanges(
        self, *exchanges: Exchange, budget: int = EXCHANGE_TOKEN_BUDGET
    ) -> ConversationContext:
        """The context after more exchanges, the oldest dropped while over `budget` tokens."""
        kept = [*self.exchanges, *exchanges]
        dropped = self.dropped
        while len(kept) > 1 and sum(estimate_tokens(e.text) for e in kept) > budget:
            kept.pop(0)
            dropped += 1
        return ConversationContext(self.report, tuple(kept), dropped)

    def encode(self) -> bytes:
        record = {
            "v": FORMAT_VERSION,
            "report": self.report.to_dict(),
            "exchanges": [asdict(e) for e in self.exchanges],
            "dropped": self.dropped,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> ConversationContext:
        """Raises ValueError for a record this version cannot read."""
        try:
            record = json.loads(raw)
            if record.get("v") != FORMAT_VERSION:
                raise ValueError(f"format {record.get('v')!r}")
            exchanges = tuple(
                Exchange(str(row["role"]), str(row["text"])) for row in record["exchanges"]
            )
            return cls(report_from_dict(record["report"]), exchanges, int(record["dropped"]))
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"{type(exc).__name__}: {exc}") from None


class ConversationStore(ABC):
    @abstractmethod
    async def get(self, key: ConversationKey) -> ConversationContext | None: ...

    @abstractmethod
    async def put(self, key: ConversationKey, context: ConversationContext) -> None: ...

    @abstractmethod
    async def forget(self, key: ConversationKey) -> None: ...

    @abstractmethod
    async def forget_workspace(self, platform: str, workspace: str) -> int:
        """Forget every conversation of one workspace (the app was uninstalled there); how
        many were found."""


class MemoryConversationStore(ConversationStore):
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: TTLCache[ConversationKey, ConversationContext] = TTLCache(
            MAX_CONVERSATIONS, ttl_seconds, timer=clock
        )

    async def get(self, key: ConversationKey) -> ConversationContext | None:
        return self._entries.get(key)

    async def put(self, key: ConversationKey, context: ConversationContext) -> None:
        self._entries[key] = context  # a new turn keeps the conversation for another TTL

    async def forget(self, key: ConversationKey) -> None:
        self._entries.pop(key, None)

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        here = (platform, workspace)
        keys = [k for k in list(self._entries) if (k.platform, k.workspace) == here]
        for key in keys:
            self._entries.pop(key, None)
        return len(keys)


class RedisConversationStore(ConversationStore):
    def __init__(
        self, redis: RedisBackend, memory: MemoryConversationStore, ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._memory = memory
        self._ttl = ttl_seconds
        self._in_memory = False  # said so in the log; said again after Redis came back

    def _without_redis(self) -> None:
        if not self._in_memory:
            log.warning(
                "Redis is unreachable: follow-up conversations are kept in this worker's memory "
                "until it is back (one answered by another worker meanwhile starts afresh)"
            )
        self._in_memory = True

    async def get(self, key: ConversationKey) -> ConversationContext | None:
        try:
            raw = await self._redis.call(lambda r: r.get(key.storage_key()))
        except RedisUnavailable:
            self._without_redis()
            return await self._memory.get(key)
        self._in_memory = False
        if raw is None:  # perhaps kept here while Redis was away
            return await self._memory.get(key)
        try:
            return ConversationContext.decode(raw)
        except ValueError as exc:
            log.warning("ignoring a conversation this version cannot read (%s)", exc)
            return None

    async def put(self, key: ConversationKey, context: ConversationContext) -> None:
        record = context.encode()
        index = workspace_index(key.platform, key.workspace)

        async def write(redis: Any) -> Any:
            # The workspace's index of its conversations' keys (hashed: they name no one),
            # kept as long as its newest conversation, so an uninstall can find them all.
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(key.storage_key(), record, ex=self._ttl)
                pipe.sadd(index, key.storage_key())
                pipe.expire(index, self._ttl)
                return await pipe.execute()

        try:
            await self._redis.call(write)
        except RedisUnavailable:
            self._without_redis()
            await self._memory.put(key, context)
            return
        self._in_memory = False

    async def forget(self, key: ConversationKey) -> None:
        await self._memory.forget(key)
        with contextlib.suppress(RedisUnavailable):
            await self._redis.call(lambda r: r.delete(key.storage_key()))

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        """Memory and Redis; raises `RedisUnavailable` when Redis cannot be reached (the
        caller says so: those conversations then expire with their TTL)."""
        forgotten = await self._memory.forget_workspace(platform, workspace)
        index = workspace_index(platform, workspace)
        keys: set[bytes | str] = await self._redis.call(lambda r: r.smembers(index))
        if keys:
            await self._redis.call(lambda r: r.delete(*keys, index))
        else:
            await self._redis.call(lambda r: r.delete(index))
        return forgotten + len(keys)


def workspace_index(platform: str, workspace: str) -> str:
    """The Redis set of one workspace's conversation keys."""
    digest = hashlib.sha256(f"{platform}\0{workspace}".encode()).hexdigest()
    return f"{KEY_PREFIX}conversations:{digest[:40]}"
