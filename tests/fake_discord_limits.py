"""Discord's limits as the fake enforces them: message bodies (`embed_problem`) and per-route rate
limits.

Each limited route has a bucket per major parameter (the channel, or the interaction's webhook
token) and answers with `X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`, which discord.py
reads to hold back its own requests. A request over the limit gets Discord's 429 — JSON
`retry_after`, `Via` and `X-RateLimit-Scope: user` — and is counted in `limited`, so a test can
assert that the bot never made discord.py wait one out. Limits (Discord publishes none; these are
the ones commonly observed): messages and edits 5 per 5 s per channel, an interaction's
webhook 5 per 2 s.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import web

LIMITS = {"messages": (5, 5.0), "edits": (5, 5.0), "webhook": (5, 2.0)}


class RouteBuckets:
    """Fixed windows, as Discord's buckets: the first request opens a window of `window` seconds
    with `limit` requests; it resets whole when the window ends."""

    def __init__(self) -> None:
        self.limits = dict(LIMITS)
        self.limited: list[str] = []  # the routes that answered 429
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def take(self, route: str, major: str) -> tuple[dict[str, str], web.Response | None]:
        """The rate-limit headers for a request, and the 429 when it is over the limit."""
        limit, window = self.limits[route]
        now = time.time()
        opened, used = self._windows.get((route, major), (0.0, 0))
        if now >= opened + window:
            opened, used = now, 0
        reset_at = opened + window
        headers = {
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Reset": f"{reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{reset_at - now:.3f}",
        }
        if used >= limit:
            self.limited.append(route)
            retry_after = round(reset_at - now, 3)
            body = {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers.update(
                {
                    "Content-Type": "application/json",
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, round(retry_after))),
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Remaining": "0",
                }
            )
            return {}, web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
        self._windows[(route, major)] = (opened, used + 1)
        headers["X-RateLimit-Remaining"] = str(limit - used - 1)
        return headers, None


def embed_problem(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Discord's `errors` object for a message body over its limits, or None."""
    errors: dict[str, Any] = {}
    content = payload.get("content")
    if isinstance(content, str) and len(content) > 2000:
        errors["content"] = _error("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _error("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds[:10]):
        checks = [
            ("title", embed.get("title"), 256),
            ("description", embed.get("description"), 4096),
            ("footer", (embed.get("footer") or {}).get("text"), 2048),
            ("author", (embed.get("author") or {}).get("name"), 256),
        ]
        for name, value, limit in checks:
            if isinstance(value, str):
                total += len(value)
                if len(value) > limit:
                    errors.setdefault("embeds", {}).setdefault(str(i), {})[name] = _error(
                        "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                    )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.setdefault("embeds", {}).setdefault(str(i), {})["fields"] = _error(
                "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, field in enumerate(fields):
            name, value = str(field.get("name", "")), str(field.get("value", ""))
            total += len(name) + len(value)
            if not name or not value or len(name) > 256 or len(value) > 1024:
                errors.setdefault("embeds", {}).setdefault(str(i), {}).setdefault("fields", {})[
                    str(j)
                ] = _error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 1024.")
    if total > 6000:
        errors["embeds"] = _error("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size.")
    if not content and not embeds and not payload.get("components"):
        errors["content"] = _error("BASE_TYPE_REQUIRED", "Cannot send an empty message")
    return errors or None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}
