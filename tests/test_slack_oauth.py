"""Slack for many workspaces, on the real slack_bolt/slack_sdk against the fake Slack: two
workspaces installed through /slack/install → /slack/oauth_redirect with a real HTTP client
(state cookie and all), each answered with its own token, its token rotated before it expires,
one uninstalled and never used again (its watches gone, the other still answered), the Home tab
and the assistant's suggested prompts — and every way an install can go wrong answered with a
page, never a stack trace."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from adapters.slack.adapter import SlackAdapter
from bot.config import SlackSettings
from bot.database import Database
from bot.runtime import Redactor
from bot.watch import Watch, WatchChannel, WatchKind, WatchStore
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


@pytest.fixture
async def oauth(
    make_grounded_service: ServiceFactory, database: Database
) -> AsyncIterator[Installed]:
    with FakeSlack() as slack:
        slack.workspaces.add(OTHER, "Globex")
        slack.workspaces.add(REFUSED, "Initech")
        settings = SlackSettings(
            signing_secret=SIGNING_SECRET,
            api_url=slack.api_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            allowed_team_ids=frozenset({TEAM, OTHER}),
        )
        watches = WatchStore(database)
        history = ScoutHistory(database)
        adapter = SlackAdapter(
            conversation_for(make_grounded_service()),
            settings,
            http_port=0,
            database=database,
            watches=watches,
            history=history,
        )
        async with serving(slack, adapter) as harness:
            yield Installed(harness, slack, adapter, watches)
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
    envelope = slack.mention(text, event_id)
    envelope["team_id"] = team
    envelope["authorizations"][0]["team_id"] = team
    return envelope


def stream_tokens(slack: FakeSlack) -> list[tuple[str | None, str]]:
    return [(c.team, c.token) for c in slack.calls if c.method == "chat.startStream"]


async def test_two_workspaces_each_with_its_own_token_one_uninstalled(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    for team, name in ((TEAM, "Acme"), (OTHER, "Globex")):
        page = await install(harness, team)
        assert page.status_code == 200 and f"installed in {name}" in page.text
    acme, globex = (slack.workspaces.teams[t].tokens[-1] for t in (TEAM, OTHER))
    assert acme.startswith("xoxe.xoxb-") and globex.startswith("xoxe.xoxb-")
    for team in (TEAM, OTHER):
        channel = WatchChannel("slack", team, "C0001")
        await oauth.watches.add(Watch(channel, WatchKind.APP, 1, "us", "Calculator Pro"), "U1", 1.0)

    await harness.event(mention(slack, TEAM, "Facebook", "Ev1"))
    await harness.event(mention(slack, OTHER, "Facebook", "Ev2"))
    await harness.settled()
    assert sorted(stream_tokens(slack)) == sorted([(TEAM, acme), (OTHER, globex)])
    assert len([p for p in slack.posted if p.where == "chat.stopStream"]) == 2

    slack.workspaces.uninstall(OTHER)  # Slack revokes its tokens, then tells the app
    uninstalled = slack.event({"type": "app_uninstalled"}, "Ev3", team=OTHER)
    assert (await harness.event(uninstalled)).status_code == 200
    await harness.settled()
    assert oauth.adapter.installations is not None
    assert await oauth.adapter.installations.teams() == [TEAM]
    remaining = await oauth.watches.all_watches(["slack"])
    assert [w.channel.workspace for w in remaining] == [TEAM]

    used, answers = len(slack.calls), len(slack.posted)
    await harness.event(mention(slack, OTHER, "Facebook", "Ev4"))  # from the gone workspace
    await harness.event(mention(slack, TEAM, "Facebook", "Ev5"))
    await harness.settled()
    assert {c.token for c in slack.calls[used:]} == {acme}  # Globex's token never used again
    [answer] = slack.posted[answers:]  # Acme's (from the cache now, posted whole)
    assert "Facebook" in answer.all_text()


async def test_a_token_is_rotated_before_it_expires(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    await install(harness, TEAM)
    first = slack.workspaces.teams[TEAM].tokens[-1]
    tokens = oauth.adapter.clients.tokens
    assert tokens is not None
    tokens.clock = lambda: time.time() + 12 * 3600 - 60  # a minute before it expires
    await harness.event(mention(slack, TEAM, "Facebook", "Ev1"))
    await harness.settled()
    refreshed = [e for e in slack.workspaces.exchanges if e.get("grant_type") == "refresh_token"]
    assert len(refreshed) == 1
    rotated = slack.workspaces.teams[TEAM].tokens[-1]
    assert rotated != first and stream_tokens(slack) == [(TEAM, rotated)]


async def test_the_home_tab_and_the_assistant_greeting(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    await install(harness, TEAM)
    token = slack.workspaces.teams[TEAM].tokens[-1]
    channel = WatchChannel("slack", TEAM, "C0042")
    await oauth.watches.add(Watch(channel, WatchKind.APP, 1, "us", "Calculator Pro"), "U1", 1.0)
    await harness.event(mention(slack, TEAM, "Facebook", "Ev0"))
    await harness.settled()
    assert oauth.adapter.history is not None
    await oauth.adapter.history.flush()
    opened = {"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home"}
    await harness.event(slack.event(opened, "Ev1"))
    await harness.settled()
    view = slack.home_views[(TEAM, "U0001")]
    text = str(view["blocks"])
    assert "<#C0042>: Calculator Pro (US)" in text
    assert "Scout an app" in text and "Find opportunities" in text and "Compare apps" in text
    assert "*Facebook* · analysis · clone score" in text  # the user's recent scout

    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U0001", "channel_id": "D0001", "thread_ts": "1.5"},
    }
    await harness.event(slack.event(started, "Ev2"))
    await harness.settled()
    [prompts] = slack.assistant
    assert prompts.method == "assistant.threads.setSuggestedPrompts" and prompts.token == token
    titles = [p["title"] for p in prompts.body["prompts"]]
    assert titles == [
        "Scout an app",
        "Find opportunities in a category",
        "Compare two apps",
        "Watch an app",
    ]


async def test_bad_installs_get_a_clear_page(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    state, cookie = await begin_install(harness)
    redirect = f"{harness.url}/slack/oauth_redirect"

    tampered = await harness.http.get(
        redirect,
        params={"code": slack.workspaces.approve(TEAM), "state": state + "x"},
        headers={"Cookie": cookie},
    )
    assert tampered.status_code == 400 and "Start again" in tampered.text

    denied = await harness.http.get(redirect, params={"error": "access_denied", "state": state})
    assert denied.status_code == 200 and "cancelled" in denied.text

    state, cookie = await begin_install(harness)
    bad_code = await harness.http.get(
        redirect, params={"code": "not-a-code", "state": state}, headers={"Cookie": cookie}
    )
    assert bad_code.status_code == 502 and "could not be exchanged" in bad_code.text

    refused = await install(harness, REFUSED)
    assert refused.status_code == 403 and "not enabled for this workspace" in refused.text
    assert slack.workspaces.teams[REFUSED].tokens[-1] in slack.workspaces.revoked
    assert oauth.adapter.installations is not None
    assert await oauth.adapter.installations.teams() == []
    for page in (tampered, denied, bad_code, refused):
        assert "Traceback" not in page.text


def test_installation_tokens_cannot_reach_a_log_line() -> None:
    redact = Redactor([CLIENT_SECRET])
    line = (
        "oauth.v2.access answered {'access_token': 'xoxe.xoxb-1-T0002-3-fakeaccess', "
        "'refresh_token': 'xoxe-1-T0002-3-fakerefresh'} for client_secret=" + CLIENT_SECRET
    )
    cleaned = redact(line)
    assert "fakeaccess" not in cleaned and "fakerefresh" not in cleaned
    assert CLIENT_SECRET not in cleaned
