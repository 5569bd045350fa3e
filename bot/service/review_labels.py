"""`ReviewLabeller`: with a model key, the AI model themes the reviews the rules cannot read
(their language has no rules) — one call per app's review set, held to a JSON schema of the rules'
theme keys, the reviews sent as quoted data. Its readings are kept with the reviews (the review
cache, in Redis when there is one), its tokens counted in the command's, and a failure costs
only those themes: the evidence is then what the rules read, as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence

from bot.advice import ModelReading, passage, review_language
from bot.ai import RouterClient, RouterFailure
from bot.appstore import Review
from bot.cache import ReviewCache
from bot.prompts import MAX_LABELLED, label_messages, label_schema, parse_labels
from bot.runtime import count_side_tokens

log = logging.getLogger(__name__)

MIN_UNREAD = 3  # fewer reviews the rules cannot read than this are not worth a model call
LABEL_SECONDS = 12.0  # the most an analysis waits for them


class ReviewLabeller:
    def __init__(self, router: RouterClient, cache: ReviewCache) -> None:
        self.router = router
        self.cache = cache
        self.calls = 0  # model calls made, for tests and benchmarks

    async def readings(
        self, track_id: int, country: str, reviews: Sequence[Review]
    ) -> dict[str, ModelReading]:
        """The model's readings of `reviews` the rules cannot read, by review id ({} when there
        are too few, there is no key, or the model could not answer)."""
        if not self.router.settings.api_key:
            return {}
        # No rules for its language is exactly when the rules' reading of it is None; telling
        # the language is a fraction of reading it (the summary reads them all afterwards).
        unread = [r for r in reviews if review_language(passage(r.title, r.text)) is None]
        unread = unread[:MAX_LABELLED]
        if len(unread) < MIN_UNREAD:
            return {}
        ids = [review.review_id for review in unread]
        key = _cache_key(track_id, country, ids)
        cached = await self.cache.get_readings(key)
        if cached is not None:
            return _decode(cached)
        self.calls += 1
        try:
            async with asyncio.timeout(LABEL_SECONDS):
                completion = await self.router.complete(
                    label_messages(unread), response_format=label_schema()
                )
            if completion.usage is not None:
                usage = completion.usage
                count_side_tokens(usage.prompt_tokens, usage.completion_tokens)
            found = parse_labels(completion.text, ids)
        except (RouterFailure, TimeoutError, ValueError, TypeError) as exc:
            log.warning(
                "reviews in other languages not themed: the model could not (%s)",
                type(exc).__name__,
            )
            return {}
        await self.cache.put_readings(key, _encode(found))
        return found


def _cache_key(track_id: int, country: str, ids: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    return f"{country}:{track_id}:{digest}"


def _encode(found: dict[str, ModelReading]) -> str:
    return json.dumps(
        {rid: {"themes": list(r.themes), "request": r.request} for rid, r in found.items()},
        ensure_ascii=False,
    )


def _decode(raw: str) -> dict[str, ModelReading]:
    try:
        data = json.loads(raw)
        return {
            str(rid): ModelReading(tuple(row["themes"]), row.get("request"))
            for rid, row in data.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}
