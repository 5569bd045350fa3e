"""Discord on several workers: each mention and each interaction is answered once — by the shard
plan (Discord sends a server's events to the one session of its shard) and by the claim every
worker takes in the shared ledger first (for no plan, or two plans overlapping during a scale
change). Each worker is a `DiscordAdapter` with its own discord.py client, all in this process
against one fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from adapters.port import StartupError
from bot.cache import DeliveryLedger, MemoryDeliveryLedger
from bot.database import Database, DatabaseEventClaims
from tests.conftest import ServiceFactory, conversation_for
from tests.discord_harness import fake_settings, start_adapter, stop_adapter
from tests.fake_discord import GUILD_ID, FakeDiscord, SentMessage
from tests.fake_discord_payloads import GUILD_IDS, OTHER_GUILD_ID, shard_of, typing_category
from tests.helpers import wait_for

APP_TITLE = "Facebook · Opportunity analysis"


class Witness:
    """A worker's claims ledger, noting what it answered the worker, key by key."""

    def __init__(self, ledger: DeliveryLedger) -> None:
        self.ledger = ledger
        self.answers: dict[str, bool] = {}

    async def first_time(self, delivery_id: str) -> bool:
        won = await self.ledger.first_time(delivery_id)
        self.answers[delivery_id] = won
        return won


class Workers:
    """Adapters started against one fake, each with its `Witness` of the claims."""

    def __init__(self, fake: FakeDiscord, make_service: ServiceFactory) -> None:
        self.fake = fake
        self.make_service = make_service
        self.adapters: list[DiscordAdapter] = []
        self.witnesses: list[Witness] = []

    async def start(self, claims: DeliveryLedger | None = None, **sharding: Any) -> DiscordAdapter:
        """One more worker; `claims`: the ledger it shares (else one of its own)."""
        witness = Witness(claims or MemoryDeliveryLedger())
        adapter = await start_adapter(
            conversation_for(self.make_service()),
            fake_settings(self.fake, **sharding),
            claims=witness,
        )
        self.adapters.append(adapter)
        self.witnesses.append(witness)
        return adapter

    def idle(self) -> bool:
        return not any(adapter.in_flight for adapter in self.adapters)

    def saw(self, key: str) -> list[int]:
        """The workers (by index) that received the event of `key`."""
        return [i for i, witness in enumerate(self.witnesses) if key in witness.answers]

    async def mention(self, expected: int, **options: Any) -> tuple[str, list[Any]]:
        """A mention (or, with guild=False, a DM); once the `expected` workers had it and the
        answer is final: its claim key and the shards of the sessions the fake sent it to."""
        fake = self.fake
        in_guild = options.get("guild", True)  # a DM needs no mention
        message = fake.message("Facebook", mentions_bot=in_guild, **options)
        reached = fake.dispatch("MESSAGE_CREATE", message)
        key = f"discord:message:{message['id']}"
        await wait_for(
            lambda: (
                len(self.saw(key)) == expected and replies_to(fake, message["id"]) and self.idle()
            ),
            within=20,
            what="the mention's answer",
        )
        assert len(replies_to(fake, message["id"])) == 1
        return key, reached

    async def slash(self, expected: int, guild_id: str = GUILD_ID) -> tuple[str, list[Any]]:
        """`/scout app Facebook`; once the `expected` workers had it and the answer is final."""
        fake = self.fake
        before = len(interaction_answers(fake))
        interaction = fake.slash_command("app", guild_id=guild_id, name="Facebook")
        reached = fake.dispatch("INTERACTION_CREATE", interaction)
        key = f"discord:interaction:{interaction['id']}"
        await wait_for(
            lambda: (
                len(self.saw(key)) == expected
                and len(interaction_answers(fake)) > before
                and self.idle()
            ),
            within=20,
            what="the command's answer",
        )
        [callback] = [c for c in fake.callbacks if c["id"] == interaction["id"]]
        assert callback["body"]["type"] == 5  # deferred, once
        assert interaction_answers(fake)[-1].embeds[0]["title"] == APP_TITLE
        return key, reached

    def winners(self, key: str) -> list[int]:
        return [i for i, witness in enumerate(self.witnesses) if witness.answers.get(key)]


def interaction_answers(fake: FakeDiscord) -> list[SentMessage]:
    """The answers to interactions: their original responses (a live reply) or follow-ups (an
    answer from the cache)."""
    return [sent for sent in fake.sent if sent.route in ("original", "followup") and sent.embeds]


def replies_to(fake: FakeDiscord, message_id: str) -> list[SentMessage]:
    return [
        sent
        for sent in fake.sent
        if str((sent.payload.get("message_reference") or {}).get("message_id")) == message_id
    ]


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as fake:
        yield fake


@pytest.fixture
async def workers(
    fake: FakeDiscord, make_grounded_service: ServiceFactory
) -> AsyncIterator[Workers]:
    started = Workers(fake, make_grounded_service)
    yield started
    for adapter in started.adapters:
        await stop_adapter(adapter)


