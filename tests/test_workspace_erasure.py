"""What an uninstalled workspace leaves: its conversations (memory and a real Redis) and its
journalled commands go; other workspaces' stay."""

from __future__ import annotations

from bot.cache import (
    ConversationContext,
    ConversationKey,
    MemoryConversationStore,
    RedisBackend,
    RedisConversationStore,
)
from bot.database import CommandJournal, Database, JournalEntry
from bot.report import Report, ReportKind, Source

REPORT = Report(ReportKind.ANALYSIS, "Facebook", "An answer.", Source.AI)


async def test_a_workspaces_conversations_are_forgotten_in_memory_and_redis(
    redis_url: str,
) -> None:
    backend = RedisBackend(redis_url)
    memory = MemoryConversationStore(600)
    store = RedisConversationStore(backend, memory, 600)
    gone, kept = ConversationKey("slack", "T1", "C1:1.1"), ConversationKey("slack", "T2", "C1:1.1")
    try:
        for key in (gone, kept, ConversationKey("slack", "T1", "D1")):
            await store.put(key, ConversationContext(REPORT))
        await memory.put(ConversationKey("slack", "T1", "C9:9.9"), ConversationContext(REPORT))
        assert await store.forget_workspace("slack", "T1") == 3  # two in Redis, one in memory
        assert await store.get(gone) is None
        assert await store.get(kept) is not None
        assert await store.forget_workspace("slack", "T1") == 0
    finally:
        await backend.aclose()


async def test_a_workspaces_journalled_commands_are_forgotten(database: Database) -> None:
    journal = CommandJournal(database, "worker-1")
    for workspace in ("T1", "T1", "T2"):
        await journal.record(JournalEntry("slack", "U1", "Facebook", workspace, expires_at=9e9))
    assert await journal.forget_workspace("slack", "T1") == 2
    assert await journal.pending() == 1
