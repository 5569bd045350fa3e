"""Trend watch through the real platform libraries: the watch command and its confirmation,
then the check's one alert message per channel as Slack (`chat.postMessage`, Block Kit, buttons)
and Discord (a channel message with an embed and buttons) show it — and what happens where the
bot may not post."""

from __future__ import annotations

import json

import pytest

from adapters.slack.markup import ACTION_RUN
from bot.watch import ChannelUnreachable, WatchChannel, Watchlist, WatchScheduler
from bot.watch.messages import watch_report
from tests.discord_harness import DiscordHarness
from tests.fake_appstore import FakeAppStore
from tests.fake_discord import CHANNEL_ID
from tests.fake_discord_payloads import GUILD_ID, READ_ONLY_CHANNEL
from tests.helpers import wait_for
from tests.loopback import Reply
from tests.slack_harness import SlackHarness
from tests.watch_harness import HOUR, WatchWorld

FACEBOOK = 284882215


def wire(world: WatchWorld, platform: str, adapter: object) -> WatchScheduler:
    """The adapter's conversation with trend watch, and a worker that posts through it."""
    poster = adapter.channel_poster()  # type: ignore[attr-defined]
    adapter.conversation.watchlist = Watchlist(  # type: ignore[attr-defined]
        world.store, world.catalog, world.catalog, world.settings, {platform: poster}, "us",
        world.clock,
    )  # fmt: skip
    worker = world.worker()
    worker.posters = {platform: poster}
    return worker


