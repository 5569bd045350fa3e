"""Trend Scout's platform-free core, and its Python API: `AIRecommender` (the seed's synchronous
class), `TrendScout` (the async API under it) and `Recommendation` (what both answer).

Its packages, each imported through its own face: `bot.intake` (the way in), `bot.service`
(answering commands), `bot.views` (replies as views), `bot.scout` (market scans),
`bot.appstore` (facts), `bot.advice` (scores and rule-based advice), `bot.ai` (the model client),
`bot.prompts`, `bot.cache` (memory or Redis), `bot.database` (SQLite or PostgreSQL), `bot.watch`,
`bot.runtime`; `bot.app` wires them for one process."""

from typing import Any

__all__ = ["AIRecommender", "Recommendation", "TrendScout", "TrendScoutError"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `import bot.commands` (or a worker) need not load the whole core.
    if name in __all__:
        from bot import recommender

        return getattr(recommender, name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
