"""Discord replies while they are being made: the plan at once in a grey embed, edits at most every
1.5 s as the text grows, then the final embed in its own colour with its buttons — over the real
discord.py against the fake Discord, whose rate limits must never answer 429.

The pacing tests keep time on a `ManualClock` (the harness's `manual_clock`): the model writes as
it will, but time moves only to the moments the live reply waits for, and the fake stamps each
edit — and keeps its rate limits — with that clock, so the spacing of the edits is read exactly."""

from __future__ import annotations

import itertools

import discord
import pytest

from adapters.discord.outbox import FIRST_TEXT_PAUSE
from adapters.port import RateBudgets
from tests.discord_harness import DiscordHarness
from tests.fake_discord import CHANNEL_ID, CHANNEL_IDS, Edit
from tests.fake_router import FakeRouter
from tests.helpers import ManualClock, wait_for

SLOW = pytest.mark.parametrize("discord_harness", [{"router": {"timeout": 20.0}}], indirect=True)
# Paced on the test's clock; the model still writes in real time, so it keeps the long deadline.
PACED = pytest.mark.parametrize(
    "discord_harness", [{"router": {"timeout": 20.0}, "manual_clock": True}], indirect=True
)
LONG_ANSWER = "\n".join(
    f"- Idea {i}: a sharper widget, an offline mode and a fair one-time price" for i in range(12)
)
GREY = discord.Colour.light_grey().value
# The spacing promised (not read from the outbox, so that changing its pace fails here).
EDITS_EVERY = 1.5  # seconds between progress edits of one message


def edits_of(discord_harness: DiscordHarness, message_id: str) -> list[Edit]:
    return [edit for edit in discord_harness.fake.edits if edit.message_id == message_id]


def embed_of(edit: Edit) -> dict:  # type: ignore[type-arg]
    return edit.payload["embeds"][0]


def spaced(edits: list[Edit], interval: float) -> bool:
    """Whether each edit came at least `interval` after the one before."""
    return all(b.at >= a.at + interval for a, b in itertools.pairwise(edits))


def within(budget: RateBudgets, edits: list[Edit]) -> bool:
    """Whether no stretch of the edits holds more than the budget lends over it: its capacity,
    and what it refills in the stretch (to a nanosecond: the clock's sums are floats)."""
    times = [edit.at for edit in edits]
    return all(
        j - i + 1 <= budget.capacity + budget.per_second * (times[j] - times[i]) + 1e-9
        for i, j in itertools.combinations(range(len(times)), 2)
    )


async def first_text_waits(clock: ManualClock, started: float) -> None:
    """Wait until the live reply, its plan drawn at `started`, has text to show and waits for
    the first-text pause (the model writes in real time; the test's clock has not moved)."""
    await wait_for(
        lambda: clock.sleepers == [started + FIRST_TEXT_PAUSE],
        within=20,
        what="the first text, waiting for its pause",
    )


