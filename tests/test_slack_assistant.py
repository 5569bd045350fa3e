"""The assistant pane (single-token mode): a question in a DM thread titles the thread after it
and shows a working status, and the answer streams into that thread."""

from __future__ import annotations

from tests.fake_slack import BOT_TOKEN
from tests.slack_harness import SlackHarness


async def test_a_question_in_an_assistant_thread_gets_a_title_a_status_and_the_answer(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    envelope = slack.direct_message("Facebook", "Ev1")
    envelope["event"]["thread_ts"] = "1700000000.000100"
    await harness.event(envelope)
    await harness.settled()
    calls = {call.method: call for call in slack.assistant}
    status, title = calls["assistant.threads.setStatus"], calls["assistant.threads.setTitle"]
    assert status.body["status"] == "is scouting the App Store…" and status.token == BOT_TOKEN
    assert title.body == {
        "channel_id": "D0001",
        "thread_ts": "1700000000.000100",
        "title": "Facebook",
    }
    [answer] = [p for p in slack.posted if p.where in ("chat.stopStream", "chat.postMessage")]
    assert answer.payload["channel"] == "D0001" and "Faster input" in answer.all_text()

    again = slack.direct_message("what about pricing?", "Ev2")
    again["event"]["thread_ts"] = "1700000000.000100"
    await harness.event(again)
    await harness.settled()
    titles = [c for c in slack.assistant if c.method == "assistant.threads.setTitle"]
    assert len(titles) == 1  # the thread keeps the title of its first question
