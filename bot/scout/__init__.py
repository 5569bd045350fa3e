"""Market scans for `/scout find <category>`: a category's charts read, every app looked up and
given an opportunity score, the reviews of a shortlist read, and the best opportunities ranked
with their evidence — within Apple's rate budget, cached and shared."""

from bot.scout.cache import (
    SCAN_TTL_SECONDS,
    MemoryScanCache,
    RedisScanCache,
    ScanCache,
    ScanKey,
    scan_key,
)
from bot.scout.categories import category_suggestions
from bot.scout.codec import UndecodableScan, decode_scan, encode_scan
from bot.scout.market import MarketScan, ScanCalls
from bot.scout.scan import (
    DEADLINE_SECONDS,
    LOOKUP_BATCH,
    SHORTLIST,
    MarketScanner,
    ScanSettings,
    ScanSource,
    charts_for,
)

__all__ = [
    "DEADLINE_SECONDS",
    "LOOKUP_BATCH",
    "SCAN_TTL_SECONDS",
    "SHORTLIST",
    "MarketScan",
    "MarketScanner",
    "MemoryScanCache",
    "RedisScanCache",
    "ScanCache",
    "ScanCalls",
    "ScanKey",
    "ScanSettings",
    "ScanSource",
    "UndecodableScan",
    "category_suggestions",
    "charts_for",
    "decode_scan",
    "encode_scan",
    "scan_key",
]
