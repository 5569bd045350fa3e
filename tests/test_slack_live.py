"""Slack replies while they are being made: the native AI stream for mentions (plan tasks, text
in chunks, the full reply at the end), one message edited where streaming is refused, and the
slash command's private note — over the real Bolt/slack_sdk against the fake Slack.

The pacing tests keep time on a `ManualClock` (the harness's `manual_clock`): the model writes
as it will, but time moves only to the moments the live reply waits for, and the fake stamps
each change with that clock — so the spacing of what Slack took is read exactly."""

from __future__ import annotations

import itertools
import json

import pytest

from adapters.slack.outbox import BROKE_OFF, FIRST_TEXT_PAUSE
from tests.fake_router import FakeRouter, Reply
from tests.fake_slack import LiveMessage
from tests.helpers import ManualClock, wait_for
from tests.slack_harness import SlackHarness

# Long enough to stream for seconds: the tests' router deadline is 3 s, these get 20.
SLOW = pytest.mark.parametrize("harness", [{"router": {"timeout": 20.0}}], indirect=True)
# Paced on the test's clock; the model still writes in real time, so it keeps the long deadline.
PACED = pytest.mark.parametrize(
    "harness", [{"router": {"timeout": 20.0}, "manual_clock": True}], indirect=True
)
LONG_ANSWER = "\n".join(
    f"- Idea {i}: a sharper widget, an offline mode and a fair one-time price" for i in range(12)
)
# A word a line: each piece the model writes ends a line, so each draw appends to the stream.
WORD_LINES = "\n".join(f"- Idea-{i}" for i in range(30))
# The spacing promised (not read from the outbox, so that changing its pace fails here).
APPENDS_EVERY = 1.0  # seconds between appends to one stream
UPDATES_EVERY = 1.5  # between progress updates of one message (Tier 3)


def changes(message: LiveMessage, method: str) -> list[float]:
    """When (on the test's clock) Slack took each of a message's changes by `method`."""
    return [change.at for change in message.history if change.method == method]


def spaced(times: list[float], interval: float) -> bool:
    """Whether each time is at least `interval` after the one before."""
    return all(b >= a + interval for a, b in itertools.pairwise(times))


async def mention(harness: SlackHarness, text: str, event_id: str) -> None:
    await harness.event(harness.slack.mention(text, event_id=event_id))
    await harness.settled()


async def first_text_waits(clock: ManualClock, started: float) -> None:
    """Wait until the live reply, its plan drawn at `started`, has text to show and waits for
    the first-text pause (the model writes in real time; the test's clock has not moved)."""
    await wait_for(
        lambda: clock.sleepers == [started + FIRST_TEXT_PAUSE],
        within=20,
        what="the first text, waiting for its pause",
    )


@PACED
async def test_a_mention_streams_the_plan_then_the_text_then_ends_with_the_full_reply(
    harness: SlackHarness, router: FakeRouter
) -> None:
    clock = harness.clock
    assert clock is not None
    router.answer = WORD_LINES
    router.tokens_per_second = 20  # about 1.5 s of writing, in real time
    started = clock()
    await harness.event(harness.slack.mention("Facebook", event_id="EvLive1"))
    await first_text_waits(clock, started)
    [stream] = harness.slack.live.streams()
    assert [change.method for change in stream.history] == ["chat.startStream"]
    await harness.settled_on_the_clock()

    start = stream.history[0]
    # At once: the plan, as tasks, before any text.
    assert start.method == "chat.startStream"
    assert start.at == started
    assert start.text == ""
    assert start.tasks["appstore"]["title"] == "Looking up “Facebook” in the US App Store"
    [start_call] = [r for r in harness.slack.requests if r.path.endswith("chat.startStream")]
    assert start_call.body["task_display_mode"] == "plan"
    assert (start_call.body["recipient_team_id"], start_call.body["recipient_user_id"]) == (
        "T0001",
        "U0001",
    )
    # Then the text grew in whole lines, append after append: not before the first-text pause,
    # then never faster than one a second, on the clock the live reply kept.
    appends = [c for c in stream.history if c.method == "chat.appendStream"]
    texts = [c.text for c in appends if c.text]
    assert len(texts) >= 2
    assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))
    assert all(text.endswith("\n") for text in texts)
    assert min(c.at for c in appends if c.text) >= started + FIRST_TEXT_PAUSE
    assert spaced(changes(stream, "chat.appendStream"), APPENDS_EVERY)
    # And it ended as the complete reply: all the text, every task finished, facts and buttons.
    end = stream.history[-1]
    assert end.method == "chat.stopStream" and not stream.streaming
    assert stream.text == WORD_LINES
    assert {task["status"] for task in stream.tasks.values()} == {"complete"}
    blocks = json.dumps(stream.blocks, ensure_ascii=False)
    assert "Social Networking" in blocks and "Clone score" in blocks
    assert "scout_build" in blocks and "AI answer · gpt-oss-120b" in blocks
    assert [p.where for p in harness.slack.posted] == ["chat.stopStream"]
    assert harness.slack.live.tiers.limited == []


