"""A synthetic App Store market for the fake iTunes API: a few hundred generated Finance apps
(genre 6015) spread over the three top charts — 200 top free, 200 top paid, 200 top grossing,
600 entries with overlap, 412 distinct apps — each with a look-up record and a page of newest
reviews, with Apple's quirks: three apps rated 0 by nobody and without a release date, two
charted apps the look-up no longer knows. Deterministic: the same seed builds the same market.

Two apps are planted:
- the **opportunity**: 38,400 ratings at 4.1★ overall but 1.9★ for the current version, last
  updated more than three years ago, its 50 newest reviews full of crashes, lost data and feature
  requests (31 of them report crashes) — a scan must rank it first;
- the **fortress**: 3.2 million ratings at 4.8★, updated last week, #1 free and #1 grossing,
  loved in its reviews — it must not reach a scan's top 5.

`python -m tests.fake_market` prints what it builds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.fake_appstore import FakeAppStore

TODAY = date(2026, 11, 23)
FINANCE = 6015
TOP_FREE, TOP_PAID, TOP_GROSSING = (
    "topfreeapplications",
    "toppaidapplications",
    "topgrossingapplications",
)
OPPORTUNITY = 1_500_000_001
FORTRESS = 1_500_000_002
OPPORTUNITY_FREE_RANK, OPPORTUNITY_GROSSING_RANK = 27, 38
CHART_SIZE = 200
GROSSING_FROM_FREE, GROSSING_FROM_PAID, GROSSING_ONLY = 100, 86, 12
REVIEWS_PER_APP = 50
DELISTED = 2  # charted apps the look-up no longer knows (Apple leaves them out)

Review = tuple[str, int, str, str, str, str]  # id, stars, written, title, text, version


@dataclass(frozen=True)
class SyntheticMarket:
    genre: int
    category: str
    today: date
    charts: dict[str, tuple[int, ...]]  # chart → track ids, best first
    names: dict[int, str]  # as the charts show them
    records: dict[int, dict[str, Any]]  # look-up records by track id (not the delisted apps')
    reviews: dict[int, tuple[Review, ...]]  # newest first
    opportunity: int = OPPORTUNITY
    fortress: int = FORTRESS

    @property
    def entries(self) -> int:
        return sum(len(ids) for ids in self.charts.values())

    @property
    def candidates(self) -> int:
        return len({track_id for ids in self.charts.values() for track_id in ids})

    def install(self, store: FakeAppStore) -> None:
        """Serve this market from the fake App Store (charts, look-ups and reviews)."""
        for track_id, record in self.records.items():
            store.set_app(track_id, **record)
        for chart, ids in self.charts.items():
            named = [(track_id, self.names[track_id]) for track_id in ids]
            store.set_chart(chart, self.genre, named, category=self.category)
        for track_id, reviews in self.reviews.items():
            store.set_reviews(track_id, reviews)


def build_market(seed: int = 23, today: date = TODAY) -> SyntheticMarket:
    rng = random.Random(seed)
    records: dict[int, dict[str, Any]] = {}
    reviews: dict[int, tuple[Review, ...]] = {}

    def generated(track_id: int, paid: bool, grossing: bool) -> None:
        rating = round(rng.triangular(3.8, 4.9, 4.5), 2)
        count = int(10 ** rng.uniform(2.3 if grossing else 1.5, 5.8 if grossing else 5.2))
        current = None if rng.random() < 0.1 else _stars(rating + rng.gauss(0, 0.15))
        days = rng.uniform(2, 240) if rng.random() < 0.85 else rng.uniform(240, 700)
        price = rng.choice((0.99, 1.99, 2.99, 2.99, 4.99, 6.99)) if paid else 0.0
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {track_id % 1000}"
        records[track_id] = _record(
            track_id, name, rating, count, current, price, today - timedelta(days=int(days))
        )
        reviews[track_id] = _ordinary_reviews(rng, track_id, rating, today)

    free = [1_500_100_000 + n for n in range(CHART_SIZE - 2)]
    paid = [1_500_200_000 + n for n in range(CHART_SIZE)]
    only_grossing = [1_500_300_000 + n for n in range(GROSSING_ONLY)]
    grossing_free = set(rng.sample(free, GROSSING_FROM_FREE))
    grossing_paid = set(rng.sample(paid, GROSSING_FROM_PAID))
    for track_id in free:
        generated(track_id, paid=False, grossing=track_id in grossing_free)
    for track_id in paid:
        generated(track_id, paid=True, grossing=track_id in grossing_paid)
    for track_id in only_grossing:
        generated(track_id, paid=False, grossing=True)
    for track_id in only_grossing[:3]:  # Apple's quirks: rated 0 by nobody, no release date
        records[track_id].update(averageUserRating=0, userRatingCount=0)
        records[track_id].pop("currentVersionReleaseDate")
    names = {track_id: record["trackName"] for track_id, record in records.items()}
    for track_id in only_grossing[-DELISTED:]:  # still charted, gone from the look-up
        del records[track_id], reviews[track_id]

    names[OPPORTUNITY], names[FORTRESS] = "PennyWise Budget", "Fortress Bank"
    records[OPPORTUNITY] = _record(
        OPPORTUNITY, "PennyWise Budget", 4.1, 38_400, 1.9, 0.0, today - timedelta(days=1130)
    )
    records[OPPORTUNITY]["version"] = "3.2.1"
    reviews[OPPORTUNITY] = _opportunity_reviews(today)
    records[FORTRESS] = _record(
        FORTRESS, "Fortress Bank", 4.8, 3_200_000, 4.8, 0.0, today - timedelta(days=6)
    )
    reviews[FORTRESS] = _fortress_reviews(rng, today)

    top_free = [FORTRESS, *free]
    top_free.insert(OPPORTUNITY_FREE_RANK - 1, OPPORTUNITY)
    rest = [*sorted(grossing_free), *sorted(grossing_paid), *only_grossing]
    rng.shuffle(rest)
    top_grossing = [FORTRESS, *rest]
    top_grossing.insert(OPPORTUNITY_GROSSING_RANK - 1, OPPORTUNITY)
    charts = {
        TOP_FREE: tuple(top_free),
        TOP_PAID: tuple(paid),
        TOP_GROSSING: tuple(top_grossing),
    }
    assert all(len(ids) == CHART_SIZE for ids in charts.values())
    return SyntheticMarket(FINANCE, "Finance", today, charts, names, records, reviews)


def _stars(value: float) -> float:
    return round(min(5.0, max(1.0, value)), 2)


def _record(
    track_id: int,
    name: str,
    rating: float,
    count: int,
    current: float | None,
    price: float,
    updated: date,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "software",
        "trackId": track_id,
        "trackName": name,
        "sellerName": f"{name.split()[0]} Labs",
        "primaryGenreName": "Finance",
        "primaryGenreId": FINANCE,
        "genres": ["Finance", "Business"],
        "averageUserRating": rating,
        "userRatingCount": count,
        "price": price,
        "formattedPrice": "Free" if price == 0 else f"${price:.2f}",
        "currency": "USD",
        "version": f"{track_id % 7 + 1}.{track_id % 10}",
        "currentVersionReleaseDate": f"{updated.isoformat()}T07:00:00Z",
        "trackViewUrl": f"https://apps.apple.com/us/app/id{track_id}",
        "artworkUrl100": f"https://is1-ssl.mzstatic.com/image/{track_id}/100x100bb.jpg",
    }
    if current is not None:
        record["averageUserRatingForCurrentVersion"] = current
        record["userRatingCountForCurrentVersion"] = max(1, count // 20)
    return record


def _written(today: date, days_ago: int) -> str:
    return f"{(today - timedelta(days=days_ago)).isoformat()}T10:00:00-07:00"


_FIRST = ("Budget", "Money", "Coin", "Ledger", "Expense", "Wallet", "Savings", "Cash", "Tax")
_SECOND = ("Planner", "Tracker", "Pro", "Manager", "Book", "Buddy", "Keeper", "Flow", "Box")
_PRAISE = (
    ("Great app", "Easy to use and keeps my budget on track."),
    ("Love it", "Simple design, does exactly what I need every day."),
    ("Very helpful", "Clear charts and quick to add expenses."),
    ("Five stars", "Been using it for a year, works well."),
)
_GRUMBLES = (
    ("Too many ads", "The ads pop up after every entry."),
    ("Pricey", "The subscription is too expensive for what it does."),
    ("Sync issues", "My data does not sync between my phone and iPad."),
    ("Login", "I have to log in again every time, Face ID never sticks."),
    ("Crashes", "It crashes when I export a report."),
    ("Missing", "There is no way to split a transaction."),
)


def _ordinary_reviews(
    rng: random.Random, track_id: int, rating: float, today: date
) -> tuple[Review, ...]:
    found = []
    for n in range(REVIEWS_PER_APP):
        stars = int(min(5, max(1, round(rng.gauss(rating + 0.2, 0.9)))))
        title, text = rng.choice(_PRAISE if stars >= 4 else _GRUMBLES)
        found.append((f"{track_id}-{n}", stars, _written(today, n * 2), title, text, "2.0"))
    return tuple(found)


_CRASHES = (
    ("Crashes constantly", "Crashes every time I open the budget tab. Please add CSV export."),
    ("Lost everything", "Keeps crashing since the last update and I lost all my data."),
    ("Freezes", "The app freezes on launch and then crashes. I wish it had a backup button."),
    ("Unusable", "Crash after crash when I add a transaction, three years without a fix."),
)
_LOST_DATA = (
    ("Where did my data go", "All my transactions disappeared after the sync."),
    ("Gone", "Lost my budget history, months of entries deleted my whole year."),
)
_REQUESTS = (
    "Would be great if it had bank sync. Please add dark mode.",
    "I'd love shared budgets with my partner; please add recurring bills too.",
)
_FONDLY = (
    ("Used to love it", "Still the clearest budget layout around."),
    ("Good idea", "The envelope method is done right here."),
)


def _opportunity_reviews(today: date) -> tuple[Review, ...]:
    """50 newest reviews averaging 1.9★: 31 report crashes, 7 lost data, 4 ask for features."""
    planned: list[tuple[int, str, str]] = []
    for n in range(31):
        title, text = _CRASHES[n % len(_CRASHES)]
        planned.append((1 if n < 24 else 2, title, text))
    for n in range(7):
        title, text = _LOST_DATA[n % len(_LOST_DATA)]
        planned.append((1 if n < 5 else 2, title, text))
    for n in range(4):
        planned.append((3, "Needs more", _REQUESTS[n % len(_REQUESTS)]))
    for n in range(8):
        title, text = _FONDLY[n % len(_FONDLY)]
        planned.append((4 if n < 4 else 5, title, text))
    order = random.Random(OPPORTUNITY).sample(planned, len(planned))
    return tuple(
        (f"op-{n}", stars, _written(today, n), title, text, "3.2.1")
        for n, (stars, title, text) in enumerate(order)
    )


def _fortress_reviews(rng: random.Random, today: date) -> tuple[Review, ...]:
    found = []
    for n in range(REVIEWS_PER_APP):
        stars = 5 if n % 10 else 4
        title, text = rng.choice(_PRAISE)
        found.append((f"fort-{n}", stars, _written(today, n // 5), title, text, "12.4"))
    return tuple(found)


if __name__ == "__main__":
    market = build_market()
    print(
        f"{market.category} ({market.genre}): {market.entries} chart entries, "
        f"{market.candidates} distinct apps, {sum(map(len, market.reviews.values()))} reviews"
    )
    for chart, ids in market.charts.items():
        print(f"  {chart}: {len(ids)} entries")
    print(
        f"  opportunity {OPPORTUNITY}: free #{OPPORTUNITY_FREE_RANK}, "
        f"grossing #{OPPORTUNITY_GROSSING_RANK}"
    )
    print(f"  fortress {FORTRESS}: free #1, grossing #1")
