"""App Store facts: their values, the catalog port, Apple's iTunes APIs behind it, categories,
and the rate limit that keeps us polite to Apple."""

from bot.appstore.catalog import AppCatalog
from bot.appstore.categories import GENRE_IDS, category_list, category_named
from bot.appstore.itunes import (
    CHART_KINDS,
    CHART_MAX,
    TOP_FREE,
    TOP_GROSSING,
    TOP_PAID,
    AppStoreSettings,
    ITunesCatalog,
)
from bot.appstore.names import normalise_subject
from bot.appstore.rate_limit import RateLimiter
from bot.appstore.records import ChartEntry, RecordError
from bot.appstore.review_records import parse_json_feed, parse_xml_feed
from bot.appstore.storefronts import STOREFRONTS, is_storefront
from bot.appstore.values import (
    AppInfo,
    AppLookup,
    ChartLookup,
    LookupStatus,
    Review,
    ReviewsLookup,
)

__all__ = [
    "CHART_KINDS",
    "CHART_MAX",
    "GENRE_IDS",
    "STOREFRONTS",
    "TOP_FREE",
    "TOP_GROSSING",
    "TOP_PAID",
    "AppCatalog",
    "AppInfo",
    "AppLookup",
    "AppStoreSettings",
    "ChartEntry",
    "ChartLookup",
    "ITunesCatalog",
    "LookupStatus",
    "RateLimiter",
    "RecordError",
    "Review",
    "ReviewsLookup",
    "category_list",
    "category_named",
    "is_storefront",
    "normalise_subject",
    "parse_json_feed",
    "parse_xml_feed",
]