@PACED
async def test_where_slack_refuses_streaming_one_message_is_edited_at_most_every_1_5_s(
    harness: SlackHarness, router: FakeRouter
) -> None:
    clock = harness.clock
    assert clock is not None
    harness.slack.live.refuse_streams = "method_not_supported_for_channel_type"
    router.answer = LONG_ANSWER
    router.tokens_per_second = 100  # about 1.5 s of writing, in real time
    started = clock()
    await harness.event(harness.slack.mention("Facebook", event_id="EvLive2"))
    await first_text_waits(clock, started)
    [message] = harness.slack.live.messages.values()
    assert [change.method for change in message.history] == ["chat.postMessage"]
    await harness.settled_on_the_clock()

    assert harness.slack.live.streams() == []
    assert message.history[0].method == "chat.postMessage"
    assert message.history[0].at == started  # the plan at once
    assert "Scouting Facebook…" in message.history[0].text
    updates = [c for c in message.history if c.method == "chat.update"]
    assert len(updates) >= 3  # the text grew in the message, then the reply replaced it
    assert any("Idea 1:" in json.dumps(c.blocks) for c in updates[:-1])
    # The first text as soon as its pause is over, then progress edits at least 1.5 s apart;
    # the final reply does not wait for the next slot.
    progress = changes(message, "chat.update")[:-1]
    assert progress[0] == started + FIRST_TEXT_PAUSE
    assert spaced(progress, UPDATES_EVERY)
    assert harness.slack.live.tiers.limited == []  # within Tier 3, on the same clock
    [reply] = harness.slack.posted
    assert reply.where == "chat.update"
    assert reply.blocks[0]["text"]["text"] == "Facebook · Opportunity analysis"
    assert "Working…" not in json.dumps(reply.blocks)


