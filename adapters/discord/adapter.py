"""Discord adapter on discord.py: @mention replies, a `/scout` application command and buttons.

Named `discord_bot` so that it never shadows the `discord` library. Non-privileged intents only:
a message that mentions the bot carries its content without the message-content intent, and so
does every DM. Every send carries `AllowedMentions.none()` and replies never ping their author.
`DISCORD_API_URL` and `DISCORD_GATEWAY_URL` move REST and the gateway (proxies, tests): discord.py
reads them from class attributes, so they are set for the whole process.

Several workers: each runs the shards its settings plan (`DiscordSettings.shard_plan`; Discord
sends a server's events to the one session of its shard), and every message and interaction is
claimed in the shared `claims` ledger first, so that one worker answers it even while two plans
overlap (a scale change) or no plan is set at all.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.channels import DiscordChannelPoster
from adapters.discord.commands import scout_commands
from adapters.discord.markup import VoteButton, render
from adapters.discord.outbox import (
    NO_PINGS,
    DiscordReply,
    InteractionReply,
    MentionReply,
    ScoutButton,
    channel_edits,
)
from adapters.port import LOOP_CLOCK, Adapter, Clock, StartupError
from bot.cache import DeliveryLedger, MemoryDeliveryLedger
from bot.config import ConfigError, DiscordSettings
from bot.database import JournalEntry
from bot.feedback import FeedbackStore, Vote, receipt
from bot.intake import Conversation, Incoming, Outbox, Turn
from bot.report import Report
from bot.views import reply_view

log = logging.getLogger(__name__)

READY_SECONDS = 60


class ScoutClient(discord.Client):
    """One unsharded gateway session: Discord sends it every server's events."""

    def __init__(
        self,
        adapter: DiscordAdapter,
        guild_ids: Sequence[int],
        guild_ready_timeout: float = 2.0,
        **shards: Any,  # shard_ids and shard_count, for ShardedScoutClient
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        super().__init__(
            intents=intents,
            allowed_mentions=NO_PINGS,
            guild_ready_timeout=guild_ready_timeout,
            **shards,
        )
        self.adapter = adapter
        self.guild_ids = list(guild_ids)
        self.tree = ScoutTree(self, adapter)
        self.tree.add_command(scout_commands(adapter))
        self.commands_synced = asyncio.Event()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ScoutButton, VoteButton)
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

    def shard_health(self) -> dict[int, bool]:
        """Whether each planned shard's session is open; empty when unsharded."""
        return {}


class ShardedScoutClient(ScoutClient, discord.AutoShardedClient):
    """The shards of a plan: discord.py's AutoShardedClient identifies each with
    `[shard_id, shard_count]` (one IDENTIFY per 5 s) and reads them all into one client."""

    @property
    def planned(self) -> list[int]:
        return list(self.shard_ids or range(self.shard_count or 0))

    def shard_health(self) -> dict[int, bool]:
        return {
            i: (shard := self.get_shard(i)) is not None and not shard.is_closed()
            for i in self.planned
        }


class ScoutTree(app_commands.CommandTree[Any]):
    """The `/scout` commands. An autocomplete is answered by whichever worker claims it first;
    commands and buttons are claimed in `DiscordAdapter.on_slash`."""

    def __init__(self, client: discord.Client, adapter: DiscordAdapter) -> None:
        super().__init__(client)
        self.adapter = adapter

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.type is discord.InteractionType.autocomplete:
            return await self.adapter.first_time("interaction", interaction.id)
        return True


