"""The fake Slack's Web API door: every call's arguments (a form, JSON, or a GET's query), the
token it came with (`Authorization: Bearer …`, or a `token` argument) and the team that token
belongs to, kept in `calls`; a call with an unknown or revoked token gets `invalid_auth` or
`token_revoked` (`_bot_call`). And the calls about tokens themselves: `auth.test`,
`apps.connections.open` (the app token; the Socket Mode URL), `oauth.v2.access` and
`auth.revoke` — the workspaces and their tokens are `tests/fake_slack_workspaces.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_slack_payloads import BOT_USER, TEAM
from tests.fake_slack_socket import FakeSocketMode
from tests.fake_slack_workspaces import WorkspaceDirectory
from tests.loopback import Reply, json_response

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"


@dataclass(frozen=True)
class ApiCall:
    method: str
    token: str
    team: str | None  # the team the token belongs to (None: not a valid token)
    body: dict[str, Any]


class SlackWebApi(FakeSocketMode):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.workspaces = WorkspaceDirectory()
        self.workspaces.add(TEAM, "Acme", BOT_TOKEN)
        self.calls: list[ApiCall] = []

    def api_routes(self, app: web.Application) -> None:
        """The calls about tokens; the rest of the Web API is the subclass's."""
        app.router.add_post("/api/auth.test", self._auth_test)
        app.router.add_post("/api/apps.connections.open", self._connections_open)
        app.router.add_post("/api/oauth.v2.access", self._oauth_access)
        app.router.add_post("/api/auth.revoke", self._auth_revoke)
        app.router.add_get("/api/auth.revoke", self._auth_revoke)  # slack_sdk sends a GET

    def _token(self, request: web.Request, body: dict[str, Any]) -> str:
        auth = request.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ") if auth else str(body.get("token", ""))

    async def _form_or_json(self, request: web.Request) -> tuple[dict[str, Any], Reply | None]:
        if request.method == "GET":
            _ignored, scripted = await self.record(request)
            return dict(request.query), scripted
        if request.content_type == "application/json":
            body, scripted = await self.record(request)
            return (body if isinstance(body, dict) else {}), scripted
        form = dict(await request.post())
        _ignored, scripted = await self.record(request)
        return {k: str(v) for k, v in form.items()}, scripted

    async def _auth_test(self, request: web.Request) -> web.StreamResponse:
        body, _ = await self._form_or_json(request)
        token = self._token(request, body)
        if problem := self.workspaces.problem(token):
            return json_response(200, {"ok": False, "error": problem})
        team = self.workspaces.team_of(token)
        return json_response(
            200,
            {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": team.name,
                "user": "trend-scout",
                "team_id": team.team_id,
                "user_id": BOT_USER if team.team_id == TEAM else team.bot_user,
                "bot_id": "B0001",
                "is_enterprise_install": False,
            },
        )

    async def _connections_open(self, request: web.Request) -> web.StreamResponse:
        body, _ = await self._form_or_json(request)
        if self._token(request, body) != APP_TOKEN:
            return json_response(200, {"ok": False, "error": "invalid_auth"})
        return json_response(200, {"ok": True, "url": self.new_socket_url()})

    async def _bot_call(
        self, request: web.Request
    ) -> tuple[dict[str, Any], web.StreamResponse | None]:
        """A Web API call with the bot token: its body, or the scripted or `invalid_auth`
        answer it gets instead."""
        body, scripted = await self._form_or_json(request)
        if scripted is not None:
            played = await self.play(request, scripted)
            if played is not None:
                return body, played
        token = self._token(request, body)
        problem = self.workspaces.problem(token)
        team = None if problem else self.workspaces.token_team[token]
        self.calls.append(ApiCall(request.path.rsplit("/", 1)[-1], token, team, body))
        if problem:
            return body, json_response(200, {"ok": False, "error": problem})
        return body, None

    def tokens_used(self, method: str) -> list[str]:
        """The tokens `method` was called with, in order."""
        return [call.token for call in self.calls if call.method == method]

    async def _oauth_access(self, request: web.Request) -> web.StreamResponse:
        body, _ = await self._form_or_json(request)
        answer = self.workspaces.oauth_access(body, request.headers.get("Authorization", ""))
        return json_response(200, answer)

    async def _auth_revoke(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        self.workspaces.revoked.add(self._token(request, body))
        return json_response(200, {"ok": True, "revoked": True})
