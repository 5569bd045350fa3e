""" "Add to Slack" for many workspaces: `GET /slack/install` (a page with the Add to Slack
button, and the OAuth `state` in a cookie and in the database) and `GET /slack/oauth_redirect`
(Slack sends the browser back with a `code`; it is exchanged for the workspace's bot token with
`oauth.v2.access`, and the installation saved). Bolt's `AsyncOAuthFlow` does the protocol; the
stores are the project's database (`adapters/slack/installations.py`).

Every way it can go wrong gets a short page that says what happened and what to do, never a
stack trace: an install cancelled in Slack (`error=access_denied`), a tampered, replayed or
expired state (or one from another browser), a code Slack will not exchange, and a workspace
not in `SLACK_ALLOWED_TEAM_IDS` (its fresh token is revoked at once, and nothing is kept).
The code, tokens and client secret are never logged.
"""

from __future__ import annotations

import html
import logging
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.config import SlackSettings

log = logging.getLogger(__name__)

BOT_SCOPES = (
    "commands",
    "chat:write",
    "app_mentions:read",
    "im:history",
    "channels:read",
    "groups:read",
    "im:read",
    "files:write",
    "assistant:write",
    "users:read",  # each user's locale, for answers in their language
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

FAILURES = {  # Bolt's reason → (HTTP status, what the person installing reads)
    "access_denied": (200, "The installation was cancelled in Slack. Nothing was installed."),
    "invalid_browser": (
        400,
        "This install link was opened in another browser, or its cookie is gone. "
        f'Start again from <a href="{INSTALL_PATH}">Add to Slack</a>.',
    ),
    "invalid_state": (
        400,
        "This install link has expired, was already used, or was changed. "
        f'Start again from <a href="{INSTALL_PATH}">Add to Slack</a>.',
    ),
    "missing_code": (400, "Slack did not send an installation code. Please try again."),
    "invalid_code": (
        502,
        "Slack would not complete the installation (the code could not be exchanged). "
        f'Please <a href="{INSTALL_PATH}">try again</a>.',
    ),
}
NOT_ALLOWED = "Trend Scout is not enabled for this workspace. Nothing was installed."
ENTERPRISE = "Org-wide installs are not supported: install Trend Scout in each workspace."

# The code where it is logged: Bolt's "… with code: <code>" (a failed exchange), and slack_sdk's
# DEBUG line of the oauth.v2.access request ("data: {'code': '<code>'}"), or as a form field.
_CODE = re.compile(r"""(with code: |['"]code['"]: ['"]|\bcode=)[^\s'"&,}]+""")


class InstallRefused(BoltError):
    """An installation this bot will not keep; the message is the page's text."""


class CodeFilter(logging.Filter):
    """The OAuth code is dropped from the lines of the loggers it is logged by: Bolt's flow
    (a failed exchange) and the exchange's own Web API client (every request at DEBUG). A code
    has no recognisable shape, so the log redaction cannot catch it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _CODE.sub(r"\1[REDACTED]", record.getMessage())
        record.args = ()
        return True


_CODE_FILTER = CodeFilter()  # one, so that each flow built does not add another


def _code_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(f"{__name__}.{name}")
    logger.addFilter(_CODE_FILTER)
    return logger


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow, with workspaces checked against `SLACK_ALLOWED_TEAM_IDS` before they are
    kept. Its Web API calls (the code exchange, a refused workspace's revocation) go through a
    client of their own, like `client` but logging through a logger that drops the code."""

    def __init__(self, settings: SlackSettings, client: AsyncWebClient, **stores: object) -> None:
        flow_log = _code_logger("flow")
        exchanges = AsyncWebClient(
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            trust_env_in_session=client.trust_env_in_session,
            logger=_code_logger("exchange"),
            retry_handlers=client.retry_handlers,
        )
        super().__init__(
            client=exchanges,
            logger=flow_log,
            settings=AsyncOAuthSettings(
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                scopes=list(BOT_SCOPES),
                authorization_url=settings.oauth_url,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                installation_store_bot_only=True,
                callback_options=AsyncCallbackOptions(success=_installed, failure=_failed),
                logger=flow_log,
                **stores,  # type: ignore[arg-type]
            ),
        )
        self.allowed = settings.allowed_team_ids

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        team = installation.team_id
        refusal = None
        if installation.is_enterprise_install or not team:
            refusal = ENTERPRISE
        elif self.allowed and team not in self.allowed:
            refusal = NOT_ALLOWED
        if refusal is not None:
            log.warning("refused an installation into workspace %s (not allowed)", team)
            try:  # the token Slack just issued is given back: the app leaves that workspace
                await self.client.auth_revoke(token=installation.bot_token)
            except Exception as exc:
                log.info("could not revoke the refused workspace's token (%s)", type(exc).__name__)
            raise InstallRefused(refusal)
        await super().store_installation(request, installation)
        log.info("installed in workspace %s", team)


def install_routes(
    settings: SlackSettings,
    client: AsyncWebClient,
    installations: DatabaseInstallationStore,
    states: DatabaseOAuthStateStore,
) -> list[web.RouteDef]:
    """The two routes of the install flow, for the web process."""
    flow = InstallFlow(
        settings,
        client,
        installation_store=installations,
        state_store=states,
        state_expiration_seconds=int(states.expiration_seconds),
    )

    async def install(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_installation(_bolt(request)))

    async def redirect(request: web.Request) -> web.StreamResponse:
        try:
            answer = await flow.handle_callback(_bolt(request))
        except Exception as exc:  # the database or Slack out of reach: still a page
            log.warning("an installation failed (%s)", type(exc).__name__)
            answer = _page(503, "Installing failed for now. Please try again in a minute.")
        return await to_aiohttp_response(answer)

    return [web.get(INSTALL_PATH, install), web.get(REDIRECT_PATH, redirect)]


def _bolt(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    team = html.escape(installation.team_name or "your workspace")
    link = f"slack://app?team={installation.team_id}&id={installation.app_id}"
    return _page(
        200,
        f"Trend Scout is installed in {team}. "
        f'<a href="{html.escape(link)}">Open it in Slack</a> and type '
        "<code>/scout Calculator Pro</code> in any channel, or open its Home tab.",
        clear_state=args.settings.state_utils.build_set_cookie_for_deletion(),
    )


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    if isinstance(args.error, InstallRefused):
        return _page(403, str(args.error))
    status, text = FAILURES.get(
        args.reason, (500, "Installing failed for now. Please try again in a minute.")
    )
    log.info("an installation did not complete (%s)", args.reason)
    return _page(status, text)


def _page(status: int, message: str, clear_state: str | None = None) -> BoltResponse:
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Trend Scout</title></head>'
        f"<body><h1>Trend Scout</h1><p>{message}</p></body></html>"
    )
    headers: dict[str, str | list[str]] = {"Content-Type": "text/html; charset=utf-8"}
    if clear_state is not None:
        headers["Set-Cookie"] = [clear_state]
    return BoltResponse(status=status, body=body, headers=headers)
