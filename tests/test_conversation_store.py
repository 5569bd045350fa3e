"""bot.cache.conversation_store: the first report always kept, exchanges within a token budget,
a day's TTL, and no context shared between conversations (Redis: tests/test_redis.py)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings

from bot.cache import ConversationContext, ConversationKey, Exchange, MemoryConversationStore
from bot.cache.conversation_store import estimate_tokens
from bot.report.report import Report, ReportKind, Source
from tests.helpers import ManualClock
from tests.strategies import reports

FIRST = Report(ReportKind.ANALYSIS, "PCalc", "**Improvements**\n- A faster keypad", Source.AI)
THREAD = ConversationKey("slack", "T0001", "C0001:1700000000.000100")


def test_the_budget_drops_the_oldest_exchanges_never_the_first_report() -> None:
    context = ConversationContext(FIRST)
    for i in range(10):
        context = context.with_exchanges(
            Exchange("user", f"question {i} " + "x" * 380), Exchange("assistant", "y" * 400)
        )
    assert context.report == FIRST
    assert sum(estimate_tokens(e.text) for e in context.exchanges) <= 1500
    assert context.exchanges[-1].text == "y" * 400  # the newest stay
    assert context.dropped + len(context.exchanges) == 20
    assert context.exchanges[0].role in ("user", "assistant")
    # One exchange longer than the whole budget is still kept: the latest turn must be seen.
    huge = ConversationContext(FIRST).with_exchanges(Exchange("user", "z" * 20_000))
    assert len(huge.exchanges) == 1


@settings(max_examples=50, deadline=None)
@given(reports)
def test_a_context_survives_its_json_record(report: Report) -> None:
    context = ConversationContext(report, (Exchange("user", "what would you charge?"),), 3)
    assert ConversationContext.decode(context.encode()) == context


async def test_conversations_are_kept_a_day_and_never_shared() -> None:
    clock = ManualClock()
    store = MemoryConversationStore(ttl_seconds=86_400, clock=clock)
    await store.put(THREAD, ConversationContext(FIRST))
    others = [
        replace(THREAD, place="C0001:1700000000.000200"),  # another thread, same channel
        replace(THREAD, workspace="T0002"),  # the same ids in another workspace
        replace(THREAD, platform="discord"),
        ConversationKey("slack", "T0001", "D0001"),  # a user's DM
    ]
    assert await store.get(THREAD) == ConversationContext(FIRST)
    assert [await store.get(key) for key in others] == [None] * 4
    assert len({key.storage_key() for key in [THREAD, *others]}) == 5
    clock.now += 86_399
    assert await store.get(THREAD) is not None
    clock.now += 2
    assert await store.get(THREAD) is None
