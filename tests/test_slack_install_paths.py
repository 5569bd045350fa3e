"""Slack for many workspaces, the paths off the main one, end to end on the real
slack_bolt/slack_sdk against the fake Slack and a real database: a workspace revoking the bot's
token leaves as an uninstall does (revoking only users' tokens changes nothing); the Home tab's
quick actions — a form, and its answer in the user's DM with that workspace's token, or a clear
word about a bad entry; the Home tab republished after a watch changes; and a worker on Socket
Mode answering each workspace with its own token."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.slack.adapter import SlackAdapter
from bot.database import Database
from bot.watch import Watch, WatchChannel, WatchKind
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_appstore import FakeAppStore
from tests.fake_market import build_market
from tests.fake_slack import APP_TOKEN, TEAM, FakeSlack, LiveMessage, form_body
from tests.fake_slack_views import home_click, modal_problem, submission
from tests.helpers import wait_for
from tests.slack_harness import SlackHarness
from tests.slack_oauth_harness import (
    OTHER,
    Installed,
    answer_tokens,
    install,
    mention,
    oauth_settings,
    oauth_world,
)

USER = "U0007"  # Globex's user who uses the Home tab
EVENT_IDS = itertools.count(1)


@pytest.fixture
async def oauth(
    make_grounded_service: ServiceFactory, database: Database
) -> AsyncIterator[Installed]:
    async with oauth_world(make_grounded_service, database) as world:
        for team in (TEAM, OTHER):
            assert (await install(world.harness, team)).status_code == 200
        yield world


async def settled(harness: SlackHarness) -> None:
    """Every piece of work the adapter took, and the work that work started, done."""
    while harness.adapter.in_flight:
        await asyncio.gather(*harness.adapter.in_flight)


async def interact(harness: SlackHarness, payload: dict[str, Any]) -> httpx.Response:
    """An interactivity payload (a click, a form submitted), signed as Slack sends it."""
    body = form_body({"payload": json.dumps(payload)})
    return await harness.post_signed(body, "application/x-www-form-urlencoded")


async def watch_everywhere(oauth: Installed) -> None:
    for team in (TEAM, OTHER):
        channel = WatchChannel("slack", team, "C0001")
        await oauth.watches.add(Watch(channel, WatchKind.APP, 1, "us", "Calculator Pro"), "U1", 1.0)


# -- tokens_revoked -----------------------------------------------------------------------


@pytest.mark.parametrize("departure", ["app_uninstalled", "tokens_revoked", "both"])
async def test_revoking_the_bot_token_leaves_as_an_uninstall_does(
    oauth: Installed, departure: str
) -> None:
    harness, slack = oauth.harness, oauth.slack
    acme = oauth.token(TEAM)
    await watch_everywhere(oauth)
    await harness.event(mention(slack, TEAM, "Facebook", "Ev0"))
    await harness.event(mention(slack, OTHER, "Facebook", "Ev1"))
    await settled(harness)
    await oauth.history.flush()
    for team in (TEAM, OTHER):
        assert await oauth.history.recent("slack", team, "U0001")  # the Home tab's scouts

    events: list[dict[str, Any]] = []
    if departure in ("tokens_revoked", "both"):  # an uninstall sends both, in either order
        events.append(slack.workspaces.revoke_tokens(OTHER, bot=True, users=("U0001",)))
    if departure in ("app_uninstalled", "both"):
        slack.workspaces.uninstall(OTHER)
        events.append({"type": "app_uninstalled"})
    for event in events:
        sent = slack.event(event, f"Ev2{event['type']}", team=OTHER)
        assert (await harness.event(sent)).status_code == 200
    await settled(harness)

    assert oauth.adapter.installations is not None
    assert await oauth.adapter.installations.teams() == [TEAM]
    remaining = await oauth.watches.all_watches(["slack"])
    assert [w.channel.workspace for w in remaining] == [TEAM]
    assert await oauth.history.recent("slack", OTHER, "U0001") == []
    assert await oauth.history.recent("slack", TEAM, "U0001")

    used, answers = len(slack.calls), len(slack.posted)
    await harness.event(mention(slack, OTHER, "Facebook", "Ev3"))
    await harness.event(mention(slack, TEAM, "Facebook", "Ev4"))
    await settled(harness)
    assert {c.token for c in slack.calls[used:]} == {acme}  # Globex's token never used again
    [answer] = slack.posted[answers:]  # Acme's; Globex hears nothing
    assert "Facebook" in answer.all_text()


async def test_revoking_only_users_tokens_changes_nothing(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    globex = oauth.token(OTHER)
    await watch_everywhere(oauth)
    event = slack.workspaces.revoke_tokens(OTHER, bot=False, users=("U0001", "U0002"))
    assert (await harness.event(slack.event(event, "Ev1", team=OTHER))).status_code == 200
    await settled(harness)

    assert oauth.adapter.installations is not None
    assert await oauth.adapter.installations.teams() == [TEAM, OTHER]
    assert len(await oauth.watches.all_watches(["slack"])) == 2
    await harness.event(mention(slack, OTHER, "Facebook", "Ev2"))
    await settled(harness)
    assert answer_tokens(slack) == [(OTHER, globex)]
    assert oauth.token(OTHER) == globex  # no new install, no rotation


# -- the Home tab's quick actions -----------------------------------------------------------


async def open_home(oauth: Installed, team: str = OTHER, user: str = USER) -> dict[str, Any]:
    opened = {"type": "app_home_opened", "user": user, "channel": "D0007", "tab": "home"}
    await oauth.harness.event(oauth.slack.event(opened, f"Home{next(EVENT_IDS)}", team))
    await settled(oauth.harness)
    return oauth.slack.home_views[(team, user)]


async def open_form(oauth: Installed, action: str) -> dict[str, Any]:
    """Click a quick action on the Home tab: the modal Slack then shows."""
    home = await open_home(oauth)
    opened, used = len(oauth.slack.modals), len(oauth.slack.calls)
    clicked = await interact(oauth.harness, home_click(home, action, OTHER, USER))
    assert clicked.status_code == 200
    await settled(oauth.harness)
    [modal] = oauth.slack.modals[opened:]
    assert modal_problem(modal) is None
    [call] = [c for c in oauth.slack.calls[used:] if c.method == "views.open"]
    assert call.token == oauth.token(OTHER)  # the workspace the click came from
    return modal


def dm_thread(slack: FakeSlack, user: str = USER) -> tuple[LiveMessage, list[LiveMessage]]:
    """The user's DM with the bot: the one message that opens it, and the replies under it."""
    dm = "D" + user[1:]
    [opener] = [m for m in slack.live.messages.values() if m.channel == dm and not m.thread_ts]
    replies = [m for m in slack.live.messages.values() if m.thread_ts == opener.ts]
    assert all(m.channel == dm for m in replies)
    return opener, replies