async def test_slack_channel_watches_and_gets_one_alert_message_with_buttons(
    harness: SlackHarness, watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    worker = wire(watch_world, "slack", harness.adapter)
    harness.slack.channels.outside.add("C0002")

    await harness.slash("watch Facebook", channel="C0002")
    await harness.settled()
    await harness.slash("watch Facebook")
    await harness.settled()
    outside, inside = harness.slack.posted
    assert outside.where == inside.where == "response_url"
    assert outside.payload["response_type"] == "in_channel"
    assert "Now watching **Facebook (US)** in this channel" in outside.all_text()
    assert "Trend Scout is not in this channel yet: invite it with `/invite @Trend Scout`" in (
        outside.all_text()
    )
    assert "Now watching" in inside.all_text() and "invite" not in inside.all_text()

    await worker.tick()  # quiet
    appstore.set_app(
        FACEBOOK, price=2.99, formattedPrice="$2.99", version="16.0",
        releaseNotes="<!channel> New: [free gift](https://evil.example) for <@U0001>",
    )  # fmt: skip
    watch_world.clock.now += 6 * HOUR
    limited = b'{"ok": false, "error": "ratelimited"}'
    harness.slack.enqueue(
        Reply(429, limited, headers={"Retry-After": "1"}), path="/api/chat.postMessage"
    )
    await worker.tick()
    # Slack's 429 was waited out (Retry-After) and the message posted once.
    calls = [r for r in harness.slack.requests if r.path == "/api/chat.postMessage"]
    assert len(calls) == 3  # the 429, then C0002 (not_in_channel) and C0001
    posted = [p for p in harness.slack.posted if p.where == "chat.postMessage"]
    (alert,) = posted  # C0002's alerts were dropped: the bot is not in it
    assert alert.payload["channel"] == "C0001"
    assert alert.blocks[0]["text"]["text"] == "Trend watch · Alerts"
    text = alert.all_text()
    assert "Trend watch: 2 changes" in text and "price Free → $2.99" in text
    assert "new version 16.0 (was 15.0)" in text
    assert "<!channel>" not in text and "<@U0001>" not in text  # never a ping
    assert "](https://evil.example)" not in text  # no link hiding where it goes
    buttons = [e for b in alert.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons] == [
        (f"{ACTION_RUN}_0", "Analysis: Facebook", f"id:{FACEBOOK} --country=us"),
        (f"{ACTION_RUN}_1", "Build guide: Facebook", f"build id:{FACEBOOK} --country=us"),
    ]
    assert await watch_world.store.pending_alerts(["slack"]) == {}

    await harness.click(f"{ACTION_RUN}_1", buttons[1]["value"])
    await harness.settled()
    guide = harness.slack.posted[-1]
    assert guide.blocks[0]["text"]["text"] == "Facebook · Build guide"


async def test_slack_posting_a_digest_or_alerts_in_a_deleted_channel_is_unreachable(
    harness: SlackHarness,
) -> None:
    poster = harness.adapter.channel_poster()
    harness.slack.channels.missing.add("C0404")
    problem = await poster.problem(WatchChannel("slack", "T0001", "C0404"))
    assert problem is not None and problem.startswith("Trend Scout cannot see this channel")
    with pytest.raises(ChannelUnreachable):
        await poster.post(WatchChannel("slack", "T0001", "C0404"), watch_report("x"))


async def test_discord_channel_watches_and_gets_one_alert_message_with_buttons(
    discord_harness: DiscordHarness, watch_world: WatchWorld, appstore: FakeAppStore
) -> None:
    harness = discord_harness
    worker = wire(watch_world, "discord", harness.adapter)
    harness.mention("watch Facebook")
    await wait_for(harness.replied, what="the confirmation")
    confirmation = harness.fake.sent[-1]
    assert "Now watching **Facebook (US)** in this channel" in confirmation.all_text()
    assert "permission" not in confirmation.all_text()
    # A channel where the bot may not send: `/scout watch` still answers (an interaction).
    interaction = harness.fake.slash_command("watch", what="gaps Utilities")
    interaction["channel_id"] = interaction["channel"]["id"] = READ_ONLY_CHANNEL
    harness.fake.dispatch("INTERACTION_CREATE", interaction)
    await wait_for(lambda: len(harness.fake.sent) == 2 and not harness.adapter.in_flight)
    warned = harness.fake.sent[-1].all_text()
    assert "Now watching **Utilities charts (US)**" in warned
    assert "may not send messages in this channel" in warned

    await worker.tick()
    appstore.set_app(
        FACEBOOK,
        averageUserRating=3.1,
        version="16.0",
        releaseNotes="@everyone free [gift](https://evil.example)",
    )
    watch_world.clock.now += 6 * HOUR
    await worker.tick()
    alert = harness.fake.sent[-1]
    assert "@everyone" not in alert.all_text()  # neutralised, and nothing may ping anyway
    assert "](https://evil.example)" not in alert.all_text()
    assert alert.route == "channel" and alert.channel_id == CHANNEL_ID
    (embed,) = alert.embeds
    assert embed["title"] == "Trend watch · Alerts"
    assert "rating down 0.40: 3.50★ → 3.10★" in embed["description"]
    assert alert.payload["allowed_mentions"] == {"parse": []}
    ids = [c["custom_id"] for row in alert.payload["components"] for c in row["components"]]
    assert ids == [
        f"scout:run:id:{FACEBOOK} --country=us",
        f"scout:run:build id:{FACEBOOK} --country=us",
    ]
    assert json.dumps(alert.payload).count("Analysis: Facebook") == 1

    with pytest.raises(ChannelUnreachable):
        await worker.posters["discord"].post(
            WatchChannel("discord", "g", READ_ONLY_CHANNEL), watch_report("a test message")
        )

    # `/scout watching app:` — the watched app's history, in words and as the chart.
    [command] = harness.fake.synced_commands[GUILD_ID]
    watching = next(o for o in command["options"] if o["name"] == "watching")
    assert [(o["name"], o.get("required", False)) for o in watching["options"]] == [("app", False)]
    before = len(harness.fake.sent)
    harness.slash("watching", app="Facebook")
    await wait_for(lambda: len(harness.fake.sent) > before and not harness.adapter.in_flight)
    history = harness.fake.sent[-1]
    assert "**Facebook (US)** over 1 week" in history.all_text()
    assert "rated 3.1★ overall" in history.all_text()
    assert history.embeds[0]["image"]["url"] == "attachment://chart.png"
