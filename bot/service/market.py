"""The facts behind `/scout find <category>`: the market scanned (charts, look-ups, a shortlist's
reviews), its best opportunities, and what the scan cost in App Store calls — said plainly in
the reply's notes, with how old a cached scan is."""

from __future__ import annotations

import time

from bot.commands import Command
from bot.progress import ProgressFeed
from bot.report import Report, ReportKind
from bot.scout import MarketScan, MarketScanner, category_suggestions

SHOWN = 5  # opportunities in the reply's table


async def market_facts(
    scanner: MarketScanner, command: Command, country: str, feed: ProgressFeed
) -> tuple[MarketScan, tuple[str, ...]] | Report:
    """The scan and the notes for its reply; or the reply itself when there is no market to
    speak of (a category the scan does not know, an empty chart). The command's subject is the
    category's own name already (the service checks it before any call)."""
    category = command.subject
    scan = await scanner.scan(category, country, command.price, feed)
    if scan.suggestions:
        return unknown_category(command.subject, scan.suggestions)
    if not scan.opportunities:
        text = " ".join(scan.notes) or (
            f"The {country.upper()} App Store's {category} charts list no apps right now."
        )
        return Report(ReportKind.ERROR, category, text)
    return scan, (*scan.notes, cost_note(scan))


def unknown_category(typed: str, suggestions: tuple[str, ...] = ()) -> Report:
    nearest = suggestions or category_suggestions(typed)
    text = f"“{typed}” is not an App Store category."
    if nearest:
        text += " Did you mean " + " or ".join(f"“{name}”" for name in nearest) + "?"
    text += " For example `/scout find Finance`."
    return Report(ReportKind.ERROR, typed, text)


def cost_note(scan: MarketScan, now: float | None = None) -> str:
    """ "Scanned 3 charts (600 entries, 412 apps) with 16 App Store calls: 3 charts, 3 look-ups,
    10 review pages" — or, for a scan kept from earlier, how old it is."""
    calls = scan.calls
    note = (
        f"Scanned {calls.charts} charts ({scan.chart_entries} entries, {scan.candidates} apps) "
        f"with {calls.total} App Store calls: {calls.charts} charts, {calls.lookups} look-ups, "
        f"{calls.reviews} review pages"
    )
    if scan.cached:
        minutes = max(0, round(((now or time.time()) - scan.scanned_at) / 60))
        note += f" (a scan from {minutes} min ago, kept for everyone asking)"
    return note