@pytest.mark.parametrize(
    ("action", "title", "typed", "asked", "answered"),
    [
        ("home_scout", "Scout an app", "Facebook", "/scout Facebook", "Facebook"),
        ("home_find", "Find opportunities", "Finance", "/scout find Finance", "Compare the top 3"),
        (
            "home_compare",
            "Compare apps",
            "Facebook, Webster Bank",
            "/scout compare Facebook, Webster Bank",
            "This version",
        ),
    ],
)
async def test_a_quick_action_opens_a_form_and_answers_once_in_the_users_dm(
    oauth: Installed,
    appstore: FakeAppStore,
    action: str,
    title: str,
    typed: str,
    asked: str,
    answered: str,
) -> None:
    build_market().install(appstore)  # Finance's charts, for *Find opportunities*
    harness, slack = oauth.harness, oauth.slack
    modal = await open_form(oauth, action)
    assert modal["title"]["text"] == title and modal["callback_id"] == action

    used = len(slack.calls)
    submitted = await interact(harness, submission(modal, typed, OTHER, USER))
    assert submitted.status_code == 200 and submitted.text == ""  # the form closes
    await settled(harness)
    assert {c.token for c in slack.calls[used:]} == {oauth.token(OTHER)}
    opener, [answer] = dm_thread(slack)
    assert opener.text == asked
    assert answered in answer.all_text() and not answer.streaming
    assert "Traceback" not in answer.all_text()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("   ", "Type what to scout."),  # Slack sends a required input only when it has text
        ("x" * 10_000, "That is too long: at most 300 characters."),  # past the form's limit
    ],
)
async def test_an_empty_or_overlong_entry_keeps_the_form_open_with_an_error(
    oauth: Installed, typed: str, said: str
) -> None:
    harness, slack = oauth.harness, oauth.slack
    modal = await open_form(oauth, "home_scout")
    used = len(slack.calls)
    submitted = await interact(harness, submission(modal, typed, OTHER, USER))
    await settled(harness)
    assert submitted.status_code == 200
    assert submitted.json() == {"response_action": "errors", "errors": {"quick_input": said}}
    assert slack.calls[used:] == []  # nothing posted anywhere


