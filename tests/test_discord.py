"""The Discord adapter on the real discord.py client, against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import discord
import pytest

from tests.discord_harness import DiscordHarness
from tests.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    SentMessage,
    embed_problem,
    rate_limited,
)
from tests.fake_discord_payloads import typing_category
from tests.fake_router import FakeRouter, Reply
from tests.helpers import wait_for
from tests.hostile import PHISHING


def only_embed(message: SentMessage) -> dict[str, Any]:
    assert message.embeds, message.payload
    return message.embeds[0]


def field(embed: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in embed["fields"] if f["name"] == name)


async def test_commands_are_synced_to_the_configured_guild(discord_harness: DiscordHarness) -> None:
    [command] = discord_harness.fake.synced_commands[GUILD_ID]
    assert command["name"] == "scout"
    assert {o["name"] for o in command["options"]} == {
        "app", "gaps", "find", "build", "watch", "unwatch", "watching", "help"
    }
    gaps = next(o for o in command["options"] if o["name"] == "gaps")
    assert gaps["options"][0]["autocomplete"] is True


async def test_a_mention_gets_a_typed_reply_with_an_embed_and_no_pings(
    discord_harness: DiscordHarness,
) -> None:
    original = discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the reply")
    [reply] = discord_harness.fake.sent
    # No typing indicator: the reply appeared at once with the plan, in the working colour.
    assert discord_harness.fake.typing == []
    [posted] = [
        r for r in discord_harness.fake.requests if r.path.endswith(f"{CHANNEL_ID}/messages")
    ]
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
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    discord_harness.mention("Facebook", author_is_bot=True)
    discord_harness.fake.dispatch(
        "MESSAGE_CREATE",
        discord_harness.fake.message(
            "@everyone Facebook", mentions_bot=False, mention_everyone=True
        ),
    )
    discord_harness.mention(
        "help"
    )  # the gateway delivers in order: once this is answered, so are they
    await wait_for(discord_harness.replied, what="the reply to the help mention")
    await asyncio.gather(*discord_harness.adapter.in_flight)
    [reply] = discord_harness.fake.sent
    assert "How to use Trend Scout" in only_embed(reply)["description"]
    assert router.completion_calls() == []


async def test_a_mention_while_restarting_is_told_so(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    discord_harness.adapter.accepting = False  # SIGTERM arrived: no new commands
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the notice")
    [notice] = discord_harness.fake.sent
    assert notice.payload["content"] == "Trend Scout is restarting — try again in a few seconds."
    assert notice.payload["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert router.completion_calls() == []


async def test_a_dm_needs_no_mention(discord_harness: DiscordHarness) -> None:
    discord_harness.fake.dispatch(
        "MESSAGE_CREATE", discord_harness.fake.message("help", mentions_bot=False, guild=False)
    )
    await wait_for(discord_harness.replied, what="the DM reply")
    assert "How to use Trend Scout" in only_embed(discord_harness.fake.sent[0])["description"]


async def test_everyone_in_model_output_never_pings(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = "Tell @everyone and @here, and <@123456789012345678> and <@&42>."
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the reply")
    [reply] = discord_harness.fake.sent
    description = only_embed(reply)["description"]
    assert "@everyone" not in description and "@here" not in description
    assert "<@123456789012345678>" not in description and "<@&42>" not in description
    assert reply.payload["allowed_mentions"]["parse"] == []


async def test_links_in_the_answer_show_their_real_target(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = PHISHING
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the reply")
    embed = only_embed(discord_harness.fake.sent[0])
    description = embed["description"]
    assert "https://apps.apple.com/verify (http://evil.example/phish)" in description
    assert "](" not in description and "pixel.gif" not in description
    assert "javascript:" not in description
    assert embed["url"].startswith("https://itunes.apple.com/us/app/facebook/")  # Apple's link


async def test_a_429_on_the_message_route_is_waited_out(discord_harness: DiscordHarness) -> None:
    discord_harness.fake.enqueue(rate_limited(0.3), path=f"/api/v10/channels/{CHANNEL_ID}/messages")
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the reply after 429")
    [reply] = discord_harness.fake.sent
    assert only_embed(reply)["title"] == "Facebook · Opportunity analysis"
    attempts = [r for r in discord_harness.fake.requests if r.path.endswith("/messages")]
    assert len(attempts) == 2


async def test_router_down_gives_labelled_fallback(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.always(Reply.error(503, "down"), count=50)
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, within=15, what="the fallback")
    footer = only_embed(discord_harness.fake.sent[0])["footer"]["text"]
    assert footer.startswith("Rule-based advice")
    assert "The AI service is down or overloaded — showing rule-based advice" in footer


async def test_slash_command_is_deferred_then_its_response_shows_the_plan_and_the_answer(
    discord_harness: DiscordHarness,
) -> None:
    discord_harness.slash("app", name="Facebook")
    await wait_for(discord_harness.replied, what="the answer")
    [callback] = discord_harness.fake.callbacks
    assert callback["query"] == {"with_response": "1"}
    assert callback["body"]["type"] == 5  # deferred: "Trend Scout is thinking…"
    [response] = discord_harness.fake.sent  # the deferred response, edited: no second message
    assert response.route == "original"
    assert response.payload["allowed_mentions"] == {"parse": []}
    assert only_embed(response)["title"] == "Facebook · Opportunity analysis"
    first, *_ = (e for e in discord_harness.fake.edits if e.message_id == response.message_id)
    assert first.payload["embeds"][0]["title"] == "Scouting Facebook…"  # the plan came first


async def test_gaps_autocomplete_offers_categories(discord_harness: DiscordHarness) -> None:
    data = typing_category("gaps", "heal")
    discord_harness.fake.dispatch("INTERACTION_CREATE", discord_harness.fake.interaction(4, data))
    await wait_for(lambda: discord_harness.fake.callbacks, what="the autocomplete answer")
    body = discord_harness.fake.callbacks[0]["body"]
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
    discord_harness: DiscordHarness, custom_id: str, title: str
) -> None:
    discord_harness.click(custom_id)  # no view was registered in this process: as after a restart
    await wait_for(discord_harness.replied, what="the button's answer")
    assert discord_harness.fake.callbacks[0]["body"]["type"] == 5
    assert only_embed(discord_harness.fake.sent[0])["title"] == title


async def test_a_long_analysis_continues_within_the_limits(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(40))
    discord_harness.mention("Facebook")
    await wait_for(lambda: len(discord_harness.fake.sent) >= 2, what="the continued reply")
    await asyncio.gather(*discord_harness.adapter.in_flight)
    for message in discord_harness.fake.sent:
        assert embed_problem(message.payload) is None
        for embed in message.embeds:
            for piece in (embed.get("description") or "").split("\n\n"):
                assert piece.endswith(("word", "—")) or piece.startswith("Paragraph")
    sent = discord_harness.fake.sent
    text = "".join(e.get("description", "") for m in sent for e in m.embeds)
    attached = "".join(f["text"] for m in sent for f in m.payload.get("files", []))
    assert len(sent) <= 3  # and what did not fit is attached, whole
    assert (text + attached).count("Paragraph") == 40
    assert "components" in sent[-1].payload  # buttons on the last message


@pytest.mark.parametrize("discord_harness", [{"per_minute": 1}], indirect=True)
async def test_per_user_limit_is_friendly_and_costs_no_model_call(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the first reply")
    discord_harness.mention("Facebook")
    await wait_for(lambda: len(discord_harness.fake.sent) == 2, what="the limit notice")
    assert "You're scouting fast" in discord_harness.fake.sent[1].all_text()
    assert len(router.completion_calls()) == 1


@pytest.mark.parametrize(
    "discord_harness", [{"allowed_workspaces": {"discord": frozenset({"1"})}}], indirect=True
)
async def test_servers_outside_the_allow_list_are_refused(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the refusal")
    [refusal] = discord_harness.fake.sent[0].payload["embeds"]
    assert refusal["description"] == "Trend Scout is not enabled for this server."
    assert router.completion_calls() == []
    assert json.dumps(discord_harness.fake.sent[0].payload).count("Facebook") == 0


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


async def test_a_refused_embed_is_resent_as_plain_text(discord_harness: DiscordHarness) -> None:
    refusal = Reply(
        400,
        json.dumps({"message": "Invalid Form Body", "code": 50035, "errors": {}}).encode(),
    )
    # The plan and then the reply's embeds are refused: the reply goes out as plain text.
    discord_harness.fake.enqueue(refusal, refusal, path=f"/api/v10/channels/{CHANNEL_ID}/messages")
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the plain-text reply")
    [reply] = discord_harness.fake.sent
    assert reply.embeds == []
    assert "History and widgets" in reply.payload["content"]
    assert len(reply.payload["content"]) <= 2000


@pytest.mark.parametrize("discord_harness", [{"heartbeat_interval_ms": 200}], indirect=True)
async def test_heartbeats_are_acknowledged_and_the_session_stays_up(
    discord_harness: DiscordHarness,
) -> None:
    # discord.py drops a connection whose heartbeats go unacknowledged; after several
    # intervals it must still be the first connection, answering.
    await wait_for(lambda: discord_harness.fake.heartbeats >= 3, what="three heartbeats")
    assert discord_harness.adapter.client.latency < 1
    assert not discord_harness.adapter.client.is_closed()
    assert discord_harness.fake.connections == 1  # no reconnect happened
    discord_harness.mention("help")
    await wait_for(discord_harness.replied, what="a reply on the same session")


async def test_what_users_say_is_a_field_of_the_embed(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    discord_harness.mention("Webster Bank")
    await wait_for(discord_harness.replied, what="the reply")
    embed = only_embed(discord_harness.fake.sent[0])
    said = field(embed, "What users say")
    assert said.startswith("50 reviews read · 3.3★ recent vs 4.7★ overall")
    assert "top complaints: crashes & bugs (19), log-in & accounts (12)" in said
    assert said.count("\n> “") == 3
    assert field(embed, "Who else is there").startswith("Chase Mobile")
    assert embed_problem(discord_harness.fake.sent[0].payload) is None


async def test_when_editing_keeps_being_rate_limited_the_reply_is_posted_fresh(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    """Past discord.py's own retries, every edit of the live message is refused with 429: the
    final reply still arrives, once, as a new message under the plan."""
    router.latency = 0.5  # the plan is shown before the answer
    discord_harness.mention("Facebook")
    await wait_for(lambda: discord_harness.fake.sent, what="the plan")
    live = discord_harness.fake.sent[0].message_id
    edits = f"/api/v10/channels/{CHANNEL_ID}/messages/{live}"
    discord_harness.fake.enqueue(*[rate_limited(0.01)] * 40, path=edits)
    await wait_for(discord_harness.replied, what="the reply")
    plan, answer = discord_harness.fake.sent
    assert "Working…" in plan.all_text()  # the edits never landed
    assert only_embed(answer)["title"] == "Facebook · Opportunity analysis"
    refused = [r for r in discord_harness.fake.requests if r.path == edits]
    assert len(refused) >= 5  # discord.py tried, then gave up; then the reply went fresh


async def test_a_very_long_answer_takes_three_messages_and_the_rest_is_attached(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    paragraph = "a fair one-time price. " * 120
    router.answer = "\n\n".join(f"Paragraph {i}: {paragraph}" for i in range(12))
    discord_harness.mention("Facebook --fresh")
    await wait_for(discord_harness.replied, what="the reply")
    sent = discord_harness.fake.sent
    assert len(sent) == 3
    *_, last = sent
    [attached] = last.payload["files"]
    assert attached["filename"] == "answer.txt" and attached["size"] > 1000
    shown = json.dumps([m.payload["embeds"] for m in sent])
    assert "Paragraph 11:" in attached["text"] and "Paragraph 11:" not in shown
    assert "answer.txt" in last.payload["embeds"][-1]["footer"]["text"]
    assert all(embed_problem(m.payload) is None for m in sent)


async def test_when_the_reply_cannot_be_posted_at_all_the_apology_still_arrives(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    """Edits rate-limited past discord.py's retries, and the fresh post of the reply refused by
    a failing Discord: the user still gets the apology, once."""
    router.latency = 0.5
    discord_harness.mention("Facebook")
    await wait_for(lambda: discord_harness.fake.sent, what="the plan")
    live = discord_harness.fake.sent[0].message_id
    fake = discord_harness.fake
    fake.enqueue(*[rate_limited(0.01)] * 80, path=f"/api/v10/channels/{CHANNEL_ID}/messages/{live}")
    down = Reply(503, b'{"message": "upstream unavailable", "code": 0}')
    fake.enqueue(down, path=f"/api/v10/channels/{CHANNEL_ID}/messages")  # no retry on 503
    await wait_for(discord_harness.replied, what="the apology")
    plan, apology = fake.sent
    assert "Working…" in plan.all_text()
    assert apology.payload["content"] == "Sorry — something went wrong sending that reply."
