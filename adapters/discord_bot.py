"""Discord adapter on discord.py: @mention replies, a `/scout` application command and buttons.

Named `discord_bot` so that it never shadows the `discord` library. Non-privileged intents only:
a message that mentions the bot carries its content without the message-content intent, and so
does every DM. Every send carries `AllowedMentions.none()` and replies never ping their author.
`DISCORD_API_URL` and `DISCORD_GATEWAY_URL` move REST and the gateway (proxies, tests): discord.py
reads them from class attributes, so they are set for the whole process.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord_embeds import DiscordMessage, render
from bot.appstore.categories import GENRE_IDS
from bot.commands import Command, UsageError, clean_text, parse
from bot.config import Settings
from bot.report import Report, ReportKind
from bot.runtime.request_scope import Caller
from bot.service import RecommendationService
from bot.state.user_limits import UserLimiter, limit_message

log = logging.getLogger(__name__)

RESTARTING = "Trend Scout is restarting — try again in a few seconds."

NO_PINGS = discord.AllowedMentions.none()
CUSTOM_ID_MAX = 100
BUTTON_LABELS = {"gaps": "Market gaps", "build": "Build guide", "refresh": "Refresh"}
Send = Callable[[DiscordMessage, discord.ui.View | None], Awaitable[None]]


class ScoutButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"scout:(?P<verb>gaps|build|refresh):(?P<argument>.+)",
):
    """A follow-up button whose custom id carries its whole command, so it keeps working after
    a restart (discord.py re-creates it from the id)."""

    def __init__(self, verb: str, argument: str) -> None:
        style = discord.ButtonStyle.secondary if verb == "refresh" else discord.ButtonStyle.primary
        super().__init__(
            discord.ui.Button(
                label=BUTTON_LABELS[verb], style=style, custom_id=f"scout:{verb}:{argument}"
            )
        )
        self.verb = verb
        self.argument = argument

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ScoutButton:
        return cls(match["verb"], match["argument"])

    @property
    def command_text(self) -> str:
        return self.argument if self.verb == "refresh" else f"{self.verb} {self.argument}"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        assert isinstance(client, ScoutClient)
        await client.adapter.on_button(interaction, self.command_text)


def buttons_for(report: Report, command_text: str) -> discord.ui.View | None:
    if report.is_reply_private:
        return None
    candidates: list[tuple[str, str]] = []
    category = report.subject if report.kind is ReportKind.GAPS else None
    if report.app is not None and report.app.category:
        category = report.app.category
    if category and report.kind is not ReportKind.GAPS:
        candidates.append(("gaps", category))
    if report.kind is ReportKind.ANALYSIS:
        target = f"id:{report.app.track_id}" if report.app is not None else report.subject
        candidates.append(("build", target))
    if command_text:
        candidates.append(("refresh", f"{command_text} --fresh"))
    view = discord.ui.View(timeout=None)
    for verb, argument in candidates:
        if len(f"scout:{verb}:{argument}") <= CUSTOM_ID_MAX:  # else the button is left out
            view.add_item(ScoutButton(verb, argument))
    return view if view.children else None


class ScoutClient(discord.Client):
    def __init__(
        self, adapter: DiscordAdapter, guild_ids: Sequence[int], guild_ready_timeout: float = 2.0
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        super().__init__(
            intents=intents, allowed_mentions=NO_PINGS, guild_ready_timeout=guild_ready_timeout
        )
        self.adapter = adapter
        self.guild_ids = list(guild_ids)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(scout_commands(adapter))
        self.commands_synced = asyncio.Event()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ScoutButton)
        if self.guild_ids:  # instant in those guilds; global commands take up to an hour
            for guild_id in self.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self.commands_synced.set()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)


def scout_commands(adapter: DiscordAdapter) -> app_commands.Group:
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

    @group.command(name="build", description="Technical guidance to build a competitor")
    @app_commands.describe(name="App name, App Store link, or id:123")
    async def build(interaction: discord.Interaction[Any], name: str) -> None:
        await adapter.on_slash(interaction, f"build {name}")

    @group.command(name="help", description="How to use Trend Scout")
    async def help_command(interaction: discord.Interaction[Any]) -> None:
        await adapter.on_slash(interaction, "help")

    return group


class DiscordAdapter:
    def __init__(
        self,
        service: RecommendationService,
        settings: Settings,
        limiter: UserLimiter,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self.service = service
        self.settings = settings
        self.limiter = limiter
        # discord.py reads these class attributes on every request and connection.
        discord.http.Route.BASE = settings.discord_api_url
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        self.client = ScoutClient(
            self, sorted(int(g) for g in settings.discord_guild_ids), guild_ready_timeout
        )
        self.in_flight: set[asyncio.Task[None]] = set()
        self.accepting = True  # False while shutting down: no new commands

    async def start(self) -> None:
        await self.client.start(self.settings.discord_bot_token or "")

    async def close(self) -> None:
        await self.client.close()

    @property
    def connected(self) -> bool:
        client = self.client
        return (
            client.is_ready()
            and not client.is_closed()
            and client.ws is not None
            and client.ws.open
        )

    # -- events --------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user
        if message.author.bot or me is None:
            return
        is_dm = message.guild is None
        if not is_dm and me not in message.mentions:  # @everyone, @here and roles do not count
            return
        if not self.accepting:
            await message.reply(RESTARTING, mention_author=False, allowed_mentions=NO_PINGS)
            return
        text = clean_text(re.sub(rf"<@!?{me.id}>", " ", message.content))
        parsed = parse(text)
        refusal = await self._refusal(message.guild, message.author.id, parsed)

        replied = False

        async def send(reply: DiscordMessage, view: discord.ui.View | None) -> None:
            # The first message replies to the mention; a long answer continues below it.
            nonlocal replied
            options: dict[str, Any] = {
                "content": reply.content,
                "embeds": reply.embeds,
                "view": view or discord.utils.MISSING,
                "allowed_mentions": NO_PINGS,
            }
            if not replied:
                await message.reply(mention_author=False, **options)
                replied = True
            else:
                await message.channel.send(**options)

        if refusal is not None:
            await send(DiscordMessage(content=refusal), None)
            return
        async with message.channel.typing():
            await self._answer(parsed, text, Caller("discord", str(message.author.id)), send)

    async def on_slash(self, interaction: discord.Interaction[Any], text: str) -> None:
        if not self.accepting:
            await interaction.response.send_message(RESTARTING, ephemeral=True)
            return
        parsed = parse(text)
        refusal = await self._refusal(interaction.guild, interaction.user.id, parsed)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        private = not isinstance(parsed, Command) or not parsed.is_lookup
        await interaction.response.defer(thinking=True, ephemeral=private)
        caller = Caller("discord", str(interaction.user.id))
        await self._answer(parsed, text, caller, _follow_up(interaction, private))

    async def on_button(self, interaction: discord.Interaction[Any], text: str) -> None:
        await self.on_slash(interaction, text)

    # -- the one path every command takes ------------------------------------------------
    async def _answer(
        self, parsed: Command | UsageError, text: str, caller: Caller, send: Send
    ) -> None:
        """Produce the Report and deliver it: exactly one reply, continued if it is long."""
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            report = await self.service.handle(parsed, caller)
            messages = render(report)
            view = buttons_for(report, text if isinstance(parsed, Command) else "")
            for index, reply in enumerate(messages):
                last = index == len(messages) - 1
                await self._deliver(reply, view if last else None, send)
        except Exception:
            log.exception("Discord reply failed")
            notice = DiscordMessage(content="Sorry — something went wrong sending that reply.")
            try:
                await send(notice, None)
            except Exception:
                log.exception("could not tell the user that the reply failed")
        finally:
            if task is not None:
                self.in_flight.discard(task)

    async def _deliver(
        self, reply: DiscordMessage, view: discord.ui.View | None, send: Send
    ) -> None:
        try:
            await send(reply, view)
        except discord.HTTPException as exc:
            if exc.status != 400:
                raise
            log.warning("Discord refused the reply (%s); sending it as plain text", exc.code)
            text = "\n\n".join(e.description or "" for e in reply.embeds).strip() or "—"
            await send(DiscordMessage(content=text[:1999]), None)

    async def _refusal(
        self, guild: discord.Guild | None, user_id: int, parsed: Command | UsageError
    ) -> str | None:
        allowed = self.settings.discord_allowed_guild_ids
        if allowed and (guild is None or str(guild.id) not in allowed):
            return "Trend Scout is not enabled for this server."
        needs_work = isinstance(parsed, Command) and parsed.is_lookup
        if needs_work and (wait := await self.limiter.admit(f"discord:{user_id}")):
            return limit_message(self.limiter.per_minute, wait)
        return None


def _follow_up(interaction: discord.Interaction[Any], private: bool) -> Send:
    async def send(reply: DiscordMessage, view: discord.ui.View | None) -> None:
        await interaction.followup.send(
            content=reply.content or discord.utils.MISSING,
            embeds=reply.embeds,
            view=view or discord.utils.MISSING,
            ephemeral=private,
            allowed_mentions=NO_PINGS,
        )

    return send