@pytest.mark.parametrize(
    ("action", "typed", "said"),
    [
        ("home_find", "Wizardry", "“Wizardry” is not an App Store category."),
        ("home_compare", "PCalc", "Compare takes 2 to 5 apps, not 1."),
        ("home_scout", "<!channel> " + "y" * 120, "That app name is too long"),
    ],
)
async def test_a_bad_entry_gets_a_clear_answer_in_the_dm(
    oauth: Installed, action: str, typed: str, said: str
) -> None:
    harness, slack = oauth.harness, oauth.slack
    modal = await open_form(oauth, action)
    submitted = await interact(harness, submission(modal, typed, OTHER, USER))
    assert submitted.status_code == 200 and submitted.text == ""
    await settled(harness)
    opener, [answer] = dm_thread(slack)
    assert answer.text.startswith(said)
    for message in (opener, answer):
        assert "<!channel>" not in message.all_text() and "Traceback" not in message.all_text()


# -- the Home tab after a watch changes --------------------------------------------------------


def home_watch_lines(oauth: Installed, team: str = OTHER, user: str = USER) -> list[str]:
    """What the published Home tab lists under *What this workspace watches*."""
    blocks = oauth.slack.home_views[(team, user)]["blocks"]
    heading = next(i for i, b in enumerate(blocks) if "What this workspace watches" in str(b))
    lines = []
    for block in blocks[heading + 1 :]:
        if block["type"] == "divider":
            break
        text = block.get("text") or block["elements"][0]
        lines.append(text["text"])
    return lines


async def test_the_acting_users_home_tab_shows_each_watch_change(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.slack
    await open_home(oauth)
    await open_home(oauth, user="U0008")  # a colleague's Home tab, published before
    assert home_watch_lines(oauth) == ["Nothing yet — `/scout watch Calculator Pro` in a channel."]
    who = {"team": OTHER, "user": USER, "channel": "C0042"}

    published = len(slack.tokens_used("views.publish"))
    await harness.slash("watch Facebook", **who)
    await settled(harness)
    assert home_watch_lines(oauth) == ["<#C0042>: Facebook (US)"]
    assert slack.tokens_used("views.publish")[published:] == [oauth.token(OTHER)]  # hers alone

    await harness.slash("watch gaps Utilities", **who)
    await settled(harness)
    assert home_watch_lines(oauth) == ["<#C0042>: Facebook (US), Utilities charts (US)"]

    await harness.slash("unwatch Facebook", **who)
    await settled(harness)
    assert home_watch_lines(oauth) == ["<#C0042>: Utilities charts (US)"]
    colleague = home_watch_lines(oauth, user="U0008")
    assert colleague == ["Nothing yet — `/scout watch Calculator Pro` in a channel."]  # not his


# -- Socket Mode with OAuth -------------------------------------------------------------------


async def test_a_socket_mode_worker_answers_each_workspace_with_its_own_token(
    oauth: Installed, make_grounded_service: ServiceFactory
) -> None:
    """OAuth with Socket Mode (`SLACK_APP_TOKEN`): the web process installs, a worker reads the
    installations from the database and answers over the websocket."""
    slack = oauth.slack
    settings = oauth_settings(slack, app_token=APP_TOKEN, signing_secret=None)
    worker = SlackAdapter(
        conversation_for(make_grounded_service()),
        settings,
        socket_mode=True,
        database=oauth.database,
    )
    started = await worker.start()
    try:
        assert started == "Slack as an app installed in 2 workspace(s) (OAuth) (Socket Mode)"
        await wait_for(slack.socket_connected.is_set, what="the socket")
        used = len(slack.calls)
        envelopes = [
            slack.deliver("events_api", mention(slack, OTHER, "Facebook", "Ev1")),
            slack.deliver("events_api", mention(slack, TEAM, "gaps Utilities", "Ev2")),
        ]
        await wait_for(lambda: len(slack.acks) == 2, what="the envelopes' acks")
        assert sorted(ack["envelope_id"] for ack in slack.acks) == sorted(envelopes)
        await wait_for(lambda: len(slack.posted) == 2, what="the answers")
        while worker.in_flight:
            await asyncio.gather(*worker.in_flight)
        assert sorted(answer_tokens(slack)) == [
            (TEAM, oauth.token(TEAM)),
            (OTHER, oauth.token(OTHER)),
        ]
        assert {(c.team, c.token) for c in slack.calls[used:]} == {
            (TEAM, oauth.token(TEAM)),
            (OTHER, oauth.token(OTHER)),
        }
        texts = [p.all_text() for p in slack.posted]
        assert any("Faster input" in t for t in texts) and any("Top apps now" in t for t in texts)
    finally:
        await worker.close()
