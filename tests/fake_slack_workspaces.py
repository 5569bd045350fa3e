"""The fake Slack's workspaces and tokens: every token belongs to one team; an unknown token is
`invalid_auth` and a revoked one `token_revoked` (HTTP 200, `ok: false`, as Slack answers).

OAuth (`oauth.v2.access`): `approve(team)` is the person clicking *Allow* on Slack's authorize
page — it gives the code Slack puts in the redirect; the code is exchanged once, with the app's
client id and secret, for a rotating bot token (`xoxe.xoxb-…`, `refresh_token` `xoxe-1-…`,
`expires_in`); `grant_type=refresh_token` gives a new token for a refresh token. `uninstall`
revokes a team's tokens, as uninstalling the app does; `revoke_tokens` is a workspace revoking
some of the app's tokens (the bot's, or only users'), and gives the `tokens_revoked` event Slack
then sends."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-client-secret-0123456789"
APP_ID = "A0001"
EXPIRES_IN = 12 * 3600


@dataclass
class Workspace:
    team_id: str
    name: str
    bot_user: str
    tokens: list[str] = field(default_factory=list)  # every bot token issued, oldest first


class WorkspaceDirectory:
    def __init__(self) -> None:
        self.teams: dict[str, Workspace] = {}
        self.token_team: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}  # refresh token → team
        self.codes: dict[str, str] = {}  # code → team (each works once)
        self.exchanges: list[dict[str, Any]] = []  # what oauth.v2.access was asked
        self._ids = itertools.count(1)

    def add(self, team_id: str, name: str, token: str | None = None) -> Workspace:
        team = self.teams.get(team_id) or Workspace(team_id, name, f"UBOT{team_id[-2:]}")
        self.teams[team_id] = team
        if token is not None:
            self.issue(team_id, token)
        return team

    def issue(self, team_id: str, token: str) -> None:
        self.teams[team_id].tokens.append(token)
        self.token_team[token] = team_id

    def problem(self, token: str) -> str | None:
        """Slack's error for a token: `invalid_auth` (unknown), `token_revoked`, or None."""
        if token in self.revoked:
            return "token_revoked"
        if token not in self.token_team:
            return "invalid_auth"
        return None

    def team_of(self, token: str) -> Workspace:
        return self.teams[self.token_team[token]]

    def approve(self, team_id: str) -> str:
        code = f"{next(self._ids)}.{team_id}.fakecode"
        self.codes[code] = team_id
        return code

    def uninstall(self, team_id: str) -> None:
        self.revoked.update(self.teams[team_id].tokens)

    def revoke_tokens(self, team_id: str, bot: bool, users: tuple[str, ...] = ()) -> dict[str, Any]:
        """Revoke the bot's tokens (with `bot`) and users' tokens in `team_id`; the
        `tokens_revoked` event, which names the owners of the tokens by user id."""
        team = self.teams[team_id]
        if bot:
            self.revoked.update(team.tokens)
        return {
            "type": "tokens_revoked",
            "tokens": {"oauth": list(users), "bot": [team.bot_user] if bot else []},
            "event_ts": "1700000000.000200",
        }

    def oauth_access(self, body: dict[str, Any], authorization: str) -> dict[str, Any]:
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        if authorization.startswith("Basic "):
            raw = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = raw.partition(":")
        self.exchanges.append({**body, "client_id": client_id})
        if client_id != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        if body.get("grant_type") == "refresh_token":
            team_id = self.refresh_tokens.get(str(body.get("refresh_token")))
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
        else:
            team_id = self.codes.pop(str(body.get("code")), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_code"}
        team = self.teams[team_id]
        n = next(self._ids)
        token = f"xoxe.xoxb-1-{team_id}-{n}-fakeaccess"
        refresh = f"xoxe-1-{team_id}-{n}-fakerefresh"
        self.issue(team_id, token)
        self.refresh_tokens[refresh] = team_id
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "U0001"},
            "scope": "commands,chat:write,app_mentions:read,im:history,assistant:write",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user,
            "refresh_token": refresh,
            "expires_in": EXPIRES_IN,
            "team": {"id": team_id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