@PACED
async def test_a_mention_shows_the_plan_at_once_then_the_growing_text_then_the_reply(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    clock = discord_harness.clock
    assert clock is not None
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100  # about 1.5 s of writing, in real time
    started = clock()
    discord_harness.mention("Facebook")
    await first_text_waits(clock, started)
    assert len(discord_harness.fake.sent) == 1 and discord_harness.fake.edits == []  # the plan
    await discord_harness.replied_on_the_clock()

    [reply] = discord_harness.fake.sent  # one message, edited: never a second one
    plan = [r for r in discord_harness.fake.requests if r.path.endswith(f"{CHANNEL_ID}/messages")]
    assert len(plan) == 1 and plan[0].body["embeds"][0]["color"] == GREY
    edits = edits_of(discord_harness, reply.message_id)
    progress, final = edits[:-1], edits[-1]
    texts = [embed_of(edit)["description"] for edit in progress]
    assert any("Idea 0:" in text for text in texts)  # the answer showed while it was written
    growing = [len(text) for text in texts]
    assert growing == sorted(growing)
    assert all(embed_of(edit)["color"] == GREY for edit in progress)
    # The first text as soon as its pause is over, then edits at least 1.5 s apart.
    assert progress[0].at == started + FIRST_TEXT_PAUSE
    assert spaced(progress, EDITS_EVERY)
    # The last edit is the reply: its title, its colour, its buttons, all the text.
    embed = embed_of(final)
    assert embed["title"] == "Facebook · Opportunity analysis"
    assert embed["color"] != GREY
    assert "Idea 11:" in embed["description"]
    assert final.payload["components"]
    assert discord_harness.fake.buckets.limited == []
    assert discord_harness.fake.typing == []


@PACED
async def test_a_channels_progress_edits_stay_within_its_budget(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100
    discord_harness.mention("Facebook")
    await discord_harness.replied_on_the_clock()
    [reply] = discord_harness.fake.sent
    progress = edits_of(discord_harness, reply.message_id)[:-1]
    if len(progress) <= 12:  # with fewer, the budget never has to hold one back
        pytest.fail(f"only {len(progress)} progress edits: too few for the budget to matter")
    # Never more than the channel's budget lends: 2 at once, 36 a minute.
    assert within(RateBudgets(capacity=2, per_minute=36), progress)


@PACED
async def test_a_slash_command_edits_its_deferred_response_the_same_way(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    clock = discord_harness.clock
    assert clock is not None
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100
    started = clock()
    discord_harness.slash("app", name="Facebook")
    await first_text_waits(clock, started)
    assert len(discord_harness.fake.edits) == 1  # the plan
    await discord_harness.replied_on_the_clock()

    [response] = discord_harness.fake.sent
    assert response.route == "original"
    edits = edits_of(discord_harness, response.message_id)
    assert embed_of(edits[0])["title"] == "Scouting Facebook…"
    assert edits[0].at == started
    assert len(edits) >= 3  # the plan, the text at least once, the reply
    # The first text as soon as its pause is over; edits after it at least 1.5 s apart.
    assert edits[1].at == started + FIRST_TEXT_PAUSE
    assert spaced(edits[1:-1], EDITS_EVERY)
    assert embed_of(edits[-1])["title"] == "Facebook · Opportunity analysis"
    assert discord_harness.fake.buckets.limited == []


async def test_a_stream_that_breaks_early_ends_as_labelled_advice_not_as_working(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100
    router.stream_fault = ("error", 10)
    discord_harness.mention("Facebook")
    await wait_for(discord_harness.replied, what="the reply")
    [reply] = discord_harness.fake.sent
    embed = reply.embeds[0]
    assert embed["color"] != GREY
    assert "Working…" not in reply.all_text()
    assert "The AI model returned no usable answer — showing rule-based advice" in (
        embed["footer"]["text"]
    )


@SLOW
async def test_many_answers_in_one_channel_share_its_edit_budget_without_a_429(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.tokens_per_second = 40
    for app in ("Facebook", "build Facebook", "gaps Utilities", "gaps Finance"):
        discord_harness.mention(app)
    await wait_for(lambda: len(discord_harness.fake.sent) == 4, within=20, what="4 replies")
    await wait_for(discord_harness.replied, within=20, what="the final replies")
    assert discord_harness.fake.buckets.limited == []  # discord.py never waited out a 429
    # Each answer still showed its progress: more edits than the four final ones.
    assert len(discord_harness.fake.edits) > 4
    assert all("Working…" not in message.all_text() for message in discord_harness.fake.sent)


async def test_answers_in_different_channels_start_at_once(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    for channel in CHANNEL_IDS[:8]:
        discord_harness.mention("Facebook", channel_id=channel)
    await wait_for(lambda: len(discord_harness.fake.sent) == 8, what="8 replies")
    await wait_for(discord_harness.replied, what="the final replies")
    assert {m.channel_id for m in discord_harness.fake.sent} == set(CHANNEL_IDS[:8])
    assert len(router.completion_calls()) == 1  # the same question: one model call
    assert discord_harness.fake.buckets.limited == []
