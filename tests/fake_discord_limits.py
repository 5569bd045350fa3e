"""Discord's per-route rate limits, as the fake answers them.

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