async def test_two_unsharded_workers_answer_each_mention_and_command_once(
    workers: Workers, fake: FakeDiscord, database: Database
) -> None:
    claims = DatabaseEventClaims(database)  # the store the workers really share
    await workers.start(claims)
    await workers.start(claims)
    assert fake.identifies == [None, None]  # no shard variables: today's unsharded sessions

    key, reached = await workers.mention(expected=2)
    assert reached == [None, None]  # both sessions get every event…
    assert len(workers.winners(key)) == 1  # …and one worker claims it

    key, reached = await workers.slash(expected=2)
    assert reached == [None, None] and len(workers.winners(key)) == 1

    typing = fake.interaction(4, typing_category("gaps", "heal"))  # autocomplete: an interaction
    fake.dispatch("INTERACTION_CREATE", typing)
    key = f"discord:interaction:{typing['id']}"
    await wait_for(lambda: len(workers.saw(key)) == 2, what="both workers' claims")
    await wait_for(lambda: [c for c in fake.callbacks if c["id"] == typing["id"]], what="choices")
    assert len(workers.winners(key)) == 1
    assert [code for _, code in fake.refusals if code == 40060] == []


async def test_without_a_shared_claim_two_workers_answer_twice(
    workers: Workers, fake: FakeDiscord
) -> None:
    """The issue as a new user met it, and the fake's part in catching it: each worker with a
    ledger of its own answers every mention, and Discord refuses the second response."""
    await workers.start()
    await workers.start()
    message = fake.message("Facebook")
    fake.dispatch("MESSAGE_CREATE", message)
    await wait_for(lambda: len(replies_to(fake, message["id"])) == 2, what="two replies")
    fake.dispatch("INTERACTION_CREATE", fake.slash_command("app", name="Facebook"))
    await wait_for(lambda: 40060 in [code for _, code in fake.refusals], what="a 40060")
    await wait_for(workers.idle, what="both workers done")
    assert len(fake.callbacks) == 1


async def test_each_shard_gets_only_its_guilds_and_dms_go_to_shard_0(
    workers: Workers, fake: FakeDiscord
) -> None:
    shards = [
        await workers.start(shard_count=2, shard_ids=(0,)),  # each with a ledger of its own:
        await workers.start(shard_count=2, shard_ids=(1,)),  # the plan alone must keep them apart
    ]
    assert fake.identifies == [(0, 2), (1, 2)]
    for shard_id, adapter in enumerate(shards):
        owned = {int(guild) for guild in GUILD_IDS if shard_of(guild, 2) == shard_id}
        assert {guild.id for guild in adapter.client.guilds} == owned
        assert await adapter.health() == {"discord": True, f"discord_shard_{shard_id}": True}

    for guild in GUILD_IDS:
        owner = shard_of(guild, 2)
        key, reached = await workers.mention(expected=1, guild_id=guild)
        assert reached == [(owner, 2)] and workers.saw(key) == [owner], guild
    key, reached = await workers.mention(expected=1, guild=False)  # a DM
    assert reached == [(0, 2)] and workers.saw(key) == [0]
    key, reached = await workers.slash(expected=1, guild_id=GUILD_ID)
    assert reached == [(shard_of(GUILD_ID, 2), 2)] and workers.saw(key) == [1]


async def test_overlapping_plans_during_a_scale_change_still_answer_once(
    workers: Workers, fake: FakeDiscord, database: Database
) -> None:
    claims = DatabaseEventClaims(database)
    await workers.start(claims)  # an unsharded worker still up…
    await workers.start(claims, shard_count=2, shard_ids=(0,))  # …as shard 0 of the new plan starts
    assert shard_of(OTHER_GUILD_ID, 2) == 0 and shard_of(GUILD_ID, 2) == 1

    for options, both in [({"guild_id": OTHER_GUILD_ID}, True), ({"guild_id": GUILD_ID}, False)]:
        key, reached = await workers.mention(expected=2 if both else 1, **options)
        assert len(reached) == (2 if both else 1) and len(workers.winners(key)) == 1
    key, _ = await workers.mention(expected=2, guild=False)  # a DM: both get it
    assert len(workers.winners(key)) == 1
    key, _ = await workers.slash(expected=2, guild_id=OTHER_GUILD_ID)
    assert len(workers.winners(key)) == 1
    assert [code for _, code in fake.refusals if code == 40060] == []


@pytest.mark.parametrize(
    ("recommended", "plan", "identified"),
    [
        (1, {}, [(0, 1)]),
        (3, {"worker_number": 2, "worker_count": 2}, [(1, 3)]),  # worker 2 of 2: odd shards
        (2, {"shard_ids": (1,)}, [(1, 2)]),
    ],
)
async def test_shard_count_auto_takes_discords_recommendation(
    workers: Workers,
    fake: FakeDiscord,
    recommended: int,
    plan: dict[str, Any],
    identified: list[tuple[int, int]],
) -> None:
    fake.recommended_shards = recommended
    adapter = await workers.start(shard_count="auto", **plan)
    assert "/api/v10/gateway/bot" in [request.path for request in fake.requests]
    assert fake.identifies == identified
    [(shard_id, count)] = identified
    owned = {int(guild) for guild in GUILD_IDS if shard_of(guild, count) == shard_id}
    assert {guild.id for guild in adapter.client.guilds} == owned


async def test_auto_shard_ids_beyond_discords_count_are_one_startup_line(
    fake: FakeDiscord, make_grounded_service: ServiceFactory
) -> None:
    fake.recommended_shards = 2
    settings = fake_settings(fake, shard_count="auto", shard_ids=(2,))
    adapter = DiscordAdapter(conversation_for(make_grounded_service()), settings)
    with pytest.raises(StartupError) as caught:
        await adapter.start()
    assert str(caught.value) == (
        "DISCORD_SHARD_IDS='2' is out of range; allowed 0–1 (below Discord's recommended 2 shards)"
    )
    assert fake.identifies == []
