"""The Discord adapter on the real discord.py client, against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from adapters.discord_bot import DiscordAdapter
from bot.config import DiscordSettings
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_discord import (
    BOT_ID,
    BOT_TOKEN,
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    SentMessage,
    embed_problem,
    rate_limited,
)
from tests.fake_router import FakeRouter, Reply
from tests.helpers import wait_for
from tests.hostile import PHISHING


class DiscordHarness:
    def __init__(self, fake: FakeDiscord, adapter: DiscordAdapter) -> None:
        self.fake = fake
        self.adapter = adapter

    def replied(self) -> bool:
        """Something was sent and no reply is still being made: the replies are final."""
        return bool(self.fake.sent) and not self.adapter.in_flight

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
async def harness(
    make_grounded_service: ServiceFactory, request: pytest.FixtureRequest
) -> AsyncIterator[DiscordHarness]:
    options = dict(getattr(request, "param", {}))  # conversation_for's options
    with FakeDiscord() as fake:
        fake.heartbeat_interval_ms = options.pop("heartbeat_interval_ms", 41_250)
        settings = DiscordSettings(
            bot_token=BOT_TOKEN,
            api_url=fake.api_url,
            gateway_url=fake.gateway_url,
            guild_ids=frozenset({GUILD_ID}),
        )
        adapter = DiscordAdapter(
            conversation_for(make_grounded_service(), **options),
            settings,
            guild_ready_timeout=0.1,
        )
        description = await adapter.start()
        assert description == "Discord as Trend Scout"
        await asyncio.wait_for(adapter.client.commands_synced.wait(), 10)
        yield DiscordHarness(fake, adapter)
        await asyncio.gather(*adapter.in_flight, return_exceptions=True)
        await adapter.close()


def only_embed(message: SentMessage) -> dict[str, Any]:
    assert message.embeds, message.payload
    return message.embeds[0]


def field(embed: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in embed["fields"] if f["name"] == name)


async def test_commands_are_synced_to_the_configured_guild(harness: DiscordHarness) -> None:
    [command] = harness.fake.synced_commands[GUILD_ID]
    assert command["name"] == "scout"
    assert {o["name"] for o in command["options"]} == {"app", "gaps", "build", "help"}
    gaps = next(o for o in command["options"] if o["name"] == "gaps")
    assert gaps["options"][0]["autocomplete"] is True


async def test_a_mention_gets_a_typed_reply_with_an_embed_and_no_pings(
    harness: DiscordHarness,
) -> None:
    original = harness.mention("Facebook")
    await wait_for(harness.replied, what="the reply")
    [reply] = harness.fake.sent
    # No typing indicator: the reply appeared at once with the plan, in the working colour.
    assert harness.fake.typing == []
    [posted] = [r for r in harness.fake.requests if r.path.endswith(f"{CHANNEL_ID}/messages")]
    plan = posted.body["embeds"][0]
    assert plan["title"] == "Scouting Facebook…"
    assert plan["color"] == discord.Colour.light_grey().value
    assert "Looking up “Facebook” in the US App Store" in plan["description"]
    assert reply.channel_id == CHANNEL_ID
    assert str(reply.payload["message_reference"]["message_id"]) == original["id"]
    assert posted.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert reply.payload["allowed_mentions"] == {"parse": []}  # the edits: no pings either
    embed = only_embed(reply)
    assert embed["title"] == "Facebook · Opportunity analysis"
    assert embed["url"].startswith("https://itunes.apple.com/us/app/facebook/id284882215")
    assert embed["thumbnail"]["url"].startswith("http")
    assert field(embed, "Category") == "Social Networking"
    assert field(embed, "Rating") == "3.5★ from 2,840,784 ratings"
    assert field(embed, "Price") == "Free"
    assert field(embed, "Last update") == "unknown"
    assert field(embed, "Clone score").startswith("**")
    assert "History and widgets" in embed["description"]
    assert embed["footer"]["text"].startswith("AI answer · gpt-oss-120b via fake-provider")
    assert embed_problem(reply.payload) is None
    buttons = [c for row in reply.payload["components"] for c in row["components"]]
    assert [b["custom_id"] for b in buttons] == [
        "scout:gaps:Social Networking",
        "scout:build:id:284882215",
        "scout:refresh:Facebook --fresh",
    ]


async def test_bots_and_mass_mentions_are_ignored(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    harness.mention("Facebook", author_is_bot=True)
    harness.fake.dispatch(
        "MESSAGE_CREATE",
        harness.fake.message("@everyone Facebook", mentions_bot=False, mention_everyone=True),
    )
    harness.mention("help")  # the gateway delivers in order: once this is answered, so are they
    await wait_for(harness.replied, what="the reply to the help mention")
    await asyncio.gather(*harness.adapter.in_flight)
    [reply] = harness.fake.sent
    assert "How to use Trend Scout" in only_embed(reply)["description"]
    assert router.completion_calls() == []


async def test_a_mention_while_restarting_is_told_so(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    harness.adapter.accepting = False  # SIGTERM arrived: no new commands
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the notice")
    [notice] = harness.fake.sent
    assert notice.payload["content"] == "Trend Scout is restarting — try again in a few seconds."
    assert notice.payload["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert router.completion_calls() == []


async def test_a_dm_needs_no_mention(harness: DiscordHarness) -> None:
    harness.fake.dispatch(
        "MESSAGE_CREATE", harness.fake.message("help", mentions_bot=False, guild=False)
    )
    await wait_for(harness.replied, what="the DM reply")
    assert "How to use Trend Scout" in only_embed(harness.fake.sent[0])["description"]


async def test_everyone_in_model_output_never_pings(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = "Tell @everyone and @here, and <@123456789012345678> and <@&42>."
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the reply")
    [reply] = harness.fake.sent
    description = only_embed(reply)["description"]
    assert "@everyone" not in description and "@here" not in description
    assert "<@123456789012345678>" not in description and "<@&42>" not in description
    assert reply.payload["allowed_mentions"]["parse"] == []


async def test_links_in_the_answer_show_their_real_target(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = PHISHING
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the reply")
    embed = only_embed(harness.fake.sent[0])
    description = embed["description"]
    assert "https://apps.apple.com/verify (http://evil.example/phish)" in description
    assert "](" not in description and "pixel.gif" not in description
    assert "javascript:" not in description
    assert embed["url"].startswith("https://itunes.apple.com/us/app/facebook/")  # Apple's link


async def test_a_429_on_the_message_route_is_waited_out(harness: DiscordHarness) -> None:
    harness.fake.enqueue(rate_limited(0.3), path=f"/api/v10/channels/{CHANNEL_ID}/messages")
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the reply after 429")
    [reply] = harness.fake.sent
    assert only_embed(reply)["title"] == "Facebook · Opportunity analysis"
    attempts = [r for r in harness.fake.requests if r.path.endswith("/messages")]
    assert len(attempts) == 2


async def test_router_down_gives_labelled_fallback(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    router.always(Reply.error(503, "down"), count=50)
    harness.mention("Facebook")
    await wait_for(harness.replied, within=15, what="the fallback")
    footer = only_embed(harness.fake.sent[0])["footer"]["text"]
    assert footer.startswith("Rule-based advice")
    assert "The AI service is down or overloaded — showing rule-based advice" in footer


async def test_slash_command_is_deferred_then_its_response_shows_the_plan_and_the_answer(
    harness: DiscordHarness,
) -> None:
    harness.slash("app", name="Facebook")
    await wait_for(harness.replied, what="the answer")
    [callback] = harness.fake.callbacks
    assert callback["query"] == {"with_response": "1"}
    assert callback["body"]["type"] == 5  # deferred: "Trend Scout is thinking…"
    [response] = harness.fake.sent  # the deferred response, edited: no second message
    assert response.route == "original"
    assert response.payload["allowed_mentions"] == {"parse": []}
    assert only_embed(response)["title"] == "Facebook · Opportunity analysis"
    first, *_ = (e for e in harness.fake.edits if e.message_id == response.message_id)
    assert first.payload["embeds"][0]["title"] == "Scouting Facebook…"  # the plan came first


async def test_gaps_autocomplete_offers_categories(harness: DiscordHarness) -> None:
    data = {
        "id": "900000000000000100",
        "name": "scout",
        "type": 1,
        "options": [
            {
                "type": 1,
                "name": "gaps",
                "options": [{"type": 3, "name": "category", "value": "heal", "focused": True}],
            }
        ],
    }
    harness.fake.dispatch("INTERACTION_CREATE", harness.fake.interaction(4, data))
    await wait_for(lambda: harness.fake.callbacks, what="the autocomplete answer")
    body = harness.fake.callbacks[0]["body"]
    assert body["type"] == 8
    assert body["data"]["choices"] == [{"name": "Health & Fitness", "value": "Health & Fitness"}]


@pytest.mark.parametrize(
    ("custom_id", "title"),
    [
        ("scout:gaps:Social Networking", "Social Networking · Market gaps"),
        ("scout:build:id:284882215", "Facebook · Build guide"),
        ("scout:refresh:Facebook --fresh", "Facebook · Opportunity analysis"),
    ],
)
async def test_each_button_works_from_its_id_alone(
    harness: DiscordHarness, custom_id: str, title: str
) -> None:
    harness.click(custom_id)  # no view was registered in this process: as after a restart
    await wait_for(harness.replied, what="the button's answer")
    assert harness.fake.callbacks[0]["body"]["type"] == 5
    assert only_embed(harness.fake.sent[0])["title"] == title


async def test_a_long_analysis_continues_within_the_limits(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(40))
    harness.mention("Facebook")
    await wait_for(lambda: len(harness.fake.sent) >= 2, what="the continued reply")
    await asyncio.gather(*harness.adapter.in_flight)
    for message in harness.fake.sent:
        assert embed_problem(message.payload) is None
        for embed in message.embeds:
            for piece in (embed.get("description") or "").split("\n\n"):
                assert piece.endswith(("word", "—")) or piece.startswith("Paragraph")
    text = "".join(e.get("description", "") for m in harness.fake.sent for e in m.embeds)
    assert text.count("Paragraph") == 40
    assert "components" in harness.fake.sent[-1].payload  # buttons on the last message


@pytest.mark.parametrize("harness", [{"per_minute": 1}], indirect=True)
async def test_per_user_limit_is_friendly_and_costs_no_model_call(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the first reply")
    harness.mention("Facebook")
    await wait_for(lambda: len(harness.fake.sent) == 2, what="the limit notice")
    assert "You're scouting fast" in harness.fake.sent[1].payload["content"]
    assert len(router.completion_calls()) == 1


@pytest.mark.parametrize(
    "harness", [{"allowed_workspaces": {"discord": frozenset({"1"})}}], indirect=True
)
async def test_servers_outside_the_allow_list_are_refused(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the refusal")
    assert harness.fake.sent[0].payload["content"] == "Trend Scout is not enabled for this server."
    assert router.completion_calls() == []
    assert json.dumps(harness.fake.sent[0].payload).count("Facebook") == 0


def test_the_readme_invite_url_asks_for_exactly_the_documented_permissions() -> None:
    from tests.helpers import ROOT

    wanted = discord.Permissions(
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        use_application_commands=True,
    )
    readme = (ROOT / "README.md").read_text()
    assert f"scope=bot%20applications.commands&permissions={wanted.value}" in readme


async def test_a_refused_embed_is_resent_as_plain_text(harness: DiscordHarness) -> None:
    refusal = Reply(
        400,
        json.dumps({"message": "Invalid Form Body", "code": 50035, "errors": {}}).encode(),
    )
    # The plan and then the reply's embeds are refused: the reply goes out as plain text.
    harness.fake.enqueue(refusal, refusal, path=f"/api/v10/channels/{CHANNEL_ID}/messages")
    harness.mention("Facebook")
    await wait_for(harness.replied, what="the plain-text reply")
    [reply] = harness.fake.sent
    assert reply.embeds == []
    assert "History and widgets" in reply.payload["content"]
    assert len(reply.payload["content"]) <= 2000


@pytest.mark.parametrize("harness", [{"heartbeat_interval_ms": 200}], indirect=True)
async def test_heartbeats_are_acknowledged_and_the_session_stays_up(
    harness: DiscordHarness,
) -> None:
    # discord.py drops a connection whose heartbeats go unacknowledged; after several
    # intervals it must still be the first connection, answering.
    await wait_for(lambda: harness.fake.heartbeats >= 3, what="three heartbeats")
    assert harness.adapter.client.latency < 1
    assert not harness.adapter.client.is_closed()
    assert harness.fake.connections == 1  # no reconnect happened
    harness.mention("help")
    await wait_for(harness.replied, what="a reply on the same session")


async def test_what_users_say_is_a_field_of_the_embed(
    harness: DiscordHarness, router: FakeRouter
) -> None:
    harness.mention("Webster Bank")
    await wait_for(harness.replied, what="the reply")
    embed = only_embed(harness.fake.sent[0])
    said = field(embed, "What users say")
    assert said.startswith("50 reviews read · 3.3★ recent vs 4.7★ overall")
    assert "top complaints: log-in & accounts (12)" in said and said.count("\n> “") == 3
    assert field(embed, "Who else is there").startswith("Chase Mobile")
    assert embed_problem(harness.fake.sent[0].payload) is None
