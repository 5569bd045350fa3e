"""Trend Scout's platform-free core. Its packages, each imported through its own face:
`bot.intake` (the way in), `bot.service` (answering commands), `bot.views` (replies as views),
`bot.appstore` (facts), `bot.advice` (scores and rule-based advice), `bot.ai` (the model client),
`bot.prompts`, `bot.cache` (memory or Redis), `bot.database` (SQLite or PostgreSQL), `bot.watch`,
`bot.runtime`; `bot.app` wires them for one process."""
