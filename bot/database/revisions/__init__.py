"""The schema's history: one Alembic revision per change, applied in order by
`bot.database.migrations` (no alembic.ini or env.py; the files are found next to this one)."""
