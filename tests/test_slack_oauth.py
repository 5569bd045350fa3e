"""Slack for many workspaces, on the real slack_bolt/slack_sdk against the fake Slack: two
workspaces installed through /slack/install → /slack/oauth_redirect with a real HTTP client
(state cookie and all), each answered with its own token, its token rotated before it expires,
one uninstalled and never used again (its watches gone, the other still answered), the Home tab
and the assistant's suggested prompts — every way an install can go wrong answered with a
page, never a stack trace, and none of an installation's secrets (client secret, code, tokens,
refresh tokens) in the bot's log even at DEBUG."""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import re
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.config import Settings
from bot.database import Database
from bot.runtime import configure_logging
from bot.runtime.logs import _QUIET_LIBRARIES as QUIET_LIBRARIES
from bot.watch import Watch, WatchChannel, WatchKind
from tests.conftest import ServiceFactory
from tests.fake_slack import TEAM
from tests.fake_slack_workspaces import CLIENT_ID, CLIENT_SECRET
from tests.slack_oauth_harness import (
    OTHER,
    REFUSED,
    Installed,
    answer_tokens,
    begin_install,
    install,
    mention,
    oauth_world,
)


@pytest.fixture
async def oauth(
    make_grounded_service: ServiceFactory, database: Database
) -> AsyncIterator[Installed]:
    async with oauth_world(make_grounded_service, database) as world:
        yield world


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
    assert sorted(answer_tokens(slack)) == sorted([(TEAM, acme), (OTHER, globex)])
    assert len([p for p in slack.posted if "Facebook" in p.all_text()]) == 2

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
    assert rotated != first and answer_tokens(slack) == [(TEAM, rotated)]


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


@contextlib.contextmanager
def logging_as_the_bot_does(level: str, secrets: tuple[str | None, ...]) -> Iterator[io.StringIO]:
    """Every logger through the bot's one redacting handler (`configure_logging`), into a
    buffer; the test run's own logging put back afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, root_level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    configure_logging(level, "text", secrets, stream)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(root_level)
        for name, quiet_level in quiet.items():
            logging.getLogger(name).setLevel(quiet_level)


async def test_no_secret_of_an_installation_reaches_a_debug_log(oauth: Installed) -> None:
    """slack_sdk logs each request and response whole at DEBUG: the code exchange (the code,
    the client secret), the tokens it gives, their rotation (the refresh token), every call
    with a workspace's token. Not one of them is written."""
    harness, slack = oauth.harness, oauth.slack
    secrets = Settings(slack=oauth.adapter.settings).secrets
    with logging_as_the_bot_does("DEBUG", secrets) as stream:
        assert (await install(harness, TEAM)).status_code == 200
        state, cookie = await begin_install(harness)
        unknown = await harness.http.get(  # a code Slack will not exchange: logged by Bolt
            f"{harness.url}/slack/oauth_redirect",
            params={"code": "9.T0001.fakecode-unknown", "state": state},
            headers={"Cookie": cookie},
        )
        assert unknown.status_code == 502
        tokens = oauth.adapter.clients.tokens
        assert tokens is not None
        tokens.clock = lambda: time.time() + 12 * 3600 - 60  # rotated before the next call
        await harness.event(mention(slack, TEAM, "Facebook", "Ev1"))
        await harness.slash("gaps Utilities")
        await harness.settled()
        slack.workspaces.uninstall(TEAM)
        await harness.event(slack.event({"type": "app_uninstalled"}, "Ev2"))
        await harness.settled()
    written = stream.getvalue()
    assert "oauth.v2.access" in written and "chat.startStream" in written  # calls were logged
    assert "fake-client-secret" not in written
    assert re.findall(r"xox[a-z](?:\.xox[a-z])?-(?!\[REDACTED\])", written) == []
    issued = slack.workspaces.teams[TEAM].tokens[1:]  # the install's and the rotated one
    refreshes = [t for t, team in slack.workspaces.refresh_tokens.items() if team == TEAM]
    codes = [str(e["code"]) for e in slack.workspaces.exchanges if e.get("code")]
    assert len(issued) == 2 and len(refreshes) == 2 and len(codes) == 2
    for secret in (*issued, *refreshes, *codes, CLIENT_SECRET):
        assert secret not in written
        for form in (urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)):
            assert form not in written
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert basic not in written  # the code exchange's Authorization: Basic header
