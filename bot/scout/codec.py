"""A `MarketScan` as JSON, for the scan cache shared between workers (Redis).

JSON rather than pickle: whoever can write to the shared cache must not be able to run code in
the workers. A record that does not decode (another version's format) is a cache miss.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot.advice import (
    ChartRanks,
    Opportunity,
    OpportunityScore,
    Quote,
    ReviewEvidence,
    ScorePart,
    Theme,
    VersionStats,
)
from bot.cache import app_from_dict, app_to_dict
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
        "opportunities": [_opportunity(found) for found in scan.opportunities],
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
            opportunities=tuple(_found(row) for row in record["opportunities"]),
            calls=ScanCalls(**record["calls"]),
            notes=tuple(str(note) for note in record["notes"]),
            suggestions=tuple(str(name) for name in record["suggestions"]),
            scanned_at=float(record["scanned_at"]),
        )
    except UndecodableScan:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UndecodableScan(f"{type(exc).__name__}: {exc}") from None


def _opportunity(found: Opportunity) -> dict[str, Any]:
    return {
        "app": app_to_dict(found.app),
        "score": {"total": found.score.total, "parts": [asdict(p) for p in found.score.parts]},
        "reviews": asdict(found.reviews) if found.reviews is not None else None,
        "ranks": asdict(found.ranks),
        "why": found.why,
    }


def _found(row: dict[str, Any]) -> Opportunity:
    score = row["score"]
    return Opportunity(
        app=app_from_dict(row["app"]),
        score=OpportunityScore(
            int(score["total"]), tuple(ScorePart(**part) for part in score["parts"])
        ),
        reviews=_evidence(row["reviews"]) if row.get("reviews") else None,
        ranks=ChartRanks(**row["ranks"]),
        why=str(row["why"]),
    )


def _quotes(rows: Any) -> tuple[Quote, ...]:
    return tuple(Quote(**row) for row in rows or ())


def _theme(row: dict[str, Any]) -> Theme:
    return Theme(**{**row, "quotes": _quotes(row.get("quotes")), "apps": tuple(row["apps"])})


def _evidence(data: dict[str, Any]) -> ReviewEvidence:
    return ReviewEvidence(
        **{
            **data,
            "stars": tuple(data["stars"]),
            "versions": tuple(VersionStats(**row) for row in data.get("versions") or ()),
            "complaints": tuple(_theme(row) for row in data.get("complaints") or ()),
            "praise": tuple(_theme(row) for row in data.get("praise") or ()),
            "requests": _quotes(data.get("requests")),
            "quotes": _quotes(data.get("quotes")),
            "apps": tuple(data.get("apps") or ()),
        }
    )
