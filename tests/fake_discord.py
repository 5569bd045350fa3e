"""A loopback fake of Discord for the real discord.py client.

- Gateway websocket at `/gateway` (`DISCORD_GATEWAY_URL`) and `GET /gateway/bot`, sharded as
  Discord shards (`tests/fake_discord_gateway.py`); tests inject MESSAGE_CREATE and
  INTERACTION_CREATE with `dispatch`, which reaches the sessions Discord would send them to.
  Their payloads, and every object Discord describes, are `tests/fake_discord_payloads.py`
  (`message`, `interaction` and `slash_command` here give them the fake's new ids).
- REST under `/api/v10` (`DISCORD_API_URL`): login (`GET /users/@me`,
  `GET /oauth2/applications/@me`), messages and their edits, typing, command sync, interaction
  callbacks (`?with_response=1`, JSON body; a second response to one interaction is refused with
  `400`, code 40060, as Discord does), follow-ups and edits of the original response.
  `sent` holds the messages as users see them now (an edit changes its entry in place);
  `edits` every edit, with its time. Message routes are rate-limited per channel or interaction
  like Discord's (`tests/fake_discord_limits.py`). Message bodies are checked against Discord's
  limits and refused with `400 {"code": 50035, "message": "Invalid Form Body", "errors": …}`.
  A scripted 429 carries a JSON body with `retry_after` and a `Via` header, as Discord's do
  (without them discord.py takes a 429 for a Cloudflare ban). Responses are
  `Content-Type: application/json` exactly: with a charset discord.py would get a string back.
  Every refusal with a Discord error code is noted in `refusals` (path, code).
- Attachments (multipart form data: `payload_json` and `files[n]` parts): each file's bytes are
  kept in `uploads` (message id → files); PNGs are checked (magic bytes, IHDR dimensions, IEND)
  and an embed image `attachment://name` must name a file of its message — what is wrong is
  noted in `problems`. Past `max_upload_bytes` a message is refused with 413 (code 40005); in
  `no_attach_channels` a message with files gets 403 Missing Permissions (50013).
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests import fake_discord_payloads as payloads
from tests.fake_discord_gateway import FakeGateway
from tests.fake_discord_gateway import json_reply as _json
from tests.fake_discord_limits import RouteBuckets, embed_problem
from tests.fake_discord_payloads import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    CHANNEL_ID,
    CHANNEL_IDS,
    GUILD_ID,
    READ_ONLY_CHANNEL,
    USER_ID,
    user,
)
from tests.fake_slack_files import multipart_parts, png_problem
from tests.loopback import Reply

__all__ = [
    "BOT_ID",
    "BOT_TOKEN",
    "CHANNEL_ID",
    "CHANNEL_IDS",
    "GUILD_ID",
    "USER_ID",
    "FakeDiscord",
    "Reply",
    "SentMessage",
    "Upload",
    "embed_problem",
]


@dataclass(frozen=True)
class SentMessage:
    route: str  # "channel", "followup" or "original" (an interaction's own response)
    channel_id: str | None
    payload: dict[str, Any]
    message_id: str = ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.payload.get("embeds") or [])

    def all_text(self) -> str:
        return json.dumps(self.payload, ensure_ascii=False)


@dataclass(frozen=True)
class Upload:
    """A file attached to a message, as Discord stored it."""

    filename: str
    data: bytes
    description: str | None  # its alt text


@dataclass(frozen=True)
class Edit:
    at: float  # time.monotonic()
    message_id: str
    payload: dict[str, Any]


class FakeDiscord(FakeGateway):
    name = "fake-discord"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.buckets = RouteBuckets()
        self._index: dict[str, int] = {}  # message id → its place in `sent`
        self._originals: dict[str, str] = {}  # interaction token → its response's message id
        self.typing: list[str] = []
        self.callbacks: list[dict[str, Any]] = []  # each accepted interaction response
        self.refusals: list[tuple[str, int]] = []  # (path, Discord error code) of each refusal
        self.synced_commands: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.uploads: dict[str, list[Upload]] = {}  # message id → its files, as they stand
        self.user_locale = "en-US"  # the clicking user's Discord language, in interactions
        self.problems: list[str] = []  # attachments sent wrongly
        self.max_upload_bytes = 10_485_760
        self.no_attach_channels: set[str] = set()  # channels without Attach Files permission

    def __enter__(self) -> FakeDiscord:
        self.start()
        return self

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    def routes(self, app: web.Application) -> None:
        api = "/api/v10"
        self.gateway_routes(app)
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._create_message)
        app.router.add_post(f"{api}/channels/{{channel}}/typing", self._typing)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._sync)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        app.router.add_patch(f"{api}/channels/{{channel}}/messages/{{message}}", self._edit)
        app.router.add_patch(
            f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._edit_webhook_message
        )

    # -- helpers for tests ---------------------------------------------------------------
    def snowflake(self) -> str:
        return str(1_000_000_000_000_000_000 + next(self._ids))

    def _refuse(
        self, request: web.Request, status: int, code: int, message: str, **extra: Any
    ) -> web.Response:
        self.refusals.append((request.path, code))
        return _json(status, {"message": message, "code": code, **extra})

    def message(
        self,
        content: str,
        *,
        mentions_bot: bool = True,
        author_is_bot: bool = False,
        guild: bool = True,
        mention_everyone: bool = False,
        channel_id: str | None = None,  # the guild's home channel
        reply_to: str | None = None,
        guild_id: str = GUILD_ID,
    ) -> dict[str, Any]:
        """A user's message (MESSAGE_CREATE), with a new id: `payloads.message`."""
        return payloads.message(
            content,
            self.snowflake(),
            mentions_bot=mentions_bot,
            author_is_bot=author_is_bot,
            guild=guild,
            mention_everyone=mention_everyone,
            channel_id=channel_id,
            reply_to=reply_to,
            guild_id=guild_id,
        )

    thread = staticmethod(payloads.thread)

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        guild_id: str = GUILD_ID,
    ) -> dict[str, Any]:
        """alice's interaction (INTERACTION_CREATE), with a new id and token, in her
        `user_locale`: `payloads.interaction`."""
        return payloads.interaction(
            kind,
            data,
            interaction_id=self.snowflake(),
            token=f"interaction-token-{next(self._ids)}",
            locale=self.user_locale,
            message=message,
            guild_id=guild_id,
        )

    def slash_command(
        self, subcommand: str, /, guild_id: str = GUILD_ID, **values: str
    ) -> dict[str, Any]:
        """A `/scout <subcommand>` application command as the gateway delivers it."""
        data = payloads.slash_command_data(subcommand, guild_id, values)
        return self.interaction(2, data, guild_id=guild_id)

    # -- REST ----------------------------------------------------------------------------
    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {BOT_TOKEN}"

    async def _scripted(self, request: web.Request) -> tuple[Any, web.StreamResponse | None]:
        body, scripted = await self.record(request)
        # Interaction callbacks and webhook follow-ups authenticate by the token in their URL.
        token_in_url = "/interactions/" in request.path or "/webhooks/" in request.path
        if not token_in_url and not self._authorised(request):
            return body, _json(401, {"message": "401: Unauthorized", "code": 0})
        if scripted is not None:
            return body, await self.play(request, scripted)
        return body, None

    async def _me(self, request: web.Request) -> web.StreamResponse:
        _, early = await self._scripted(request)
        return early or _json(200, user(BOT_ID, "Trend Scout", bot=True))

    async def _application(self, request: web.Request) -> web.StreamResponse:
        _, early = await self._scripted(request)
        return early or _json(200, payloads.application())

    async def _message_reply(
        self,
        request: web.Request,
        route: str,
        channel: str | None,
        body: Any,
        headers: dict[str, str] | None = None,
        message_id: str | None = None,
    ) -> web.Response:
        payload = body if isinstance(body, dict) else {}
        errors = embed_problem(payload)
        if errors:
            return self._refuse(request, 400, 50035, "Invalid Form Body", errors=errors)
        files = await self._files(request, payload)
        if sum(len(f.data) for f in files) > self.max_upload_bytes:
            return self._refuse(request, 413, 40005, "Request entity too large")
        if files and channel in self.no_attach_channels:
            return self._refuse(request, 403, 50013, "Missing Permissions")
        message_id = message_id or self.snowflake()
        if files or "attachments" in payload:  # an edit's `attachments` replaces the files
            self.uploads[message_id] = files
        self._check_images(payload, self.uploads.get(message_id, []))
        if message_id in self._index:  # an edit: what users see changes in place
            self.edits.append(Edit(time.monotonic(), message_id, payload))
            at = self._index[message_id]
            old = self.sent[at]
            payload = {**old.payload, **payload}
            self.sent[at] = SentMessage(old.route, channel or old.channel_id, payload, message_id)
        else:
            self._index[message_id] = len(self.sent)
            self.sent.append(SentMessage(route, channel, payload, message_id))
        return _json(200, payloads.bot_message(message_id, channel or CHANNEL_ID, payload), headers)

    async def _files(self, request: web.Request, payload: dict[str, Any]) -> list[Upload]:
        """The files of a multipart message, bytes intact, with the alt text its
        `attachments` entries give them."""
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return []
        parts = multipart_parts(await request.read(), content_type)
        described = {
            f"files[{a.get('id')}]": a.get("description")
            for a in payload.get("attachments") or []
            if isinstance(a, dict)
        }
        files = []
        for name, (filename, data) in parts.items():
            if name == "payload_json":
                continue
            upload = Upload(str(filename), data, described.get(name))
            if upload.filename.endswith(".png") and (problem := png_problem(data)):
                self.problems.append(f"{upload.filename}: {problem}")
            files.append(upload)
        return files

    def _check_images(self, payload: dict[str, Any], files: list[Upload]) -> None:
        names = {f.filename for f in files}
        for embed in payload.get("embeds") or []:
            url = str((embed.get("image") or {}).get("url") or "")
            if url.startswith("attachment://") and url.removeprefix("attachment://") not in names:
                self.problems.append(f"embed image {url} names no file of its message")

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        channel = request.match_info["channel"]
        if channel == READ_ONLY_CHANNEL:
            return self._refuse(request, 403, 50013, "Missing Permissions")
        headers, limited = self.buckets.take("messages", channel)
        return limited or await self._message_reply(request, "channel", channel, body, headers)

    async def _edit(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        channel, message = request.match_info["channel"], request.match_info["message"]
        if message not in self._index:
            return self._refuse(request, 404, 10008, "Unknown Message")
        headers, limited = self.buckets.take("edits", channel)
        if limited:
            return limited
        return await self._message_reply(request, "channel", channel, body, headers, message)

    async def _edit_webhook_message(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        token, message = request.match_info["token"], request.match_info["message"]
        if message == "@original":
            message = self._originals.setdefault(token, self.snowflake())
        headers, limited = self.buckets.take("webhook", token)
        if limited:
            return limited
        if message not in self._index:
            self._index[message] = len(self.sent)  # the deferred "thinking…" response
            self.sent.append(SentMessage("original", None, {}, message))
        return await self._message_reply(request, "original", None, body, headers, message)

    async def _typing(self, request: web.Request) -> web.StreamResponse:
        _, early = await self._scripted(request)
        if early is not None:
            return early
        self.typing.append(request.match_info["channel"])
        return web.Response(status=204)

    async def _sync(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        scope = request.match_info.get("guild", "global")
        commands = [
            {**command, "id": self.snowflake(), "application_id": APP_ID, "version": "1"}
            for command in body or []
        ]
        self.synced_commands[scope] = commands
        return _json(200, commands)

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        interaction = request.match_info["id"]
        if any(callback["id"] == interaction for callback in self.callbacks):
            return self._refuse(request, 400, 40060, "Interaction has already been acknowledged.")
        self.callbacks.append(
            {"id": interaction, "query": dict(request.query), "body": body, "at": time.monotonic()}
        )
        return _json(
            200,
            {
                "interaction": {
                    "id": interaction,
                    "type": 2,
                    "activity_instance_id": None,
                    "response_message_id": None,
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": False,
                },
            },
        )

    async def _followup(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._scripted(request)
        if early is not None:
            return early
        headers, limited = self.buckets.take("webhook", request.match_info["token"])
        return limited or await self._message_reply(request, "followup", None, body, headers)


def rate_limited(retry_after: float = 0.3) -> Reply:
    """Discord's 429: a JSON body with retry_after, and a Via header (not a Cloudflare ban)."""
    body = json.dumps(
        {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    ).encode()
    return Reply(
        429,
        body,
        {
            "Via": "1.1 google",
            "Retry-After": str(retry_after),
            "X-RateLimit-Scope": "user",
            "X-RateLimit-Bucket": "fake-bucket",
        },
    )
