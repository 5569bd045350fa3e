"""What a market scan found, as plain values: each app's place in the charts, its opportunity
score and evidence (`Opportunity`), and the scan as a whole (`MarketScan`) with the App Store
calls it cost and what the user should know about it (`notes`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.advice import ChartRanks, Opportunity
from bot.appstore import CHART_KINDS, TOP_FREE, TOP_GROSSING, TOP_PAID, AppInfo, ChartEntry

PRICE_FILTERS = ("free", "paid")
CHART_NAMES = {TOP_FREE: "top free", TOP_PAID: "top paid", TOP_GROSSING: "top grossing"}


@dataclass(frozen=True)
class ScanCalls:
    """App Store requests a scan made, by kind (a reviews read that falls back from Apple's
    JSON feed to its XML one counts once), and the ones it did not make or got no answer to."""

    charts: int = 0
    lookups: int = 0
    reviews: int = 0
    skipped: int = 0  # not made (the rate budget was short) or unanswered (Apple failed)

    @property
    def total(self) -> int:
        return self.charts + self.lookups + self.reviews


@dataclass(frozen=True)
class MarketScan:
    category: str  # Apple's name ("Finance"), or what was typed when it named no category
    genre_id: int | None
    country: str
    price: str | None  # None (all), "free" or "paid"
    chart_entries: int  # entries read over the charts (up to 200 each)
    candidates: int  # distinct apps among them
    opportunities: tuple[Opportunity, ...]  # every app scored (of the price asked), best first
    calls: ScanCalls
    notes: tuple[str, ...] = ()  # for the user: a chart empty, the budget short…
    suggestions: tuple[str, ...] = ()  # categories meant, when the one typed is unknown
    scanned_at: float = 0.0  # wall-clock seconds when the charts were read
    cached: bool = False  # served from the scan cache (no App Store call for this answer)

    @property
    def reviewed(self) -> int:
        """How many apps' reviews were read (the shortlist, budget allowing)."""
        return sum(1 for found in self.opportunities if found.reviews is not None)

    def top(self, count: int = 5) -> tuple[Opportunity, ...]:
        return self.opportunities[:count]


def charts_for(price: str | None) -> tuple[str, ...]:
    """The charts that can hold apps of the price asked (the free chart holds no paid app)."""
    if price == "free":
        return TOP_FREE, TOP_GROSSING
    if price == "paid":
        return TOP_PAID, TOP_GROSSING
    return CHART_KINDS


def chart_ranks(read: dict[str, list[ChartEntry] | None]) -> dict[int, ChartRanks]:
    """Every app on the charts (in the order first met) with its rank on each."""
    places: dict[int, dict[str, int]] = {}
    for kind, entries in read.items():
        for rank, entry in enumerate(entries or (), start=1):
            places.setdefault(entry.track_id, {}).setdefault(kind, rank)
    return {
        track_id: ChartRanks(
            free=place.get(TOP_FREE), paid=place.get(TOP_PAID), grossing=place.get(TOP_GROSSING)
        )
        for track_id, place in places.items()
    }


def priced_as(app: AppInfo, ranks: ChartRanks, price: str | None) -> bool:
    if price is None:
        return True
    if app.price is not None:
        return (app.price > 0) == (price == "paid")
    return (ranks.paid if price == "paid" else ranks.free) is not None


def ranked(found: Iterable[Opportunity]) -> list[Opportunity]:
    """Best first: the total, then the exact sum, then the app id (a stable order)."""
    return sorted(found, key=lambda o: (-o.score.total, -o.score.exact_total, o.app.track_id))
