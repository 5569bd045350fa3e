"""A loopback fake of Slack for the real slack_bolt/slack_sdk clients. Its parts, and where each
lives:

- Here: `chat.postMessage` (bot token) — 200 with `{"ok": false, "error": …}` as Slack does:
  `invalid_auth`, `invalid_blocks`, `msg_too_long`, `msg_blocks_too_long`; 429 with
  `Retry-After` when scripted. `response_url` endpoints under `/response/<id>`: at most 5 uses
  (then 404 `used_url`), blocks validated (400 `invalid_blocks`), like Slack's;
  `replace_original` and `delete_original` change the command's private note (`notes`),
  anything else is a new message. `users.info`, `chat.postEphemeral` and the assistant's
  `assistant.threads.setSuggestedPrompts/setTitle/setStatus`. Request signing
  (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) for HTTP-mode tests: `sign`.
- The Web API's door under `/api/` (`SLACK_API_URL`): each call's token and team, every call
  kept in `calls`; `auth.test`, `apps.connections.open` (app token), `oauth.v2.access` and
  `auth.revoke`: `tests/fake_slack_web_api.py` (the base class, `SlackWebApi`). The workspaces
  and their tokens, the OAuth code exchange and refresh grant: `tests/fake_slack_workspaces.py`
  (`workspaces`).
- Socket Mode at `/socket`: `hello`, then envelopes the test injects (`deliver`); acks are
  recorded: `tests/fake_slack_socket.py` (`FakeSocketMode`, under `SlackWebApi`).
- Block Kit and text limits, as messages, response_urls, streams and the Home tab are checked:
  `tests/fake_slack_blocks.py` (`block_problem`).
- `chat.update` and AI streaming (`chat.startStream/appendStream/stopStream`) with their errors
  and rate tiers: `tests/fake_slack_messages.py` (`live`).
- Files (`files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`), with
  the token's scopes, size limit and PNG checks: `tests/fake_slack_files.py` (`files`).
- Channels, where the bot may post (`not_in_channel`), and `conversations.info`:
  `tests/fake_slack_channels.py` (`channels`).
- `views.publish` (the Home tab) and `views.open` (a modal, checked with `modal_problem`), and
  users clicking and submitting them: `tests/fake_slack_views.py` (`views`).
- What users send — slash commands, button and 👍/👎 clicks, mentions, DMs, any event:
  `tests/fake_slack_payloads.py`, each builder a method of `FakeSlack` as well.

`posted` holds the messages users have, as they stand: posted ones (updated in place by
`chat.update`), and streams once they are stopped; `live` has every change of every message.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests import fake_slack_payloads as payloads
from tests.fake_slack_blocks import block_problem, message_problem
from tests.fake_slack_channels import ChannelDirectory
from tests.fake_slack_files import FileStore, SlackFile
from tests.fake_slack_messages import LiveMessage, MessageStore
from tests.fake_slack_payloads import TEAM
from tests.fake_slack_views import ViewStore
from tests.fake_slack_web_api import APP_TOKEN, BOT_TOKEN, ApiCall, SlackWebApi
from tests.loopback import Reply, json_response

SIGNING_SECRET = "fake-signing-secret"

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "SIGNING_SECRET",
    "TEAM",
    "FakeSlack",
    "LiveMessage",
    "Posted",
    "Reply",
    "SlackFile",
    "block_problem",
    "form_body",
    "sign",
]

STREAM_METHODS = ("chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream")
ASSISTANT_METHODS = (
    "assistant.threads.setSuggestedPrompts",
    "assistant.threads.setTitle",
    "assistant.threads.setStatus",
)


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


class FakeSlack(SlackWebApi):
    name = "fake-slack"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.posted: list[Posted] = []
        self.tables = True  # False: a workspace without table blocks
        self.live = MessageStore(lambda blocks: block_problem(blocks, self.tables))
        self._posted_at: dict[str, int] = {}  # ts → its index in `posted`
        self.response_url_uses: dict[str, int] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}  # response_url key → its note's changes
        self._response_url_ids = itertools.count(1)
        self.channels = ChannelDirectory()
        self.files = FileStore()
        self.views = ViewStore()
        self.home_views = self.views.home_views  # (team, user) → view
        self.modals = self.views.modals
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
        self.api_routes(app)
        self.socket_routes(app)
        app.router.add_post("/api/chat.postMessage", self._post_message)
        # slack_sdk sends conversations.info as a GET with query parameters; Slack takes both.
        app.router.add_get("/api/conversations.info", self._conversations_info)
        app.router.add_post("/api/conversations.info", self._conversations_info)
        for method in STREAM_METHODS:
            app.router.add_post(f"/api/{method}", self._live_message)
        app.router.add_post("/api/files.getUploadURLExternal", self._get_upload_url)
        app.router.add_post("/upload/v1/{key}", self._upload)
        app.router.add_post("/api/files.completeUploadExternal", self._complete_upload)
        app.router.add_post("/api/views.publish", self._views_publish)
        app.router.add_get("/api/users.info", self._users_info)
        app.router.add_post("/api/users.info", self._users_info)
        app.router.add_post("/api/views.open", self._views_open)
        app.router.add_post("/api/chat.postEphemeral", self._post_ephemeral)
        for method in ASSISTANT_METHODS:
            app.router.add_post(f"/api/{method}", self._assistant_call)
        app.router.add_post("/response/{key}", self._response_url)

    # -- helpers for tests ---------------------------------------------------------------
    def new_response_url(self) -> str:
        key = f"R{next(self._response_url_ids)}"
        self.response_url_uses[key] = 0
        return f"{self.base_url}/response/{key}"

    def slash_command(
        self, text: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
    ) -> dict[str, str]:
        return payloads.slash_command(
            text, response_url=self.new_response_url(), user=user, team=team, channel=channel
        )

    def button_click(self, action_id: str, value: str, user: str = "U0001") -> dict[str, Any]:
        return payloads.button_click(
            action_id, value, response_url=self.new_response_url(), user=user
        )

    def feedback_click(
        self, value: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
    ) -> dict[str, Any]:
        """A click on a `feedback_buttons` element (👍 or 👎) under a message."""
        return payloads.feedback_click(
            value, response_url=self.new_response_url(), user=user, team=team, channel=channel
        )

    mention = staticmethod(payloads.mention)
    direct_message = staticmethod(payloads.direct_message)
    event = staticmethod(payloads.event)

    # -- endpoints -----------------------------------------------------------------------
    async def _views_publish(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._bot_call(request)
        if early is not None:
            return early
        return self.views.publish(body, self.calls[-1].team or "")

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
        return self.views.open(body)

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
        error = message_problem(body, self.tables)
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
        error = message_problem(body, self.tables)
        if error:
            return web.Response(status=400, text=error.split(":")[0])
        if body.get("replace_original"):
            self.notes.setdefault(key, []).append(body)
        else:
            self.posted.append(Posted("response_url", body))
        return web.Response(status=200, text="ok")


def form_body(fields: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode(fields).encode()
