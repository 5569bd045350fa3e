"""The Slack adapter on the real slack_bolt/slack_sdk, served over HTTP on loopback against the
fake Slack: the `harness` fixture (registered for every test module by conftest)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiohttp import web

from adapters.slack.adapter import SlackAdapter
from bot.config.settings import SlackSettings
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, form_body, sign


@dataclass
class SlackHarness:
    slack: FakeSlack
    adapter: SlackAdapter
    url: str
    http: httpx.AsyncClient

    async def settled(self) -> None:
        """Wait until every command the adapter took has delivered its reply (a request's
        work is registered before Slack gets its acknowledgement)."""
        await asyncio.gather(*self.adapter.in_flight)

    async def post_signed(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(
            f"{self.url}/slack/events",
            content=body,
            headers={"Content-Type": content_type, **(headers or sign(body))},
        )

    async def slash(self, text: str, **who: str) -> tuple[httpx.Response, dict[str, str]]:
        fields = self.slack.slash_command(text, **who)
        body = form_body(fields)
        return await self.post_signed(body, "application/x-www-form-urlencoded"), fields

    async def click(self, action_id: str, value: str) -> httpx.Response:
        body = form_body({"payload": json.dumps(self.slack.button_click(action_id, value))})
        return await self.post_signed(body, "application/x-www-form-urlencoded")

    async def event(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post_signed(json.dumps(payload).encode(), "application/json")


def slack_settings(slack: FakeSlack) -> SlackSettings:
    return SlackSettings(
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=slack.api_url,
    )


@pytest.fixture
async def harness(
    make_grounded_service: ServiceFactory, request: pytest.FixtureRequest
) -> AsyncIterator[SlackHarness]:
    options = dict(getattr(request, "param", {}))  # conversation_for's options, and "router"
    router_settings = options.pop("router", {})
    with FakeSlack() as slack:
        adapter = SlackAdapter(
            conversation_for(make_grounded_service(**router_settings), **options),
            slack_settings(slack),
            http_port=0,
        )
        app = adapter.web_app()
        assert app is not None
        runner = web.AppRunner(app, access_log=None)  # as the bot serves it
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        async with httpx.AsyncClient(timeout=10) as http:
            yield SlackHarness(slack, adapter, f"http://127.0.0.1:{port}", http)
        await asyncio.gather(*adapter.in_flight, return_exceptions=True)
        await runner.cleanup()
