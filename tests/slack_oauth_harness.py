"""Slack for many workspaces, wired for tests: the adapter in OAuth mode (`SLACK_CLIENT_ID` +
`SLACK_CLIENT_SECRET`) on a real database, served over HTTP on loopback against the fake Slack,
with three workspaces there — Acme (`TEAM`) and Globex (`OTHER`), both allowed, and Initech
(`REFUSED`), not — and the browser's way through "Add to Slack" (`install`).

Test modules open it with `oauth_world` inside a fixture of their own."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.slack.adapter import SlackAdapter
from bot.appstore import ITunesCatalog
from bot.config import SlackSettings
from bot.database import Database
from bot.watch import Watchlist, WatchSettings, WatchStore
from bot.workspaces import ScoutHistory
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_slack import SIGNING_SECRET, TEAM, FakeSlack
from tests.fake_slack_workspaces import CLIENT_ID, CLIENT_SECRET
from tests.slack_harness import SlackHarness, serving

OTHER = "T0002"
REFUSED = "T0003"


@dataclass
class Installed:
    harness: SlackHarness
    slack: FakeSlack
    adapter: SlackAdapter
    watches: WatchStore
    history: ScoutHistory
    database: Database

    def token(self, team: str) -> str:
        """The bot token Slack issued `team` last."""
        return self.slack.workspaces.teams[team].tokens[-1]


def oauth_settings(slack: FakeSlack, **overrides: Any) -> SlackSettings:
    options: dict[str, Any] = {
        "signing_secret": SIGNING_SECRET,
        "api_url": slack.api_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_team_ids": frozenset({TEAM, OTHER}),
        **overrides,
    }
    return SlackSettings(**options)


@contextlib.asynccontextmanager
async def oauth_world(
    make_grounded_service: ServiceFactory, database: Database
) -> AsyncIterator[Installed]:
    """The web process of an OAuth install (`http_port`), with trend watch (`/scout watch …`)
    and scout history, as the bot wires them."""
    with FakeSlack() as slack:
        slack.workspaces.add(OTHER, "Globex")
        slack.workspaces.add(REFUSED, "Initech")
        watches = WatchStore(database)
        history = ScoutHistory(database)
        service = make_grounded_service()
        conversation = conversation_for(service)
        adapter = SlackAdapter(
            conversation,
            oauth_settings(slack),
            http_port=0,
            database=database,
            watches=watches,
            history=history,
        )
        catalog = service.facts.catalog
        assert isinstance(catalog, ITunesCatalog)
        posters = {"slack": adapter.channel_poster()}
        conversation.watchlist = Watchlist(watches, catalog, catalog, WatchSettings(), posters)
        async with serving(slack, adapter) as harness:
            yield Installed(harness, slack, adapter, watches, history, database)
        await history.flush()  # the scouts kept off the reply path, before the database closes


async def begin_install(harness: SlackHarness) -> tuple[str, str]:
    """/slack/install: the page's Add to Slack link and the state cookie the browser keeps."""
    page = await harness.http.get(f"{harness.url}/slack/install")
    assert page.status_code == 200
    link = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page.text)
    assert link is not None
    authorize = httpx.URL(link.group(1).replace("&amp;", "&"))
    assert str(authorize).startswith(f"{harness.slack.base_url}/oauth/v2/authorize?")
    assert authorize.params["client_id"] == CLIENT_ID
    assert "assistant:write" in authorize.params["scope"].split(",")
    cookie = page.headers["set-cookie"].split(";")[0]
    assert cookie == f"slack-app-oauth-state={authorize.params['state']}"
    return authorize.params["state"], cookie


async def install(harness: SlackHarness, team: str) -> httpx.Response:
    """The whole way: the install page, *Allow* in Slack, Slack's redirect back (with the
    browser's cookie: it is Secure, so over loopback's http the test carries it)."""
    state, cookie = await begin_install(harness)
    code = harness.slack.workspaces.approve(team)
    return await harness.http.get(
        f"{harness.url}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": cookie},
    )


def mention(slack: FakeSlack, team: str, text: str, event_id: str) -> dict[str, Any]:
    """An @mention of the bot in `team`'s channel C0001."""
    envelope = slack.mention(text, event_id)
    envelope["team_id"] = team
    envelope["authorizations"][0]["team_id"] = team
    return envelope


def answer_tokens(slack: FakeSlack) -> list[tuple[str | None, str]]:
    """(team, token) of every threaded answer begun: streamed, or posted whole (an answer
    from the cache is not streamed)."""
    begun = ("chat.startStream", "chat.postMessage")
    return [(c.team, c.token) for c in slack.calls if c.method in begun]
