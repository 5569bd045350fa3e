"""The Slack adapter on the real slack_bolt/slack_sdk, served over HTTP on loopback against the
fake Slack: the `harness` fixture (registered for every test module by conftest).

With the `manual_clock` option, live replies pace themselves on a `ManualClock` (`harness.clock`)
and the fake keeps its time on it too (when it took each change, its rate tiers): time then
passes only as the test moves it, e.g. by `settled_on_the_clock`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiohttp import web

from adapters.port.live import LOOP_CLOCK
from adapters.slack.adapter import SlackAdapter
from bot.config import SlackSettings
from tests import fake_slack_messages
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, form_body, sign
from tests.helpers import ManualClock, wait_for


@dataclass
class SlackHarness:
    slack: FakeSlack
    adapter: SlackAdapter
    url: str
    http: httpx.AsyncClient
    clock: ManualClock | None = None  # with the `manual_clock` option

    async def settled(self) -> None:
        """Wait until every command the adapter took has delivered its reply (a request's
        work is registered before Slack gets its acknowledgement)."""
        await asyncio.gather(*self.adapter.in_flight)

    async def settled_on_the_clock(self) -> None:
        """`settled`, moving the manual clock meanwhile to each moment a live reply waits for:
        no time passes but what pacing waits out, so each draw lands on its deadline."""
        clock = self.clock
        assert clock is not None, "the harness needs the manual_clock option"
        settled = asyncio.ensure_future(self.settled())
        while True:
            await wait_for(
                lambda: settled.done() or clock.sleepers, within=20, what="a reply or a wait"
            )
            if settled.done():
                break
            await clock.advance(clock.sleepers[0] - clock.now)
        await settled

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


@contextlib.asynccontextmanager
async def serving(slack: FakeSlack, adapter: SlackAdapter) -> AsyncIterator[SlackHarness]:
    """`adapter`'s web app served on loopback, as the bot serves it, with an HTTP client."""
    app = adapter.web_app()
    assert app is not None
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield SlackHarness(slack, adapter, f"http://127.0.0.1:{port}", http)
    finally:
        await asyncio.gather(*adapter.in_flight, return_exceptions=True)
        await runner.cleanup()


@pytest.fixture
async def harness(
    make_grounded_service: ServiceFactory,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackHarness]:
    # conversation_for's options, "router" and "manual_clock"
    options = dict(getattr(request, "param", {}))
    router_settings = options.pop("router", {})
    clock = ManualClock() if options.pop("manual_clock", False) else None
    if clock is not None:  # the fake's `time.monotonic()` reads the test's clock
        fake_time = SimpleNamespace(monotonic=clock, time=time.time)
        monkeypatch.setattr(fake_slack_messages, "time", fake_time)
    with FakeSlack() as slack:
        adapter = SlackAdapter(
            conversation_for(make_grounded_service(**router_settings), **options),
            slack_settings(slack),
            http_port=0,
            clock=clock or LOOP_CLOCK,
        )
        app = adapter.web_app()
        assert app is not None
        runner = web.AppRunner(app, access_log=None)  # as the bot serves it
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        async with httpx.AsyncClient(timeout=10) as http:
            yield SlackHarness(slack, adapter, f"http://127.0.0.1:{port}", http, clock)
        await asyncio.gather(*adapter.in_flight, return_exceptions=True)
        await runner.cleanup()
