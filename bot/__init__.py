"""Trend Scout's platform-free core. Adapters import from here and from the packages:
`bot.appstore` (facts), `bot.advice` (score and fallback), `bot.ai` (the model), `bot.cache`
(caches and limits), `bot.runtime` (transport, logs, stats)."""
