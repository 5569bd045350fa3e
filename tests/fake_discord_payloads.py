"""What the fake Discord says about its world: the bot's token, ids, the bot and its user, the
guilds that GUILD_CREATE describes (the first with the text channels tests spread commands over;
three in all, so that a sharded bot's shards each own some) — and what happens in them, as the
gateway and REST carry it: a user's message (MESSAGE_CREATE), a thread (THREAD_CREATE), an
interaction (INTERACTION_CREATE: a slash command, a click, an autocomplete), the application, and
a message the bot sent as Discord answers with it. Ids and tokens are the caller's (the fake's
snowflakes), so that they never collide with the messages the bot sends."""

from __future__ import annotations

from typing import Any

# The shape of a real token (base64 user id . timestamp . HMAC), so redaction is tested on it.
BOT_TOKEN = "MTE4NDQ3NjU0MzIxMDk4NzY1NA.GfAkEd.faketokenpartFAKETOKENpart0123456789"
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
# A guild's shard is (guild_id >> 22) % shard_count: of 2 shards GUILD_ID is on 1, OTHER_GUILD_ID
# on 0; of 3, the three guilds are on shards 1, 2 and 0.
OTHER_GUILD_ID = str(int(GUILD_ID) + (1 << 22))
THIRD_GUILD_ID = str(int(GUILD_ID) + (2 << 22))
GUILD_IDS = [GUILD_ID, OTHER_GUILD_ID, THIRD_GUILD_ID]
# Where tests talk in each guild.
HOME_CHANNELS = {
    GUILD_ID: CHANNEL_ID,
    OTHER_GUILD_ID: "900000000000000040",
    THIRD_GUILD_ID: "900000000000000050",
}
GUILD_NAMES = {GUILD_ID: "Acme", OTHER_GUILD_ID: "Beta", THIRD_GUILD_ID: "Gamma"}


def shard_of(guild_id: str | int, shard_count: int) -> int:
    """The shard that gets a guild's events, by Discord's formula."""
    return (int(guild_id) >> 22) % shard_count


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


def _text_channel(channel: str, guild_id: str, name: str, position: int) -> dict[str, Any]:
    return {
        "id": channel,
        "type": 0,
        "guild_id": guild_id,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def _channels(guild_id: str) -> list[dict[str, Any]]:
    if guild_id != GUILD_ID:
        return [_text_channel(HOME_CHANNELS[guild_id], guild_id, "general", 0)]
    read_only = _text_channel(READ_ONLY_CHANNEL, GUILD_ID, "announcements", len(CHANNEL_IDS))
    read_only["permission_overwrites"] = [
        {"id": EVERYONE_ROLE, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
    ]
    return [
        *(
            _text_channel(channel, GUILD_ID, f"channel-{position}", position)
            for position, channel in enumerate(CHANNEL_IDS)
        ),
        read_only,
    ]


def guild_create(guild_id: str = GUILD_ID) -> dict[str, Any]:
    """A guild, as GUILD_CREATE carries it."""
    return {
        "id": guild_id,
        "name": GUILD_NAMES[guild_id],
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
                "id": guild_id,  # @everyone's role has the guild's id
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
        "channels": _channels(guild_id),
        "threads": [],
        "members": [member(user(BOT_ID, "Trend Scout", bot=True))],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    }


def typing_category(subcommand: str, typed: str) -> dict[str, Any]:
    """The data of an autocomplete interaction: `/scout <subcommand>` while its category is being
    typed (Discord asks the bot for choices)."""
    option = {"type": 3, "name": "category", "value": typed, "focused": True}
    return {
        "id": "900000000000000100",
        "name": "scout",
        "type": 1,
        "options": [{"type": 1, "name": subcommand, "options": [option]}],
    }


def slash_command_data(subcommand: str, guild_id: str, values: dict[str, str]) -> dict[str, Any]:
    """The data of a `/scout <subcommand>` application command, with its string options."""
    options = [{"type": 3, "name": name, "value": value} for name, value in values.items()]
    return {
        "id": "900000000000000100",
        "name": "scout",
        "type": 1,
        "guild_id": guild_id,
        "options": [{"type": 1, "name": subcommand, "options": options}],
    }


def message(
    content: str,
    message_id: str,
    *,
    mentions_bot: bool = True,
    author_is_bot: bool = False,
    guild: bool = True,
    mention_everyone: bool = False,
    channel_id: str | None = None,  # the guild's home channel
    reply_to: str | None = None,
    guild_id: str = GUILD_ID,
) -> dict[str, Any]:
    """A user's message, as MESSAGE_CREATE carries it."""
    author = user("900000000000000031" if author_is_bot else USER_ID, "alice", author_is_bot)
    channel_id = channel_id or HOME_CHANNELS[guild_id]
    data: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id if guild else "900000000000000099",
        "author": author,
        "content": content,
        "timestamp": "2026-11-23T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": [user(BOT_ID, "Trend Scout", bot=True)] if mentions_bot else [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }
    if reply_to is not None:  # a reply: Discord also puts its author in `mentions`
        data["message_reference"] = {
            "message_id": reply_to,
            "channel_id": data["channel_id"],
            "guild_id": guild_id if guild else None,
        }
        data["type"] = 19
    if guild:
        data["guild_id"] = guild_id
        data["member"] = {k: v for k, v in member(author).items() if k != "user"}
    return data


def thread(thread_id: str, name: str, parent: str = CHANNEL_ID) -> dict[str, Any]:
    """A public thread (THREAD_CREATE); one started from a message has that message's id."""
    return {
        "id": thread_id,
        "type": 11,
        "guild_id": GUILD_ID,
        "parent_id": parent,
        "owner_id": USER_ID,
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-11-23T00:00:00.000000+00:00",
            "locked": False,
        },
        "newly_created": True,
    }


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    interaction_id: str,
    token: str,
    locale: str,  # the user's Discord language
    message: dict[str, Any] | None = None,
    guild_id: str = GUILD_ID,
) -> dict[str, Any]:
    """alice's interaction of `kind` in the guild's home channel, as INTERACTION_CREATE
    carries it (`message`: the message of the component she used)."""
    alice = user(USER_ID, "alice")
    channel = HOME_CHANNELS[guild_id]
    interaction: dict[str, Any] = {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": kind,
        "data": data,
        "guild_id": guild_id,
        "channel_id": channel,
        "channel": {"id": channel, "type": 0, "guild_id": guild_id, "name": "general"},
        "member": member(alice),
        "token": token,
        "version": 1,
        "app_permissions": "2248473465835073",
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10_485_760,
        "authorizing_integration_owners": {"0": guild_id},
        "context": 0,
    }
    if message is not None:
        interaction["message"] = message
    return interaction


def application() -> dict[str, Any]:
    """The bot's application (`GET /oauth2/applications/@me`)."""
    return {
        "id": APP_ID,
        "name": "Trend Scout",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": user(USER_ID, "alice"),
        "team": None,
    }


def bot_message(message_id: str, channel_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A message the bot sent (or edited) with `payload`, as Discord answers with it."""
    return {
        "id": message_id,
        "channel_id": channel_id,
        "author": user(BOT_ID, "Trend Scout", bot=True),
        "content": payload.get("content") or "",
        "timestamp": "2026-11-23T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": payload.get("embeds") or [],
        "components": payload.get("components") or [],
        "pinned": False,
        "type": 19 if payload.get("message_reference") else 0,
        "flags": 0,
    }
