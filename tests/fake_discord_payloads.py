"""What the fake Discord says about its world: ids, the bot and its user, and the guild that
GUILD_CREATE describes (with the text channels tests spread commands over)."""

from __future__ import annotations

from typing import Any

BOT_ID = "900000000000000001"
APP_ID = "900000000000000002"
GUILD_ID = "900000000000000010"
CHANNEL_ID = "900000000000000020"
# The guild's text channels: CHANNEL_ID and more, for tests that spread commands out.
CHANNEL_IDS = [CHANNEL_ID, *(str(900000000000001000 + i) for i in range(64))]
# A channel where @everyone (the bot included) may read but not send: posts get a 403.
READ_ONLY_CHANNEL = "900000000000000021"
SEND_MESSAGES = 1 << 11
EVERYONE_ROLE = GUILD_ID
USER_ID = "900000000000000030"


def user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": account,
        "roles": [],
        "flags": 0,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "pending": False,
        "permissions": "2248473465835073",
    }


def guild_create() -> dict[str, Any]:
    """The one guild, as GUILD_CREATE carries it."""
    return {
        "id": GUILD_ID,
        "name": "Acme",
        "icon": None,
        "owner_id": USER_ID,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "features": [],
        "mfa_level": 0,
        "system_channel_flags": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "roles": [
            {
                "id": EVERYONE_ROLE,
                "name": "@everyone",
                "permissions": "2248473465835073",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "channels": [
            {
                "id": channel,
                "type": 0,
                "guild_id": GUILD_ID,
                "name": f"channel-{position}",
                "position": position,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            }
            for position, channel in enumerate(CHANNEL_IDS)
        ]
        + [
            {
                "id": READ_ONLY_CHANNEL,
                "type": 0,
                "guild_id": GUILD_ID,
                "name": "announcements",
                "position": len(CHANNEL_IDS),
                "permission_overwrites": [
                    {"id": EVERYONE_ROLE, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
                ],
                "nsfw": False,
                "parent_id": None,
            }
        ],
        "threads": [],
        "members": [member(user(BOT_ID, "Trend Scout", bot=True))],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    }
