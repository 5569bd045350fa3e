"""Benchmark: what a conversation costs — prompt tokens per follow-up turn with and without
tools, and App Store calls for a compare and for a follow-up's look-ups.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/conversation_bench.py`.

The real service and conversation path against the fake router and the fake App Store (Apple's
recorded responses); tokens are counted in gpt-oss's own vocabulary (o200k, the `bpe-openai`
wheel) over everything sent: messages, tool calls and results, and the tools' JSON schemas.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import bpe_openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ai import RouterClient, RouterSettings  # noqa: E402
from bot.appstore import AppStoreSettings, ITunesCatalog  # noqa: E402
from bot.cache import MemoryAnswerCache, MemoryUserLimiter  # noqa: E402
from bot.intake.turns import Conversation  # noqa: E402
from bot.runtime import AiohttpTransport, Caller  # noqa: E402
from bot.service.recommendations import RecommendationService  # noqa: E402
from tests.fake_appstore import FakeAppStore  # noqa: E402
from tests.fake_router import DEFAULT_KEY, FakeRouter  # noqa: E402

TOKENS = bpe_openai.get_encoding("o200k_base")
USER = Caller("slack", "U1", workspace="T1")


def tokens(body: dict[str, Any]) -> int:
    """Prompt tokens of one request: every message's text and calls, and the tool schemas."""
    parts = [m.get("content") or "" for m in body["messages"]]
    parts += [json.dumps(m["tool_calls"]) for m in body["messages"] if m.get("tool_calls")]
    if body.get("tools"):
        parts.append(json.dumps(body["tools"]))
    return sum(len(TOKENS.encode(part)) for part in parts)


async def main() -> None:
    with FakeAppStore() as appstore, FakeRouter() as router:
        transport = AiohttpTransport()
        try:
            catalog = ITunesCatalog(
                AppStoreSettings(base_url=appstore.base_url, calls_per_minute=100_000), transport
            )
            service = RecommendationService(
                RouterClient(RouterSettings(base_url=router.url, api_key=DEFAULT_KEY), transport),
                MemoryAnswerCache(600, 1000),
                catalog,
            )
            conversation = Conversation(service, MemoryUserLimiter(1000))

            async def turn(text: str, where: str) -> None:
                started = await conversation.begin(USER, text, where)
                report = await conversation.answer(started)
                await conversation.remember(started, report, where)

            calls = len(appstore.requests)
            await turn("Webster Bank", "C1:1")
            first = tokens(router.completion_calls()[-1].body)
            print(f"analysis (Webster Bank, with its review evidence): {first} prompt tokens")

            for label, question in (("first", "what would you charge?"), ("second", "and v2?")):
                router.supports_tools = False
                await turn(question, "C1:1")
                plain = tokens(router.completion_calls()[-1].body)
                print(f"  {label} follow-up without tools: {plain} prompt tokens")
            router.supports_tools = True
            asked = len(router.completion_calls())
            router.tool_rounds = [[("find_app", '{"app": "Facebook"}')]]
            await turn("how does it compare with Facebook?", "C1:1")
            rounds = router.completion_calls()[asked:]
            with_tools = [tokens(call.body) for call in rounds]
            print(
                f"  a follow-up with tools (one look-up): {' + '.join(map(str, with_tools))} = "
                f"{sum(with_tools)} prompt tokens over {len(rounds)} model calls "
                "(the tools' schemas included)"
            )

            # A compare on a worker that has read nothing yet (no cached look-ups or reviews).
            cold = RecommendationService(
                service.router,
                MemoryAnswerCache(600, 1000),
                ITunesCatalog(
                    AppStoreSettings(base_url=appstore.base_url, calls_per_minute=100_000),
                    transport,
                ),
            )
            calls = len(appstore.requests)
            await Conversation(cold, MemoryUserLimiter(10)).answer(
                await conversation.begin(USER, "/scout compare Facebook, Webster Bank")
            )
            paths = [r.path.split("/page")[0] for r in appstore.requests[calls:]]
            print(f"compare of 2 apps, cold: {len(paths)} App Store calls: {', '.join(paths)}")
            print(f"  its prompt: {tokens(router.completion_calls()[-1].body)} tokens")
        finally:
            await transport.aclose()


if __name__ == "__main__":
    asyncio.run(main())
