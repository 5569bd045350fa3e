"""The fake Slack's channels, as `conversations.info` describes them and as `chat.postMessage`
enforces them: a bot may post in a public or private channel only as a member
(`not_in_channel`), in a DM always; an unknown id is `channel_not_found`."""

from __future__ import annotations

from typing import Any


class ChannelDirectory:
    def __init__(self) -> None:
        self.outside: set[str] = set()  # channels the bot has not been invited to
        self.missing: set[str] = set()  # ids that are no channel at all (deleted)

    def problem(self, channel: str) -> str | None:
        """Why the bot may not post in `channel`, as Slack's error code; None when it may."""
        if channel in self.missing:
            return "channel_not_found"
        if channel in self.outside:
            return "not_in_channel"
        return None

    def info(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body of `conversations.info` (scope channels:read / groups:read / im:read)."""
        channel = str(body.get("channel") or "")
        if not channel or channel in self.missing:
            return {"ok": False, "error": "channel_not_found"}
        is_im = channel.startswith("D")
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "is_channel": channel.startswith("C"),
                "is_im": is_im,
                "is_member": False if is_im else channel not in self.outside,
                "is_archived": False,
            },
        }
