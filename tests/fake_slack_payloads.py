"""What the fake Slack's users send the app: a `/scout` slash command, a click on a button or on
👍/👎 under a message (`block_actions`), an @mention, a direct message, and any Events API event
in its envelope — as Slack's payloads are, from the team `TEAM` to the bot user `BOT_USER`.

A slash command's or a click's `response_url` is the fake's (`FakeSlack.new_response_url`), so
the builders that need one take it; `FakeSlack` has each of them as a method."""

from __future__ import annotations

import itertools
import time
from typing import Any

BOT_USER = "UBOT01"
TEAM = "T0001"

_ids = itertools.count(1)


def _trigger_id() -> str:
    return f"trigger.{next(_ids)}"


def slash_command(
    text: str, *, response_url: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
) -> dict[str, str]:
    return {
        "token": "deprecated-verification-token",
        "team_id": team,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "alice",
        "command": "/scout",
        "text": text,
        "api_app_id": "A0001",
        "response_url": response_url,
        "trigger_id": _trigger_id(),
    }


def button_click(
    action_id: str, value: str, *, response_url: str, user: str = "U0001"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "name": "alice"},
        "api_app_id": "A0001",
        "channel": {"id": "C0001", "name": "general"},
        "container": {"type": "message", "channel_id": "C0001", "message_ts": "1.1"},
        "trigger_id": _trigger_id(),
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "scout_actions",
                "value": value,
                "text": {"type": "plain_text", "text": "x"},
                "action_ts": str(time.time()),
            }
        ],
    }


def mention(text: str, event_id: str, user: str = "U0001") -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts,
            "channel": "C0001",
            "event_ts": ts,
        },
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def direct_message(text: str, event_id: str, user: str = "U0001") -> dict[str, Any]:
    """A `message.im` event: a user writing to the bot in their DM with it."""
    envelope = mention(text, event_id, user)
    envelope["event"].update(type="message", text=text, channel="D0001", channel_type="im")
    return envelope


def event(event: dict[str, Any], event_id: str, team: str = TEAM) -> dict[str, Any]:
    """An Events API envelope around `event`, from `team`."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }


def feedback_click(
    value: str, *, response_url: str, user: str = "U0001", team: str = TEAM, channel: str = "C0001"
) -> dict[str, Any]:
    """A click on a `feedback_buttons` element (👍 or 👎) under a message."""
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "name": "alice", "team_id": team},
        "api_app_id": "A0001",
        "channel": {"id": channel, "name": "general"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
        "trigger_id": _trigger_id(),
        "response_url": response_url,
        "actions": [
            {
                "type": "feedback_buttons",
                "action_id": "scout_feedback",
                "block_id": "scout_feedback",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