async def test_a_stream_that_breaks_after_useful_text_ends_as_a_marked_cut_answer(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.stream_fault = ("cut", 60)  # the provider drops the stream half-way
    await mention(harness, "Facebook", "EvLive3")

    [stream] = harness.slack.live.streams()
    assert not stream.streaming  # never an eternal "…"
    assert LONG_ANSWER.startswith(stream.text) and "Idea 3:" in stream.text
    assert stream.text.endswith("price")  # cut at its last whole line
    assert "The answer was cut short" in json.dumps(stream.blocks)


async def test_a_stream_that_breaks_early_ends_with_labelled_advice(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.tokens_per_second = 200
    router.stream_fault = ("error", 14)  # a line and a half, then an error event
    await mention(harness, "Facebook", "EvLive4")

    [stream] = harness.slack.live.streams()
    assert not stream.streaming
    blocks = json.dumps(stream.blocks, ensure_ascii=False)
    assert "The AI model returned no usable answer — showing rule-based advice" in blocks
    assert "Rule-based advice" in blocks
    if stream.text:  # what was shown is marked, not passed off as the answer
        assert stream.text.endswith(BROKE_OFF)
    assert stream.tasks["model"]["status"] == "error"


async def test_streamed_text_cannot_ping_or_hide_a_link(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = (
        "Tell <!channel> and <!here> and @everyone now\n"
        "[https://apps.apple.com/verify](http://evil.example/phish) <@U0BOSS>\n"
        "Last line"
    )
    await mention(harness, "Facebook", "EvLive5")
    [stream] = harness.slack.live.streams()
    assert "<!" not in stream.text and "<@" not in stream.text
    assert "@\u200beveryone" in stream.text
    assert "](http://evil.example/phish)" not in stream.text
    assert "http://evil.example/phish" in stream.text  # the real target, in plain sight


@SLOW
async def test_a_slash_command_shows_progress_in_its_note_within_the_response_urls_uses(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = LONG_ANSWER
    router.first_token_delay = 0.2
    router.tokens_per_second = 30  # about 5 s: long enough for the note to show text
    _, fields = await harness.slash("Facebook")
    await harness.settled()

    key = fields["response_url"].rsplit("/", 1)[1]
    note = harness.slack.notes[key]
    assert len(note) == 3  # the plan, the text so far once, then deleted
    assert "Looking up “Facebook”" in json.dumps(note[0], ensure_ascii=False)
    assert "Idea 0:" in json.dumps(note[1])
    assert note[2] == {"deleted": True}
    [reply] = harness.slack.posted
    assert reply.payload["response_type"] == "in_channel"
    assert "Idea 11:" in reply.all_text()  # the whole answer
    assert harness.slack.response_url_uses[key] == 4  # one of the five left for an apology


async def test_a_cached_answer_is_posted_at_once_without_a_stream(
    harness: SlackHarness, router: FakeRouter
) -> None:
    await mention(harness, "Facebook", "EvLive6")
    await mention(harness, "facebook", "EvLive7")
    assert len(harness.slack.live.streams()) == 1  # only the first one streamed
    assert [p.where for p in harness.slack.posted] == ["chat.stopStream", "chat.postMessage"]
    assert "Cached AI answer" in harness.slack.posted[1].all_text()


async def test_a_direct_message_is_answered_with_a_stream_in_the_dm(
    harness: SlackHarness, router: FakeRouter
) -> None:
    await harness.event(harness.slack.direct_message("Facebook", event_id="EvDm1"))
    await harness.settled()
    [stream] = harness.slack.live.streams()
    assert stream.channel == "D0001" and not stream.streaming
    assert "History and widgets" in stream.text
    # The bot's own messages in the DM (and edits) are not commands.
    echo = harness.slack.direct_message("Facebook", event_id="EvDm2")
    echo["event"]["bot_id"] = "B0001"
    edited = harness.slack.direct_message("Facebook", event_id="EvDm3")
    edited["event"]["subtype"] = "message_changed"
    for event in (echo, edited):
        await harness.event(event)
    await harness.settled()
    assert len(harness.slack.live.streams()) == 1
    assert len(router.completion_calls()) == 1


async def test_when_updates_keep_being_rate_limited_the_reply_is_posted_fresh(
    harness: SlackHarness, router: FakeRouter
) -> None:
    """Streaming is refused and every `chat.update` answers 429 past the client's retries: the
    final reply still arrives, once, as a new message in the thread."""
    harness.slack.live.refuse_streams = "method_not_supported_for_channel_type"
    limited = Reply(429, b'{"ok": false, "error": "ratelimited"}', {"Retry-After": "0"})
    harness.slack.enqueue(*[limited] * 20, path="/api/chat.update")
    await harness.event(harness.slack.mention("Facebook", event_id="EvLimited"))
    await harness.settled()
    [plan, reply] = harness.slack.live.messages.values()
    assert "Scouting Facebook…" in plan.history[-1].text  # never turned into the reply
    assert [c.method for c in reply.history] == ["chat.postMessage"]
    blocks = json.dumps(reply.history[0].blocks, ensure_ascii=False)
    assert "Facebook · Opportunity analysis" in blocks
    updates = [r for r in harness.slack.requests if r.path == "/api/chat.update"]
    assert len(updates) >= 3  # the client retried (twice), then the reply went fresh
