"""The Slack app manifest declares exactly what the adapter uses."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.slack.oauth import BOT_SCOPES
from tests.helpers import ROOT


def manifest() -> Any:
    return yaml.safe_load((ROOT / "slack-manifest.yml").read_text())


def test_manifest_has_the_command_scopes_events_and_socket_mode() -> None:
    m = manifest()
    [command] = m["features"]["slash_commands"]
    assert command["command"] == "/scout"
    assert command["should_escape"] is False  # the bot reads raw text and links
    assert set(m["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",  # direct messages to the bot
        # conversations.info: whether trend watch alerts can be posted in a channel
        "channels:read",
        "groups:read",
        "im:read",
        "files:write",  # charts: files.getUploadURLExternal / completeUploadExternal
        "assistant:write",  # the assistant's suggested prompts, thread titles and status
        "users:read",  # users.info: each user's locale, for answers in their language
    } == set(BOT_SCOPES)  # what "Add to Slack" asks for
    assert m["settings"]["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.im",
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "assistant_thread_started",
        "assistant_thread_context_changed",
    ]
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert m["settings"]["interactivity"]["is_enabled"] is True  # the buttons
    assert m["settings"]["socket_mode_enabled"] is True
    assert len(m["display_information"]["description"]) <= 140  # Slack's limit
