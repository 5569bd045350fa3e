"""The Web API client of each workspace, so that every call acts with the token of the workspace
it is about — never another's.

- Single-workspace mode (`SLACK_BOT_TOKEN`): one client with that token, for every team.
- Many workspaces (OAuth): `TeamClient`, one per team, an `AsyncWebClient` without a token of
  its own that looks its team's installation up at each call (`WorkspaceTokens`, a short cache
  over the database) and sends that token. So everything that already takes an `AsyncWebClient`
  — replies, streams, charts, trend-watch posts, recovered replies — acts for the right team
  unchanged, and a token that rotated or a workspace that uninstalled takes effect at the next
  call. A token that expires within `ROTATE_BEFORE` seconds is rotated first (`oauth.v2.access`
  with `grant_type=refresh_token`), once across concurrent calls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.installations import DatabaseInstallationStore, SlackInstallation
from bot.runtime import SingleFlight

log = logging.getLogger(__name__)

ROTATE_BEFORE = 10 * 60  # seconds before expiry a token is replaced
CACHE_SECONDS = 30.0  # how long an installation read is trusted (another worker may change it)


class WorkspaceTokens:
    """Each team's installation (and so its token), read through a short cache, rotated before
    it expires."""

    def __init__(
        self,
        store: DatabaseInstallationStore,
        client_id: str,
        client_secret: str,
        oauth_client: AsyncWebClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._client_id = client_id
        self._client_secret = client_secret
        self._oauth = oauth_client  # tokenless: oauth.v2.access authenticates by client secret
        self.clock = clock
        self._cache: dict[str, tuple[float, SlackInstallation | None]] = {}
        self._rotation: SingleFlight[SlackInstallation | None] = SingleFlight()

    async def installation(self, team_id: str) -> SlackInstallation | None:
        now = self.clock()
        cached = self._cache.get(team_id)
        if cached is not None and cached[0] > now:
            found = cached[1]
        else:
            found = await self.store.get(team_id)
            self._cache[team_id] = (now + CACHE_SECONDS, found)
        if found is not None and _expiring(found, now):
            found = await self._rotation.run(team_id, lambda: self._rotate(found))
        return found

    async def _rotate(self, found: SlackInstallation) -> SlackInstallation | None:
        try:
            answer = await self._oauth.oauth_v2_access(
                client_id=self._client_id,
                client_secret=self._client_secret,
                grant_type="refresh_token",
                refresh_token=found.bot_refresh_token,
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("Slack refused to rotate workspace %s's token (%s)", found.team_id, error)
            if error in ("invalid_refresh_token", "token_revoked", "invalid_auth"):
                self._cache[found.team_id] = (self.clock() + CACHE_SECONDS, None)
                return None
            return found  # maybe still valid for a while: the next call tries again
        token = str(answer.get("access_token") or "")
        expires_at = self.clock() + float(answer.get("expires_in") or 0)
        refresh = answer.get("refresh_token") or found.bot_refresh_token
        if not token:
            return found
        kept = await self.store.rotated(found.team_id, found.bot_token, token, refresh, expires_at)
        self.forget(found.team_id)
        if not kept:  # another worker rotated it first: its token is the one in the database
            return await self.store.get(found.team_id)
        log.info("rotated workspace %s's bot token", found.team_id)
        return SlackInstallation(
            **{
                **_fields(found),
                "bot_token": token,
                "bot_refresh_token": refresh,
                "bot_token_expires_at": expires_at,
            }
        )

    async def token(self, team_id: str) -> str | None:
        found = await self.installation(team_id)
        return found.bot_token if found is not None else None

    def forget(self, team_id: str) -> None:
        self._cache.pop(team_id, None)


def _expiring(found: SlackInstallation, now: float) -> bool:
    expires = found.bot_token_expires_at
    return bool(found.bot_refresh_token) and expires is not None and expires - now < ROTATE_BEFORE


def _fields(found: SlackInstallation) -> dict[str, Any]:
    return {name: getattr(found, name) for name in SlackInstallation.__dataclass_fields__}


class TeamClient(AsyncWebClient):
    """A Web API client acting for one team, with whatever token its installation has now."""

    def __init__(self, tokens: WorkspaceTokens, team_id: str, **options: Any) -> None:
        super().__init__(token=None, **options)
        self.team_id = team_id
        self._tokens = tokens

    async def api_call(  # type: ignore[override]
        self, api_method: str, *, headers: dict[str, Any] | None = None, **arguments: Any
    ) -> AsyncSlackResponse:
        token = await self._tokens.token(self.team_id)
        if token is None:  # uninstalled: answered as Slack would answer the revoked token
            response = AsyncSlackResponse(
                client=self,
                http_verb="POST",
                api_url=f"{self.base_url}{api_method}",
                req_args={},
                data={"ok": False, "error": "not_installed"},
                headers={},
                status_code=200,
            )
            raise SlackApiError(f"Trend Scout is not installed in {self.team_id}", response)
        sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
        return await super().api_call(api_method, headers=sent, **arguments)


class WorkspaceClients:
    """The client for each team: the one token's client, or each installation's."""

    def __init__(
        self,
        single: AsyncWebClient | None,
        tokens: WorkspaceTokens | None,
        **options: Any,
    ) -> None:
        self.single = single  # SLACK_BOT_TOKEN's client (single-workspace mode)
        self.tokens = tokens  # the installations (OAuth mode)
        self._options = options  # base_url, retry handlers…
        self._teams: dict[str, TeamClient] = {}

    @property
    def oauth(self) -> bool:
        return self.tokens is not None

    def for_team(self, team_id: str | None) -> AsyncWebClient:
        if self.tokens is None:
            assert self.single is not None
            return self.single
        key = team_id or ""
        client = self._teams.get(key)
        if client is None:
            client = self._teams[key] = TeamClient(self.tokens, key, **self._options)
        return client

    async def authorize(self, team_id: str | None) -> AuthorizeResult | None:
        """Bolt's authorization in OAuth mode: the team's installation, or None (Bolt then
        tells the user the app is not installed there)."""
        assert self.tokens is not None
        found = await self.tokens.installation(team_id) if team_id else None
        if found is None:
            return None
        return AuthorizeResult(
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            bot_token=found.bot_token,
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
        )

    def forget(self, team_id: str) -> None:
        """An uninstalled team: its client and cached installation go."""
        self._teams.pop(team_id, None)
        if self.tokens is not None:
            self.tokens.forget(team_id)
