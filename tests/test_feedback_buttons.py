"""👍/👎 under the model's answers, end to end on the real client libraries against the fakes:
Slack's `feedback_buttons` (in a `context_actions` block) and Discord's two persistent buttons —
a vote stored, changed, and the voter alone told what it did."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adapters.slack.adapter import SlackAdapter
from bot.database import Database
from bot.feedback import FeedbackStore, VoteTally
from tests.conftest import ServiceFactory, conversation_for
from tests.discord_harness import fake_settings, start_adapter, stop_adapter
from tests.fake_discord import BOT_ID, FakeDiscord
from tests.fake_slack import FakeSlack, form_body
from tests.helpers import wait_for
from tests.slack_harness import SlackHarness, serving, slack_settings


def feedback_values(blocks: list[dict[str, Any]]) -> tuple[str, str]:
    [block] = [b for b in blocks if b["type"] == "context_actions"]
    [element] = block["elements"]
    assert element["type"] == "feedback_buttons"
    assert element["positive_button"]["text"]["text"] == "👍"
    assert element["negative_button"]["text"]["text"] == "👎"
    return element["positive_button"]["value"], element["negative_button"]["value"]


async def click_feedback(harness: SlackHarness, value: str) -> dict[str, Any]:
    """A 👍/👎 click; the private note the voter then sees."""
    before = len(harness.slack.posted)
    payload = harness.slack.feedback_click(value)
    body = form_body({"payload": json.dumps(payload)})
    response = await harness.post_signed(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    await harness.settled()
    [note] = harness.slack.posted[before:]
    assert note.where == "response_url"
    return note.payload


async def test_a_slack_vote_is_stored_changed_and_told_privately(
    make_grounded_service: ServiceFactory, database: Database
) -> None:
    feedback = FeedbackStore(database)
    service = make_grounded_service()
    service.answer_log = feedback
    with FakeSlack() as slack:
        adapter = SlackAdapter(
            conversation_for(service), slack_settings(slack), http_port=0, feedback=feedback
        )
        async with serving(slack, adapter) as harness:
            await harness.event(slack.mention("Facebook", "Ev1"))
            await harness.settled()
            [answer] = [p for p in slack.posted if p.where == "chat.stopStream"]
            up, down = feedback_values(answer.blocks)
            assert up.startswith("up:") and down == "down:" + up.removeprefix("up:")
            await feedback.flush()  # the answer is recorded off the reply's path

            first = await click_feedback(harness, up)
            assert first["response_type"] == "ephemeral" and first["replace_original"] is False
            assert first["text"] == (
                "Thanks — your 👍 is recorded. It helps make the answers better."
            )
            again = await click_feedback(harness, up)
            assert again["text"] == "Your 👍 was already recorded."
            changed = await click_feedback(harness, down)
            assert changed["text"] == "Thanks — your vote is now 👎."
            assert await feedback.shares() == {"analysis": VoteTally(up=0, down=1)}

            stale = await click_feedback(harness, "up:" + "0" * 32)
            assert stale["text"].startswith("That answer can no longer be rated")


async def test_without_a_feedback_store_slack_answers_offer_no_votes(
    harness: SlackHarness,
) -> None:
    await harness.event(harness.slack.mention("Facebook", "Ev1"))
    await harness.settled()
    [answer] = [p for p in harness.slack.posted if p.where == "chat.stopStream"]
    assert all(block["type"] != "context_actions" for block in answer.blocks)


async def test_a_discord_vote_is_stored_changed_and_told_privately(
    make_grounded_service: ServiceFactory, database: Database
) -> None:
    feedback = FeedbackStore(database)
    service = make_grounded_service()
    service.answer_log = feedback
    with FakeDiscord() as fake:
        adapter = await start_adapter(conversation_for(service), fake_settings(fake))
        adapter.feedback = feedback
        try:
            fake.dispatch("MESSAGE_CREATE", fake.message(f"<@{BOT_ID}> Facebook"))
            await wait_for(lambda: fake.sent and not adapter.in_flight, what="the answer")
            await asyncio.gather(*adapter.in_flight)
            reply = fake.sent[-1]
            rows = reply.payload["components"]
            ids = [c["custom_id"] for row in rows for c in row["components"]]
            votes = [i for i in ids if i.startswith("vote:")]
            assert [v.split(":")[1] for v in votes] == ["up", "down"]
            assert ids[: len(ids) - 2] == [i for i in ids if i.startswith("scout:")]
            await feedback.flush()

            async def vote(custom_id: str) -> dict[str, Any]:
                before = len(fake.callbacks)
                answer = fake.message("", mentions_bot=False, author_is_bot=True)
                answer["author"]["id"] = BOT_ID
                answer["components"] = rows  # as Discord sends the message clicked on
                interaction = fake.interaction(
                    3, {"custom_id": custom_id, "component_type": 2}, message=answer
                )
                fake.dispatch("INTERACTION_CREATE", interaction)
                await wait_for(lambda: len(fake.callbacks) > before, what="the vote's answer")
                return fake.callbacks[-1]["body"]

            up = await vote(votes[0])
            assert up["type"] == 4 and up["data"]["flags"] == 64  # only the voter sees it
            assert up["data"]["content"].startswith("Thanks — your 👍 is recorded")
            down = await vote(votes[1])
            assert down["data"]["content"] == "Thanks — your vote is now 👎."
            assert await feedback.shares() == {"analysis": VoteTally(up=0, down=1)}
        finally:
            await stop_adapter(adapter)
