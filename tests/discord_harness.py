"""The Discord adapter on the real discord.py client against the fake Discord: the
`discord_harness` fixture (registered for every test module by conftest).

With the `manual_clock` option, live replies pace themselves on a `ManualClock` (`.clock`) and the
fake keeps its time on it too (when it took each edit, its rate-limit buckets): time then passes
only as the test moves it, e.g. by `replied_on_the_clock`.

`fake_settings`, `start_adapter` and `stop_adapter` are its pieces, for tests that start several
adapters (workers) against one fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from adapters.port.live import LOOP_CLOCK, Clock
from bot.cache import DeliveryLedger
from bot.config import DiscordSettings
from bot.intake import Conversation
from tests import fake_discord, fake_discord_limits
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_discord import BOT_ID, BOT_TOKEN, GUILD_ID, FakeDiscord
from tests.helpers import ManualClock, wait_for


def fake_settings(fake: FakeDiscord, **sharding: Any) -> DiscordSettings:
    """An adapter's settings for `fake`, commands synced to its first guild; `sharding`: the
    shard fields (shard_count, shard_ids, worker_number, worker_count)."""
    return DiscordSettings(
        bot_token=BOT_TOKEN,
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guild_ids=frozenset({GUILD_ID}),
        **sharding,
    )


async def start_adapter(
    conversation: Conversation,
    settings: DiscordSettings,
    *,
    claims: DeliveryLedger | None = None,
    clock: Clock = LOOP_CLOCK,
) -> DiscordAdapter:
    """A started adapter (READY on each of its shards) whose commands are synced."""
    adapter = DiscordAdapter(
        conversation, settings, guild_ready_timeout=0.1, clock=clock, claims=claims
    )
    description = await adapter.start()
    assert description.startswith("Discord as Trend Scout"), description
    await asyncio.wait_for(adapter.client.commands_synced.wait(), 10)
    return adapter


async def stop_adapter(adapter: DiscordAdapter) -> None:
    """Let its replies finish, then close it."""
    await asyncio.gather(*adapter.in_flight, return_exceptions=True)
    await adapter.close()


class DiscordHarness:
    def __init__(
        self, fake: FakeDiscord, adapter: DiscordAdapter, clock: ManualClock | None = None
    ) -> None:
        self.fake = fake
        self.adapter = adapter
        self.clock = clock  # with the `manual_clock` option

    def replied(self) -> bool:
        """Something was sent and no reply is still being made: the replies are final."""
        return bool(self.fake.sent) and not self.adapter.in_flight

    async def replied_on_the_clock(self) -> None:
        """Wait until `replied`, moving the manual clock meanwhile to each moment a live reply
        waits for: no time passes but what pacing waits out, so each draw lands on its
        deadline."""
        clock = self.clock
        assert clock is not None, "the harness needs the manual_clock option"
        while True:
            await wait_for(
                lambda: self.replied() or clock.sleepers, within=20, what="a reply or a wait"
            )
            if self.replied():
                break
            await clock.advance(clock.sleepers[0] - clock.now)

    def mention(self, text: str, **options: Any) -> dict[str, Any]:
        message = self.fake.message(f"<@{BOT_ID}> {text}", **options)
        self.fake.dispatch("MESSAGE_CREATE", message)
        return message

    def slash(self, subcommand: str, **values: str) -> dict[str, Any]:
        interaction = self.fake.slash_command(subcommand, **values)
        self.fake.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    def click(self, custom_id: str) -> dict[str, Any]:
        """A button press on one of the bot's messages; Discord sends the message with its
        components, from which discord.py re-creates the button."""
        message = self.fake.message("", mentions_bot=False, author_is_bot=True)
        message["author"]["id"] = BOT_ID
        message["components"] = [
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "label": "x", "custom_id": custom_id}],
            }
        ]
        interaction = self.fake.interaction(
            3, {"custom_id": custom_id, "component_type": 2}, message=message
        )
        self.fake.dispatch("INTERACTION_CREATE", interaction)
        return interaction


@pytest.fixture
async def discord_harness(
    make_grounded_service: ServiceFactory,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[DiscordHarness]:
    # conversation_for's options, "router", "heartbeat_interval_ms" and "manual_clock"
    options = dict(getattr(request, "param", {}))
    router_settings = options.pop("router", {})
    clock = ManualClock() if options.pop("manual_clock", False) else None
    if clock is not None:  # the fake's `time.monotonic()` and `time.time()` read the test's clock
        fake_time = SimpleNamespace(monotonic=clock, time=clock)
        monkeypatch.setattr(fake_discord, "time", fake_time)
        monkeypatch.setattr(fake_discord_limits, "time", fake_time)
    with FakeDiscord() as fake:
        fake.heartbeat_interval_ms = options.pop("heartbeat_interval_ms", 41_250)
        adapter = await start_adapter(
            conversation_for(make_grounded_service(**router_settings), **options),
            fake_settings(fake),
            clock=clock or LOOP_CLOCK,
        )
        assert adapter.client.user is not None and str(adapter.client.user) == "Trend Scout"
        yield DiscordHarness(fake, adapter, clock)
        await stop_adapter(adapter)
