"""A loopback fake of Slack for the real slack_bolt/slack_sdk clients.

- Web API under `/api/` (`SLACK_API_URL`): `auth.test`, `apps.connections.open` (app token),
  `chat.postMessage` (bot token) — 200 with `{"ok": false, "error": …}` as Slack does:
  `invalid_auth`, `invalid_blocks`, `msg_too_long`, `msg_blocks_too_long`; 429 with
  `Retry-After` when scripted.
- `response_url` endpoints under `/response/<id>`: at most 5 uses (then 404 `used_url`), blocks
  validated (400 `invalid_blocks`), like Slack's; `replace_original` and `delete_original` change
  the command's private note (`notes`), anything else is a new message.
- `chat.update` and AI streaming (`chat.startStream/appendStream/stopStream`) with their errors
  and rate tiers: `tests/fake_slack_messages.py`.
- Socket Mode at `/socket`: `hello`, then envelopes the test injects; acks are recorded.
- Request signing (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) for HTTP-mode tests.
- Files (`files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`), with
  the token's scopes, size limit and PNG checks: `tests/fake_slack_files.py` (`files`).
- Workspaces and their tokens, `oauth.v2.access` (code exchange and the refresh grant) and
  `auth.revoke`: `tests/fake_slack_workspaces.py` (`workspaces`). Every Web API call is kept in
  `calls` with the token it came with and the team that token belongs to.
- `views.publish` (the Home tab, validated), `views.open`, `chat.postEphemeral` and the
  assistant's `assistant.threads.setSuggestedPrompts/setTitle/setStatus`.

`posted` holds the messages users have, as they stand: posted ones (updated in place by
`chat.update`), and streams once they are stopped; `live` has every change of every message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_slack_channels import ChannelDirectory
from tests.fake_slack_files import FileStore, SlackFile
from tests.fake_slack_messages import LiveMessage, MessageStore
from tests.fake_slack_workspaces import WorkspaceDirectory
from tests.loopback import LoopbackServer, Reply, json_response

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
BOT_USER = "UBOT01"
TEAM = "T0001"

MAX_BLOCKS = 50
TEXT_MAX = 40_000
BLOCK_TEXT_TOTAL_MAX = 12_000  # markdown blocks together; Slack says msg_blocks_too_long past it

__all__ = ["FakeSlack", "LiveMessage", "Posted", "Reply", "SlackFile", "block_problem", "sign"]
STREAM_METHODS = ("chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream")
ASSISTANT_METHODS = (
    "assistant.threads.setSuggestedPrompts",
    "assistant.threads.setTitle",
    "assistant.threads.setStatus",
)


@dataclass(frozen=True)
class ApiCall:
    method: str
    token: str
    team: str | None  # the team the token belongs to (None: not a valid token)
    body: dict[str, Any]


@dataclass(frozen=True)
class Posted:
    where: str  # "chat.postMessage", "chat.update", "chat.stopStream" or "response_url"
    payload: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.payload.get("text", ""))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.payload.get("blocks") or [])

    def all_text(self) -> str:
        return self.text + json.dumps(self.blocks, ensure_ascii=False)


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _plain(obj: Any, limit: int) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return "must be plain_text"
    if not isinstance(obj.get("text"), str) or not 1 <= len(obj["text"]) <= limit:
        return f"text must be 1–{limit} characters"
    return None


def _text(obj: Any, limit: int) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return "must be a text object"
    if not isinstance(obj.get("text"), str) or not 1 <= len(obj["text"]) <= limit:
        return f"text must be 1–{limit} characters"
    return None


def block_problem(blocks: Any, tables: bool = True, max_blocks: int = MAX_BLOCKS) -> str | None:
    """Why Slack would answer `invalid_blocks` (or `msg_blocks_too_long`), or None. Without
    `tables`, as a workspace that has no table blocks yet."""
    if not isinstance(blocks, list):
        return "invalid_blocks: blocks must be a list"
    if len(blocks) > max_blocks:
        return f"invalid_blocks: no more than {max_blocks} items allowed"
    markdown_total = 0
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        problem: str | None = None
        if kind == "header":
            problem = _plain(block.get("text"), 150)
        elif kind == "section":
            if "text" in block:
                problem = _text(block["text"], 3000)
            elif "fields" not in block:
                problem = "section needs text or fields"
            fields = block.get("fields", [])
            if not problem and (not isinstance(fields, list) or len(fields) > 10):
                problem = "fields: no more than 10 items allowed"
            for field in fields if not problem else []:
                problem = problem or _text(field, 2000)
            accessory = block.get("accessory")
            image_url = str((accessory or {}).get("image_url", ""))
            if not problem and accessory is not None and not image_url.startswith("http"):
                problem = "accessory image_url must be a URL"
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 12_000:
                problem = "markdown text must be 1–12000 characters"
            else:
                markdown_total += len(text)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problem = "context: 1–10 elements"
            for element in elements or []:
                problem = problem or _text(element, 2000)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                problem = "actions: 1–25 elements"
            for element in elements or []:
                if problem:
                    break
                problem = _plain(element.get("text"), 75)
                action_id = element.get("action_id", "")
                if action_id in action_ids:
                    problem = "action_id must be unique"
                action_ids.add(action_id)
                if len(str(element.get("value", ""))) > 2000:
                    problem = "button value must be at most 2000 characters"
        elif kind == "context_actions":
            problem = _context_actions_problem(block.get("elements"), action_ids)
        elif kind == "divider":
            pass
        elif kind == "table" and tables:
            problem = _table_problem(block.get("rows"))
            tables = False  # one table per message
        else:
            problem = f"unknown block type {kind!r}"
        if problem:
            return f"invalid_blocks: [{i}] {problem}"
    if markdown_total > BLOCK_TEXT_TOTAL_MAX:
        return "msg_blocks_too_long"
    return None


class FakeSlack(LoopbackServer):
    name = "fake-slack"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.posted: list[Posted] = []
        self.tables = True  # False: a workspace without table blocks
        self.live = MessageStore(lambda blocks: block_problem(blocks, self.tables))
        self._posted_at: dict[str, int] = {}  # ts → its index in `posted`
        self.response_url_uses: dict[str, int] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}  # response_url key → its note's changes
        self.acks: list[dict[str, Any]] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self.socket_connected = threading.Event()
        self.channels = ChannelDirectory()
        self.files = FileStore()
        self.workspaces = WorkspaceDirectory()
        self.workspaces.add(TEAM, "Acme", BOT_TOKEN)
        self.calls: list[ApiCall] = []
        self.home_views: dict[tuple[str, str], dict[str, Any]] = {}  # (team, user) → view
        self.modals: list[dict[str, Any]] = []
        self.ephemeral: list[dict[str, Any]] = []
        self.assistant: list[ApiCall] = []
        # (team, user) → the locale Slack's users.info reports with include_locale (en-US else)
        self.locales: dict[tuple[str, str], str] = {}
        self.users_read = True  # False: the app was installed without the users:read scope

    def __enter__(self) -> FakeSlack:
        self.start()
        return self

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/auth.test", self._auth_test)
        app.router.add_post("/api/apps.connections.open", self._connections_open)
        app.router.add_post("/api/chat.postMessage", self._post_message)
        # slack_sdk sends conversations.info as a GET with query parameters; Slack takes both.
        app.router.add_get("/api/conversations.info", self._conversations_info)
        app.router.add_post("/api/conversations.info", self._conversations_info)
        for method in STREAM_METHODS:
            app.router.add_post(f"/api/{method}", self._live_message)
        app.router.add_post("/api/files.getUploadURLExternal", self._get_upload_url)
        app.router.add_post("/upload/v1/{key}", self._upload)
        app.router.add_post("/api/files.completeUploadExternal", self._complete_upload)
        app.router.add_post("/api/oauth.v2.access", self._oauth_access)
        app.router.add_post("/api/auth.revoke", self._auth_revoke)
        app.router.add_get("/api/auth.revoke", self._auth_revoke)  # slack_sdk sends a GET
        app.router.add_post("/api/views.publish", self._views_publish)
        app.router.add_get("/api/users.info", self._users_info)
        app.router.add_post("/api/users.info", self._users_info)
        app.router.add_post("/api/views.open", self._views_open)
        app.router.add_post("/api/chat.postEphemeral", self._post_ephemeral)
        for method in ASSISTANT_METHODS:
            app.router.add_post(f"/api/{method}", self._assistant_call)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)

    # -- helpers for tests ---------------------------------------------------------------
    def new_response_url(self) -> str:
        key = f"R{next(self._ids)}"
        self.response_url_uses[key] = 0
        return f"{self.base_url}/response/{key}"

    def slash_command(
        self, text: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
    ) -> dict[str, str]:
        return {
            "token": "deprecated-verification-token",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "alice",
            "command": "/scout",
            "text": text,
            "api_app_id": "A0001",
            "response_url": self.new_response_url(),
            "trigger_id": f"trigger.{next(self._ids)}",
        }

    def button_click(self, action_id: str, value: str, user: str = "U0001") -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "name": "alice"},
            "api_app_id": "A0001",
            "channel": {"id": "C0001", "name": "general"},
            "container": {"type": "message", "channel_id": "C0001", "message_ts": "1.1"},
            "trigger_id": f"trigger.{next(self._ids)}",
            "response_url": self.new_response_url(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "scout_actions",
                    "value": value,
                    "text": {"type": "plain_text", "text": "x"},
                    "action_ts": str(time.time()),
                }
            ],
        }

    def mention(self, text: str, event_id: str, user: str = "U0001") -> dict[str, Any]:
        ts = f"{time.time():.6f}"
        return {
            "token": "deprecated-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": user,
                "text": f"<@{BOT_USER}> {text}",
                "ts": ts,
                "channel": "C0001",
                "event_ts": ts,
            },
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }

    def direct_message(self, text: str, event_id: str, user: str = "U0001") -> dict[str, Any]:
        """A `message.im` event: a user writing to the bot in their DM with it."""
        envelope = self.mention(text, event_id, user)
        envelope["event"].update(type="message", text=text, channel="D0001", channel_type="im")
        return envelope

    def event(self, event: dict[str, Any], event_id: str, team: str = TEAM) -> dict[str, Any]:
        """An Events API envelope around `event`, from `team`."""
        return {
            "token": "deprecated-verification-token",
            "team_id": team,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
        }

    def feedback_click(
        self, value: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
    ) -> dict[str, Any]:
        """A click on a `feedback_buttons` element (👍 or 👎) under a message."""
        return {
            "type": "block_actions",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "name": "alice", "team_id": team},
            "api_app_id": "A0001",
            "channel": {"id": channel, "name": "general"},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
            "trigger_id": f"trigger.{next(self._ids)}",
            "response_url": self.new_response_url(),
            "actions": [
                {
                    "type": "feedback_buttons",
                    "action_id": "scout_feedback",
                    "block_id": "scout_feedback",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }

    def deliver(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope to every connected client; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        assert self._loop is not None

        async def send() -> None:
            for socket in self._sockets:
                await socket.send_str(json.dumps(envelope))

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(5)
        return envelope_id

    # -- endpoints -----------------------------------------------------------------------
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
        url = f"ws://127.0.0.1:{self._port}/socket?ticket={next(self._ids)}"
        return json_response(200, {"ok": True, "url": url})

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

    async def _views_publish(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not body.get("user_id"):
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        if not isinstance(view, dict) or view.get("type") != "home":
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        if problem := block_problem(view.get("blocks"), max_blocks=100):
            return json_response(200, {"ok": False, "error": problem.split(":")[0]})
        team = self.calls[-1].team or ""
        self.home_views[(team, str(body["user_id"]))] = view
        return json_response(200, {"ok": True, "view": {"id": "V1", **view}})

    async def _users_info(self, request: web.Request) -> web.StreamResponse:
        """`users.info`: the user, with `locale` only when `include_locale` is true; an app
        without `users:read` gets `missing_scope`, as Slack answers."""
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        query = {**request.query, **body}
        user = str(query.get("user") or "")
        if not self.users_read:
            return json_response(
                200, {"ok": False, "error": "missing_scope", "needed": "users:read"}
            )
        if not user.startswith(("U", "W")):
            return json_response(200, {"ok": False, "error": "user_not_found"})
        team = self.calls[-1].team or ""
        found: dict[str, Any] = {"id": user, "team_id": team, "name": user.lower()}
        if str(query.get("include_locale", "")).lower() in ("true", "1"):
            found["locale"] = self.locales.get((team, user), "en-US")
        return json_response(200, {"ok": True, "user": found})

    async def _views_open(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        view = body.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if not body.get("trigger_id") or not isinstance(view, dict) or view.get("type") != "modal":
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        self.modals.append(view)
        return json_response(200, {"ok": True, "view": {"id": "V2", **view}})

    async def _post_ephemeral(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        if not body.get("channel") or not body.get("user"):
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        self.ephemeral.append(body)
        return json_response(200, {"ok": True, "message_ts": self.live.new_ts()})

    async def _assistant_call(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        method = request.path.rsplit("/", 1)[-1]
        body = {**request.query, **body}  # setTitle's arguments come as query parameters
        if not body.get("channel_id") or not str(body["channel_id"]).startswith("D"):
            return json_response(200, {"ok": False, "error": "channel_not_found"})
        if method.endswith("setSuggestedPrompts"):
            prompts = body.get("prompts")
            if not isinstance(prompts, list) or not 1 <= len(prompts) <= 4:
                return json_response(200, {"ok": False, "error": "invalid_arguments"})
            for prompt in prompts:
                if not (prompt.get("title") and prompt.get("message")):
                    return json_response(200, {"ok": False, "error": "invalid_arguments"})
        required = {"setTitle": "title", "setStatus": "status"}.get(method.rsplit(".", 1)[-1])
        if required is not None and not isinstance(body.get(required), str):
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        call = self.calls[-1]
        self.assistant.append(ApiCall(call.method, call.token, call.team, body))
        return json_response(200, {"ok": True})

    async def _post_message(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        if not body.get("channel"):
            return json_response(200, {"ok": False, "error": "channel_not_found"})
        if str(body["channel"]).startswith("U"):  # a user id: the app's DM with that user
            body["channel"] = "D" + str(body["channel"])[1:]
        if refused := self.channels.problem(str(body["channel"])):
            return json_response(200, {"ok": False, "error": refused})
        if isinstance(body.get("blocks"), str):
            body["blocks"] = json.loads(body["blocks"])
        error = _message_error(body, self.tables)
        if error:  # the code, with the details where Slack puts them
            code, _, detail = error.partition(":")
            metadata = {"messages": [f"[ERROR] {detail.strip()}"]} if detail else {}
            return json_response(200, {"ok": False, "error": code, "response_metadata": metadata})
        ts = self.live.new_ts()
        self._posted_at[ts] = len(self.posted)
        self.posted.append(Posted("chat.postMessage", body))
        self.live.posted(ts, str(body["channel"]), body.get("thread_ts"), body)
        return json_response(200, {"ok": True, "channel": body["channel"], "ts": ts})

    async def _get_upload_url(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        return self.files.get_upload_url({**request.query, **body}, self.base_url)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        _ignored, scripted = await self.record(request)
        if scripted is not None:
            played = await self.play(request, scripted)
            if played is not None:
                return played
        content_type = request.headers.get("Content-Type", "application/octet-stream")
        status, text = self.files.upload(request.match_info["key"], raw, content_type)
        return web.Response(status=status, text=text)

    async def _complete_upload(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        return self.files.complete({**request.query, **body}, self.channels.problem)

    async def _conversations_info(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        return json_response(200, self.channels.info({**request.query, **body}))

    async def _live_message(self, request: web.Request) -> web.StreamResponse:
        method = request.path.rsplit("/", 1)[-1]
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        response = self.live.answer(method, body)
        message = self.live.messages.get(str(body.get("ts")))
        if response.status == 200 and message is not None and json.loads(response.body)["ok"]:
            self._show(method, message)
        return response

    def _show(self, method: str, message: LiveMessage) -> None:
        """Keep `posted` as users see it: updates in place, streams once complete."""
        payload = {"channel": message.channel, "text": message.text, "blocks": message.blocks}
        if method == "chat.update" and message.ts in self._posted_at:
            self.posted[self._posted_at[message.ts]] = Posted(method, payload)
        elif method == "chat.stopStream":
            self._posted_at[message.ts] = len(self.posted)
            self.posted.append(Posted(method, payload))

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        body, scripted = await self.record(request)
        if scripted is not None:
            played = await self.play(request, scripted)
            if played is not None:
                return played
        if key not in self.response_url_uses:
            return web.Response(status=404, text="no_service")
        self.response_url_uses[key] += 1
        if self.response_url_uses[key] > 5:
            return web.Response(status=404, text="used_url")
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        if body.get("delete_original"):
            self.notes.setdefault(key, []).append({"deleted": True})
            return web.Response(status=200, text="ok")
        error = _message_error(body, self.tables)
        if error:
            return web.Response(status=400, text=error.split(":")[0])
        if body.get("replace_original"):
            self.notes.setdefault(key, []).append(body)
        else:
            self.posted.append(Posted("response_url", body))
        return web.Response(status=200, text="ok")

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0001"},
                }
            )
        )
        self.socket_connected.set()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(socket)
        return socket


def _context_actions_problem(elements: Any, action_ids: set[str]) -> str | None:
    """Slack's `context_actions` block: 1–5 `feedback_buttons` or `icon_button` elements; a
    feedback element needs an action_id and two buttons, each with plain_text (≤ 75) and a
    value (≤ 2000)."""
    if not isinstance(elements, list) or not 1 <= len(elements) <= 5:
        return "context_actions: 1–5 elements"
    for element in elements:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in ("feedback_buttons", "icon_button"):
            return f"context_actions: unknown element {kind!r}"
        action_id = str(element.get("action_id") or "")
        if not action_id or action_id in action_ids or len(action_id) > 255:
            return "action_id must be present and unique"
        action_ids.add(action_id)
        if kind != "feedback_buttons":
            continue
        for side in ("positive_button", "negative_button"):
            button = element.get(side)
            if not isinstance(button, dict):
                return f"feedback_buttons: {side} is required"
            problem = _plain(button.get("text"), 75)
            value = button.get("value")
            if problem or not isinstance(value, str) or not 1 <= len(value) <= 2000:
                return f"feedback_buttons: {side} needs text and a value"
    return None


def _table_problem(rows: Any) -> str | None:
    if not isinstance(rows, list) or not 1 <= len(rows) <= 100:
        return "table: 1–100 rows"
    widths = {len(row) if isinstance(row, list) else -1 for row in rows}
    if len(widths) != 1 or not 1 <= widths.pop() <= 20:
        return "table: every row needs the same 1–20 cells"
    for row in rows:
        for cell in row:
            if not isinstance(cell, dict) or cell.get("type") not in ("raw_text", "rich_text"):
                return "table: cells must be raw_text or rich_text"
            if cell["type"] == "raw_text" and not isinstance(cell.get("text"), str):
                return "table: raw_text cells need text"
    return None


def _message_error(body: dict[str, Any], tables: bool = True) -> str | None:
    text = body.get("text")
    blocks = body.get("blocks")
    if not text and not blocks:
        return "no_text"
    if isinstance(text, str) and len(text) > TEXT_MAX:
        return "msg_too_long"
    if blocks is not None:
        return block_problem(blocks, tables)
    return None


def form_body(fields: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode(fields).encode()
