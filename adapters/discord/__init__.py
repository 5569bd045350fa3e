"""Discord: discord.py"s events → `Incoming`, replies as embeds with buttons."""

from adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
