"""The `AppCatalog` port the service reads App Store facts through; the facts themselves are
values (bot/appstore/values.py)."""

from __future__ import annotations

from typing import Protocol

from bot.appstore.values import AppLookup, ChartLookup, ReviewsLookup


class AppCatalog(Protocol):
    """Where the service gets App Store facts; `None` in the service means "no catalog"."""

    async def find_app(self, name: str, track_id: int | None, country: str) -> AppLookup: ...

    async def top_apps(self, genre_id: int, country: str) -> ChartLookup: ...

    async def reviews(self, track_id: int, country: str, pages: int) -> ReviewsLookup: ...
