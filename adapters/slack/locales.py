"""Each Slack user's locale (`users.info` with `include_locale`, the `users:read` scope), so that
answers come in their language. Slack's payloads do not carry it: it is looked up once per user
and kept for an hour; a command waits at most `LOOKUP_SECONDS` for the first look-up (Slack's
3-second acknowledgement comes after), and a look-up that is slower, refused (no `users:read`
on an app installed before it was asked) or failing leaves that command in English — never
stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

LOOKUP_SECONDS = 0.25
KEEP_SECONDS = 3600.0
USERS_KEPT = 20_000


class SlackLocales:
    def __init__(
        self,
        client_for: Callable[[str | None], AsyncWebClient],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_for = client_for  # the workspace's own client (its own token)
        self._known: TTLCache[tuple[str, str], str | None] = TTLCache(
            USERS_KEPT, KEEP_SECONDS, timer=clock
        )
        self._pending: dict[tuple[str, str], asyncio.Task[str | None]] = {}
        self._refused_said = False

    async def of(
        self, team: str | None, user: str | None, within: float = LOOKUP_SECONDS
    ) -> str | None:
        """The user's locale ("ja-JP"), or None when it is not known within `within` seconds
        (the look-up goes on, for their next command)."""
        if not team or not user:
            return None
        key = (team, user)
        if key in self._known:
            return self._known[key]
        task = self._pending.get(key)
        if task is None:
            task = self._pending[key] = asyncio.ensure_future(self._lookup(key))
            task.add_done_callback(lambda _done: self._pending.pop(key, None))
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(task), within)
        return None

    async def _lookup(self, key: tuple[str, str]) -> str | None:
        team, user = key
        locale: str | None = None
        try:
            answer = await self._client_for(team).users_info(user=user, include_locale=True)
            found = answer.get("user")
            locale = found.get("locale") if isinstance(found, dict) else None
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error == "missing_scope" and not self._refused_said:
                self._refused_said = True
                log.warning(
                    "Slack refused users.info (no users:read): answers stay in English until "
                    "the app is reinstalled with it"
                )
        except Exception as exc:  # the network: this user is asked again next time
            log.info("Slack user locale unavailable (%s)", type(exc).__name__)
            return None
        self._known[key] = locale if isinstance(locale, str) else None
        return self._known[key]