class DiscordAdapter(Adapter):
    name = "Discord"
    platform = "discord"
    reply_window = 15 * 60  # an interaction token takes follow-ups for 15 minutes

    def __init__(
        self,
        conversation: Conversation,
        settings: DiscordSettings,
        guild_ready_timeout: float = 2.0,
        *,
        clock: Clock = LOOP_CLOCK,  # where live replies and their budgets read the time
        claims: DeliveryLedger | None = None,  # shared by the workers; else this process's
        feedback: FeedbackStore | None = None,  # 👍/👎 under answers, when set
    ) -> None:
        super().__init__(conversation)
        self.feedback = feedback
        self.settings = settings
        self.clock = clock
        self.claims = claims or MemoryDeliveryLedger()
        # discord.py reads these class attributes on every request and connection.
        discord.http.Route.BASE = settings.api_url
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
        guild_ids = sorted(int(g) for g in settings.guild_ids)
        if settings.sharded:  # with `auto`, the plan is settled once Discord is asked
            plan = None if settings.shard_count == "auto" else settings.shard_plan()
            self.client: ScoutClient = ShardedScoutClient(
                self,
                guild_ids,
                guild_ready_timeout,
                shard_ids=list(plan.ids) if plan and plan.ids is not None else None,
                shard_count=plan.count if plan else None,
            )
        else:
            self.client = ScoutClient(self, guild_ids, guild_ready_timeout)
        self._connection: asyncio.Task[None] | None = None
        self.edits = channel_edits(clock)  # shared by the live replies in each channel

    async def _connect(self) -> None:
        """Log in, settle an `auto` shard plan on Discord's recommended count, then keep the
        gateway sessions until closed."""
        client = self.client
        await client.login(self.settings.bot_token or "")
        if isinstance(client, ShardedScoutClient) and self.settings.shard_count == "auto":
            recommended, _url, _limits = await client.http.get_bot_gateway()
            try:
                plan = self.settings.shard_plan(recommended)
            except ConfigError as exc:
                raise StartupError(str(exc)) from None
            assert plan is not None  # sharded settings always have a plan
            client.shard_count = plan.count
            client.shard_ids = list(plan.ids) if plan.ids is not None else None
        await client.connect()

    # -- the Adapter interface -----------------------------------------------------------
    async def start(self) -> str:
        self._connection = asyncio.create_task(self._connect())
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _pending = await asyncio.wait(
            {self._connection, ready}, timeout=READY_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            problem = self._connection.exception() if self._connection in done else None
            await self.close()
            if isinstance(problem, StartupError):
                raise problem
            if isinstance(problem, discord.LoginFailure):
                raise StartupError("DISCORD_BOT_TOKEN was rejected by Discord")
            reason = type(problem).__name__ if problem else f"no READY in {READY_SECONDS} s"
            raise StartupError(f"Discord could not be reached ({reason})")
        client = self.client
        if isinstance(client, ShardedScoutClient):
            shards = ",".join(str(i) for i in client.planned)
            return f"Discord as {client.user} (shards {shards} of {client.shard_count})"
        return f"Discord as {client.user}"

    async def health(self) -> dict[str, bool]:
        shards = self.client.shard_health()
        return {"discord": self.connected, **{f"discord_shard_{i}": up for i, up in shards.items()}}

    async def close(self) -> None:
        await self.client.close()
        if self._connection is not None:
            await asyncio.wait({self._connection}, timeout=10)

    @property
    def connected(self) -> bool:
        client = self.client
        if not client.is_ready() or client.is_closed():
            return False
        shards = client.shard_health()
        if shards:
            return all(shards.values())
        return client.ws is not None and client.ws.open

    async def first_time(self, kind: str, event_id: int) -> bool:
        """Claim a message or an interaction for this worker: False (logged at DEBUG) when
        another worker — or this one — already has it."""
        if await self.claims.first_time(f"discord:{kind}:{event_id}"):
            return True
        log.debug("Discord %s %s was claimed by another worker: ignored", kind, event_id)
        return False

    # -- events --------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user
        if message.author.bot or me is None:
            return
        if message.guild is not None and me not in message.mentions:
            return  # @everyone, @here and roles do not count
        # Claimed after the checks above, which every worker decides alike: a server's other
        # messages cost no write to the shared ledger.
        if not await self.first_time("message", message.id):
            return
        where, place = _places(message)
        incoming = Incoming(
            "discord",
            str(message.author.id),
            re.sub(rf"<@!?{me.id}>", " ", message.content),
            workspace=str(message.guild.id) if message.guild else None,
            channel=str(message.channel.id),
            place=where,
            plain_language=message.guild is None,  # a DM: plain language from the first message
            address={"message": str(message.id), **_place(place)},
            # A message carries no user's language: its server's, where there is one.
            locale=str(message.guild.preferred_locale.value) if message.guild else None,
        )
        await self.intake.accept(incoming, MentionArrival(self, message, place))

    async def on_slash(self, interaction: discord.Interaction[Any], text: str) -> None:
        """A `/scout` command or (through `on_button`) a button, once across workers."""
        if not await self.first_time("interaction", interaction.id):
            return
        incoming = Incoming(
            "discord",
            str(interaction.user.id),
            text,
            workspace=str(interaction.guild.id) if interaction.guild else None,
            channel=str(interaction.channel_id) if interaction.channel_id else None,
            address={"application": str(interaction.application_id), "token": interaction.token},
            locale=str(interaction.locale.value),  # the user's Discord language
        )
        arrival = InteractionArrival(interaction, self.clock, self.feedback is not None)
        await self.intake.accept(incoming, arrival)

    async def on_button(self, interaction: discord.Interaction[Any], text: str) -> None:
        await self.on_slash(interaction, text)

    async def on_vote(self, interaction: discord.Interaction[Any], vote: str, answer: str) -> None:
        """👍/👎 under an answer, once across workers: stored, and the voter alone told (an
        ephemeral interaction response)."""
        if not await self.first_time("interaction", interaction.id):
            return
        chosen = Vote(vote)
        if self.feedback is None:
            text = "Votes are not kept by this bot."
        else:
            workspace = str(interaction.guild.id) if interaction.guild else None
            try:
                result = await self.feedback.vote(
                    answer, "discord", workspace, str(interaction.user.id), chosen
                )
                text = receipt(result, chosen)
            except Exception as exc:
                log.warning("a vote was not recorded (%s)", type(exc).__name__)
                text = "Your vote could not be recorded just now — please try again in a minute."
        await interaction.response.send_message(text, ephemeral=True)

    def dress(self, reply: DiscordReply) -> DiscordReply:
        reply.feedback = self.feedback is not None
        return reply

    # -- trend watch and recovery --------------------------------------------------------
    def channel_poster(self) -> DiscordChannelPoster:
        return DiscordChannelPoster(self.client)

    def recovered_outbox(self, turn: Turn, entry: JournalEntry) -> Outbox | None:
        address = entry.address
        if address.get("token") and address.get("application"):
            webhook = discord.Webhook.from_state(
                {"id": int(address["application"]), "type": 3, "token": address["token"]},
                state=self.client._connection,
            )
            return self.dress(
                InteractionReply(webhook, turn, private=False, taken_over=True, clock=self.clock)
            )
        if address.get("channel") and address.get("message"):
            channel = self.client.get_partial_messageable(int(address["channel"]))
            reply = MentionReply(
                channel.get_partial_message(int(address["message"])),
                turn,
                self.edits,
                address.get("place"),
                clock=self.clock,
            )
            if address.get("live_message"):
                reply.take_over(channel.get_partial_message(int(address["live_message"])))
            return self.dress(reply)
        return None


def _places(message: discord.Message) -> tuple[str | None, str | None]:
    """Where a message continues a conversation, and where its reply will be continued: a DM
    and a thread as a whole; in a channel, the bot's message it replies to, and the reply."""
    if message.guild is None:
        return f"dm:{message.channel.id}", f"dm:{message.channel.id}"
    if isinstance(message.channel, discord.Thread):  # a thread started from an answer has
        return f"msg:{message.channel.id}", f"msg:{message.channel.id}"  # the answer's id
    reference = message.reference.message_id if message.reference is not None else None
    return (f"msg:{reference}" if reference else None), None


def _place(place: str | None) -> dict[str, str]:
    return {"place": place} if place is not None else {}


class MentionArrival:
    """A mention or a DM: nothing to acknowledge; the reply answers the message at once with
    the plan, then becomes the answer."""

    def __init__(
        self, adapter: DiscordAdapter, message: discord.Message, place: str | None
    ) -> None:
        self._adapter, self._message, self._place = adapter, message, place

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        if turn is None and at_once is not None:  # nothing to answer from: say it plainly
            await self._message.reply(at_once.text, mention_author=False, allowed_mentions=NO_PINGS)
            return True
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        intake = self._adapter.intake

        async def opened(message_id: int) -> None:
            await intake.note_live(entry, live_message=str(message_id))

        adapter = self._adapter
        return adapter.dress(
            MentionReply(
                self._message, turn, adapter.edits, self._place, opened, clock=adapter.clock
            )
        )


class InteractionArrival:
    """A `/scout` command or a button: deferred within 3 s (or answered privately at once);
    the deferred response shows the progress and becomes the answer."""

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        clock: Clock = LOOP_CLOCK,
        feedback: bool = False,
    ) -> None:
        self._interaction = interaction
        self._clock = clock
        self._feedback = feedback

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        response = self._interaction.response
        if at_once is not None:
            [first, *_] = render(reply_view(at_once))
            await response.send_message(embeds=first.embeds, ephemeral=True)
            return True
        await response.defer(thinking=True)
        return False

    def outbox(self, turn: Turn, entry: JournalEntry | None) -> Outbox:
        reply = InteractionReply(self._interaction.followup, turn, private=False, clock=self._clock)
        reply.feedback = self._feedback
        return reply
