"""The `/scout` application command group: one subcommand per verb of the grammar, each sent on
as the text a mention would carry (categories offered as the user types)."""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord import app_commands

from bot.appstore import GENRE_IDS


class SlashHandler(Protocol):
    async def on_slash(self, interaction: discord.Interaction[Any], text: str) -> None: ...


def scout_commands(adapter: SlashHandler) -> app_commands.Group:
    group = app_commands.Group(name="scout", description="Scout App Store opportunities")

    @group.command(name="app", description="Opportunity analysis of an App Store app")
    @app_commands.describe(name="App name, App Store link, or id:123")
    async def app(interaction: discord.Interaction[Any], name: str) -> None:
        await adapter.on_slash(interaction, name)

    @group.command(name="gaps", description="Market gaps in an App Store category")
    @app_commands.describe(category="App Store category")
    async def gaps(interaction: discord.Interaction[Any], category: str) -> None:
        await adapter.on_slash(interaction, f"gaps {category}")

    @gaps.autocomplete("category")
    async def categories(
        _interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        folded = current.casefold()
        names = [name for name in sorted(GENRE_IDS) if folded in name.casefold()]
        return [app_commands.Choice(name=name, value=name) for name in names[:25]]

    @group.command(name="find", description="The best opportunities in a category, ranked")
    @app_commands.describe(category="App Store category", price="Only free or only paid apps")
    @app_commands.choices(
        price=[app_commands.Choice(name=p, value=p) for p in ("free", "paid")]
    )
    async def find(
        interaction: discord.Interaction[Any],
        category: str,
        price: app_commands.Choice[str] | None = None,
    ) -> None:
        flag = f" --{price.value}" if price is not None else ""
        await adapter.on_slash(interaction, f"find {category}{flag}")

    find.autocomplete("category")(categories)

    @group.command(name="build", description="Technical guidance to build a competitor")
    @app_commands.describe(name="App name, App Store link, or id:123")
    async def build(interaction: discord.Interaction[Any], name: str) -> None:
        await adapter.on_slash(interaction, f"build {name}")

    @group.command(name="watch", description="Alerts in this channel when an app or category moves")
    @app_commands.describe(what="App name, link or id:123 — or gaps <category>")
    async def watch(interaction: discord.Interaction[Any], what: str) -> None:
        await adapter.on_slash(interaction, f"watch {what}")

    @group.command(name="unwatch", description="Stop watching an app or category here")
    @app_commands.describe(what="App name or id:123 — or gaps <category>")
    async def unwatch(interaction: discord.Interaction[Any], what: str) -> None:
        await adapter.on_slash(interaction, f"unwatch {what}")

    @group.command(name="watching", description="What this channel watches, or one app's history")
    @app_commands.describe(app="A watched app: its ratings, reviews and rank over the weeks")
    async def watching(interaction: discord.Interaction[Any], app: str | None = None) -> None:
        await adapter.on_slash(interaction, f"watching {app}" if app else "watching")

    @group.command(name="help", description="How to use Trend Scout")
    async def help_command(interaction: discord.Interaction[Any]) -> None:
        await adapter.on_slash(interaction, "help")

    return group
