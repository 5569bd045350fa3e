"""A `MarketScan` as JSON, for the scan cache shared between workers (Redis).

JSON rather than pickle: whoever can write to the shared cache must not be able to run code in
the workers. A record that does not decode (another version's format) is a cache miss.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from bot.cache import opportunity_from_dict
from bot.report import opportunity_json
from bot.scout.market import MarketScan, ScanCalls

FORMAT_VERSION = 1


class UndecodableScan(ValueError):
    """The bytes are not a scan this version can read."""


def encode_scan(scan: MarketScan) -> bytes:
    record = {
        "v": FORMAT_VERSION,
        "category": scan.category,
        "genre_id": scan.genre_id,
        "country": scan.country,
        "price": scan.price,
        "chart_entries": scan.chart_entries,
        "candidates": scan.candidates,
        "opportunities": [opportunity_json(found) for found in scan.opportunities],
        "calls": asdict(scan.calls),
        "notes": list(scan.notes),
        "suggestions": list(scan.suggestions),
        "scanned_at": scan.scanned_at,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def decode_scan(raw: bytes | str) -> MarketScan:
    try:
        record = json.loads(raw)
        if record.get("v") != FORMAT_VERSION:
            raise UndecodableScan(f"format {record.get('v')!r}")
        return MarketScan(
            category=str(record["category"]),
            genre_id=record["genre_id"],
            country=str(record["country"]),
            price=record["price"],
            chart_entries=int(record["chart_entries"]),
            candidates=int(record["candidates"]),
            opportunities=tuple(opportunity_from_dict(row) for row in record["opportunities"]),
            calls=ScanCalls(**record["calls"]),
            notes=tuple(str(note) for note in record["notes"]),
            suggestions=tuple(str(name) for name in record["suggestions"]),
            scanned_at=float(record["scanned_at"]),
        )
    except UndecodableScan:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UndecodableScan(f"{type(exc).__name__}: {exc}") from None


