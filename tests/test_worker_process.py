"""`python -m bot` as a chat worker (Slack, Discord), in a real subprocess against the fakes."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.fake_appstore import FakeAppStore
from tests.fake_discord import BOT_ID as DISCORD_BOT_ID
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fake_discord import FakeDiscord
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.helpers import bot_process, free_port, run_bot, stop_cleanly, wait_until


def test_socket_mode_worker_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with (
        FakeSlack() as slack,
        FakeRouter() as router,
        FakeAppStore() as appstore,
        bot_process(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        ) as bot,
    ):
        wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
        envelope_id = slack.deliver("slash_commands", slack.slash_command("Facebook"))
        wait_until(lambda: slack.posted, what="the reply")
        assert [a["envelope_id"] for a in slack.acks] == [envelope_id]
        assert "Facebook · Opportunity analysis" in slack.posted[0].all_text()
        out = stop_cleanly(bot, signal.SIGTERM)
    assert "Trend Scout on Slack as trend-scout (Socket Mode)" in out
    assert BOT_TOKEN not in out and APP_TOKEN not in out and DEFAULT_KEY not in out
    assert "Traceback" not in out


def test_http_mode_serves_events_and_health_on_port(tmp_path: Path) -> None:
    port = free_port()
    with (
        FakeSlack() as slack,
        bot_process(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
        ) as bot,
    ):

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, what="/healthz")
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"x=1")
        assert unsigned.status_code == 401
        stop_cleanly(bot, signal.SIGINT)


def test_a_rejected_bot_token_is_one_clear_line(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        result = run_bot(
            "",
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-wrong",
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)" in output
    assert "Traceback" not in output and "xoxb-wrong" not in output


def test_a_bot_token_alone_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_bot("", tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN)
    assert result.returncode == 2
    assert "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET" in result.stderr


def test_discord_worker_replies_to_a_mention_and_stops_cleanly(tmp_path: Path) -> None:
    with (
        FakeDiscord() as discord_api,
        FakeRouter() as router,
        FakeAppStore() as appstore,
        bot_process(
            tmp_path,
            DISCORD_BOT_TOKEN=DISCORD_TOKEN,
            DISCORD_API_URL=discord_api.api_url,
            DISCORD_GATEWAY_URL=discord_api.gateway_url,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        ) as bot,
    ):
        wait_until(discord_api.identified.is_set, what="IDENTIFY")
        bot.wait_for_output("Trend Scout on Discord")  # logged once Discord is READY
        discord_api.dispatch("MESSAGE_CREATE", discord_api.message(f"<@{DISCORD_BOT_ID}> Facebook"))
        # The reply appears at once with the plan, then becomes the answer (edited in place).
        wait_until(
            lambda: discord_api.sent and "Working…" not in discord_api.sent[0].all_text(),
            what="the final reply",
        )
        assert "Facebook · Opportunity analysis" in discord_api.sent[0].all_text()
        assert len(discord_api.sent) == 1
        out = stop_cleanly(bot, signal.SIGTERM)
    assert "Trend Scout on Discord as Trend Scout" in out
    assert DISCORD_TOKEN not in out and "Traceback" not in out


def test_a_rejected_discord_token_is_one_clear_line(tmp_path: Path) -> None:
    with FakeDiscord() as discord_api:
        result = run_bot(
            "",
            tmp_path,
            DISCORD_BOT_TOKEN="wrong-token",
            DISCORD_API_URL=discord_api.api_url,
            DISCORD_GATEWAY_URL=discord_api.gateway_url,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "DISCORD_BOT_TOKEN was rejected by Discord" in output
    assert "Traceback" not in output and "wrong-token" not in output
