"""The Slack adapter on the real slack_bolt/slack_sdk, against the loopback fake Slack."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from adapters.slack.markup import ACTION_BUILD, ACTION_GAPS, ACTION_REFRESH
from tests.fake_router import FakeRouter, Reply
from tests.fake_slack import (
    FakeSlack,
    Posted,
    block_problem,
    form_body,
    sign,
)
from tests.helpers import wait_for
from tests.hostile import PHISHING
from tests.slack_harness import SlackHarness


def header(posted: Posted) -> str:
    return next(b["text"]["text"] for b in posted.blocks if b["type"] == "header")


def context(posted: Posted) -> str:
    return " | ".join(
        e["text"] for b in posted.blocks if b["type"] == "context" for e in b["elements"]
    )


async def test_slash_command_acks_at_once_then_posts_blocks_in_the_channel(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.latency = 0.5
    response, fields = await harness.slash("Facebook")

    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": "Scouting Facebook…"}
    assert harness.slack.posted == []  # the ack came before the answer (its speed: the bench)

    await wait_for(lambda: harness.slack.posted, what="the reply")
    [reply] = harness.slack.posted
    assert reply.where == "response_url"
    assert reply.payload["response_type"] == "in_channel"
    assert header(reply) == "Facebook · Opportunity analysis"
    fields_block = next(b for b in reply.blocks if b.get("fields"))
    field_texts = [f["text"] for f in fields_block["fields"]]
    assert "*Category*\nSocial Networking" in field_texts
    assert "*Rating*\n3.5★ from 2,840,784 ratings" in field_texts
    assert any("Clone score" in json.dumps(b) for b in reply.blocks)
    assert any(b["type"] == "markdown" and "History and widgets" in b["text"] for b in reply.blocks)
    assert "AI answer · gpt-oss-120b via fake-provider" in context(reply)
    assert reply.text == "Opportunity analysis: Facebook"
    assert block_problem(reply.blocks) is None
    buttons = [e for b in reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ACTION_GAPS, "gaps Social Networking"),
        (ACTION_BUILD, "build id:284882215"),
        (ACTION_REFRESH, "Facebook --fresh"),
    ]
    # The private "Scouting…" note showed the plan while the answer was made, then went away;
    # a use of the response_url is always left for an apology.
    await harness.settled()  # the note is deleted just after the answer is posted
    url_key = fields["response_url"].rsplit("/", 1)[1]
    note = harness.slack.notes[url_key]
    assert "Looking up “Facebook” in the US App Store" in json.dumps(note[0], ensure_ascii=False)
    assert note[-1] == {"deleted": True}
    assert harness.slack.response_url_uses[url_key] == len(note) + 1 <= 4


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=forged"},
        "stale",
        {},
    ],
    ids=["forged", "stale-timestamp", "unsigned"],
)
async def test_unsigned_forged_or_stale_requests_are_refused(
    harness: SlackHarness, router: FakeRouter, headers: Any
) -> None:
    body = form_body(harness.slack.slash_command("Facebook"))
    if headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 6 * 60)
    response = await harness.http.post(
        f"{harness.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert response.status_code == 401
    assert harness.adapter.in_flight == set()  # nothing was taken on
    assert harness.slack.posted == [] and router.completion_calls() == []


async def test_help_and_usage_errors_are_private_in_the_ack(
    harness: SlackHarness, router: FakeRouter
) -> None:
    response, _ = await harness.slash("")
    assert response.json()["response_type"] == "ephemeral"
    help_text = response.json()["blocks"][0]["text"]["text"]
    assert help_text.startswith("*How to use Trend Scout*")  # Slack's mrkdwn, not Markdown
    assert "**" not in help_text
    bad, _ = await harness.slash("Facebook --bogus")
    assert "Unknown option" in json.dumps(bad.json())
    assert harness.adapter.in_flight == set()  # answered in the ack, nothing left to do
    assert harness.slack.posted == [] and router.completion_calls() == []


async def test_unknown_app_is_told_privately(harness: SlackHarness, router: FakeRouter) -> None:
    await harness.slash("zzqx nothing")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    [reply] = harness.slack.posted
    assert reply.payload["response_type"] == "ephemeral"
    assert "No App Store app matched" in reply.all_text()
    assert router.completion_calls() == []


@pytest.mark.parametrize(
    ("action_id", "value", "expected_header"),
    [
        (ACTION_GAPS, "gaps Utilities", "Utilities · Market gaps"),
        (ACTION_BUILD, "build id:284882215", "Facebook · Build guide"),
        (ACTION_REFRESH, "Facebook --fresh", "Facebook · Opportunity analysis"),
    ],
)
async def test_each_button_is_acknowledged_and_answered(
    harness: SlackHarness, action_id: str, value: str, expected_header: str
) -> None:
    response = await harness.click(action_id, value)
    assert response.status_code == 200
    await wait_for(lambda: harness.slack.posted, what="the button's answer")
    [reply] = harness.slack.posted
    assert reply.where == "response_url"
    assert reply.payload["response_type"] == "in_channel"
    assert reply.payload["replace_original"] is False
    assert header(reply) == expected_header


async def test_mention_delivered_twice_gets_one_threaded_reply(
    harness: SlackHarness, router: FakeRouter
) -> None:
    event = harness.slack.mention("Facebook", event_id="Ev0001")
    first = await harness.event(event)
    second = await harness.event(event)  # Slack's retry of the same event
    assert (first.status_code, second.status_code) == (200, 200)
    await harness.settled()
    [reply] = harness.slack.posted
    assert reply.where == "chat.stopStream"
    [stream] = harness.slack.live.streams()
    assert (stream.channel, stream.thread_ts) == ("C0001", event["event"]["ts"])
    assert "History and widgets" in reply.text  # the answer, streamed into the thread
    facts = [f["text"] for b in reply.blocks for f in b.get("fields", [])]
    assert "*Category*\nSocial Networking" in facts  # the facts below it
    assert len(router.completion_calls()) == 1


async def test_an_oversized_answer_still_makes_valid_blocks(
    harness: SlackHarness, router: FakeRouter
) -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 120 for i in range(60)]  # ~38k characters
    router.answer = "\n\n".join(paragraphs)
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    [reply] = harness.slack.posted
    assert block_problem(reply.blocks) is None
    markdown = [b["text"] for b in reply.blocks if b["type"] == "markdown"]
    assert sum(len(text) for text in markdown) <= 12_000
    assert markdown[-1] == "_…the rest was too long for one Slack message._"
    assert all(text.rstrip().endswith(("word", "message._")) for text in markdown)


async def test_mass_mentions_in_model_output_never_ping(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = "Tell <!channel> and <!here> and <@U999> and @everyone and <!subteam^S1>."
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    text = harness.slack.posted[0].all_text()
    for ping in ("<!channel>", "<!here>", "<@U999>", "<!subteam", "@everyone"):
        assert ping not in text
    assert "&lt;!channel&gt;" in text


async def test_links_in_the_answer_show_their_real_target(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.answer = PHISHING
    await harness.slash("Facebook")
    await harness.settled()
    [reply] = harness.slack.posted
    answer = " ".join(b["text"] for b in reply.blocks if b["type"] == "markdown")
    assert "https://apps.apple.com/verify (http://evil.example/phish)" in answer
    assert "apps.apple.com (http://evil.example/phish)" in answer
    assert "](" not in answer and "pixel.gif" not in answer and "javascript:" not in answer
    facts = next(b for b in reply.blocks if b.get("fields"))["text"]["text"]
    # Apple's own link (from its data, not the model's) stays clickable.
    assert facts.startswith("*<https://itunes.apple.com/us/app/facebook/id284882215")


async def test_router_down_gives_labelled_fallback_in_the_channel(
    harness: SlackHarness, router: FakeRouter
) -> None:
    router.always(Reply.error(503, "down"), count=50)
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, within=15, what="the fallback")
    [reply] = harness.slack.posted
    assert reply.payload["response_type"] == "in_channel"
    assert "Rule-based advice" in context(reply)
    assert "The AI service is down or overloaded — showing rule-based advice" in context(reply)
    assert reply.text == "Opportunity analysis: Facebook (rule-based advice)"


async def test_rejected_blocks_fall_back_to_plain_text_once(
    harness: SlackHarness, router: FakeRouter
) -> None:
    harness.slack.enqueue(
        Reply(400, b"invalid_blocks", content_type="text/plain"), path="/response/R1"
    )
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the plain reply")
    [reply] = harness.slack.posted
    assert reply.blocks[0]["text"]["type"] == "plain_text"
    assert "Facebook" in reply.text


async def test_a_429_on_chat_post_message_is_waited_out(
    harness: SlackHarness, router: FakeRouter
) -> None:
    harness.slack.live.refuse_streams = "not_allowed"  # so the reply is a posted message
    harness.slack.enqueue(
        Reply(
            429, json.dumps({"ok": False, "error": "ratelimited"}).encode(), {"Retry-After": "1"}
        ),
        path="/api/chat.postMessage",
    )
    await harness.event(harness.slack.mention("Facebook", event_id="Ev0429"))
    await harness.settled()
    [reply] = harness.slack.posted
    assert reply.where == "chat.update"  # posted after the 429, then made the full reply
    assert header(reply) == "Facebook · Opportunity analysis"  # the reply itself, not an apology
    attempts = [r for r in harness.slack.requests if r.path == "/api/chat.postMessage"]
    assert len(attempts) == 2


@pytest.mark.parametrize("harness", [{"per_minute": 2}], indirect=True)
async def test_per_user_limit_answers_kindly_without_a_model_call(
    harness: SlackHarness, router: FakeRouter
) -> None:
    for _ in range(2):
        await harness.slash("Facebook")
    limited, _ = await harness.slash("Facebook")
    assert "You're scouting fast" in limited.json()["text"]
    other_user, _ = await harness.slash("help", user="U0002")
    assert "How to use" in json.dumps(other_user.json())
    await wait_for(lambda: len(harness.slack.posted) == 2, what="two replies")
    assert len(router.completion_calls()) == 1  # the second was a cache hit


@pytest.mark.parametrize(
    "harness", [{"allowed_workspaces": {"slack": frozenset({"TOTHER"})}}], indirect=True
)
async def test_workspaces_outside_the_allow_list_are_refused(
    harness: SlackHarness, router: FakeRouter
) -> None:
    response, _ = await harness.slash("Facebook")
    assert response.json()["text"] == "Trend Scout is not enabled for this workspace."
    assert harness.adapter.in_flight == set()
    assert router.completion_calls() == []


async def test_socket_mode_acks_the_envelope_then_replies(
    harness: SlackHarness, router: FakeRouter
) -> None:
    harness.adapter.socket_mode = True
    await harness.adapter.start()
    try:
        await wait_for(harness.slack.socket_connected.is_set, what="the socket")
        envelope_id = harness.slack.deliver(
            "slash_commands", harness.slack.slash_command("Facebook")
        )
        await wait_for(lambda: harness.slack.acks, what="the ack envelope")
        [ack] = harness.slack.acks
        assert ack["envelope_id"] == envelope_id
        assert ack["payload"] == {"response_type": "ephemeral", "text": "Scouting Facebook…"}
        await wait_for(lambda: harness.slack.posted, what="the reply")
        assert header(harness.slack.posted[0]) == "Facebook · Opportunity analysis"

        harness.slack.deliver("events_api", harness.slack.mention("gaps utilities", "Ev77"))
        await wait_for(lambda: len(harness.slack.posted) == 2, what="the mention reply")
        assert harness.slack.posted[1].where == "chat.stopStream"
        assert "*Top apps now*" in harness.slack.posted[1].all_text()
    finally:
        await harness.adapter.close()


async def test_when_slack_refuses_every_form_the_author_gets_a_private_apology(
    harness: SlackHarness, router: FakeRouter
) -> None:
    rejection = Reply(400, b"invalid_blocks", content_type="text/plain")
    # The progress note, the blocks, then plain text: all refused.
    harness.slack.enqueue(rejection, rejection, rejection, path="/response/R1")
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the apology")
    [apology] = harness.slack.posted
    assert apology.payload["response_type"] == "ephemeral"
    assert apology.text == "Sorry — Slack would not take the full reply."
    assert "History and widgets" in apology.all_text()  # the answer itself, still delivered
    assert harness.slack.response_url_uses["R1"] == 1  # the two rejected tries never counted


def test_the_fake_refuses_a_sixth_use_of_a_response_url() -> None:
    with FakeSlack() as slack:
        url = slack.new_response_url()
        statuses = [httpx.post(url, json={"text": "hi"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [404]


@pytest.mark.parametrize("harness", [{"admin_ids": frozenset({"U0001"})}], indirect=True)
async def test_stats_for_an_admin_come_privately_in_the_ack(harness: SlackHarness) -> None:
    await harness.slash("Facebook")
    await wait_for(lambda: harness.slack.posted, what="the reply")
    response, _ = await harness.slash("stats")
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Trend Scout stats" in body["text"] and "Commands: 1 (analysis 1)" in body["text"]
    assert len(harness.slack.posted) == 1  # nothing in the channel


async def test_stats_for_anyone_else_are_refused(harness: SlackHarness) -> None:
    response, _ = await harness.slash("stats")
    assert "for Trend Scout's admins only" in response.json()["text"]


async def test_buttons_carry_the_parsed_command_not_the_raw_text(harness: SlackHarness) -> None:
    typed = "  Face\x07book  " + " " * 300 + "--DEEP   --country=GB "
    await harness.slash(typed)
    await harness.settled()
    buttons = [
        e for b in harness.slack.posted[0].blocks if b["type"] == "actions" for e in b["elements"]
    ]
    refresh = next(b["value"] for b in buttons if b["action_id"] == ACTION_REFRESH)
    assert refresh == "Facebook --country=gb --deep --fresh"


@pytest.mark.parametrize("missing", ["team", "user", "both", "not-an-object"])
async def test_a_button_payload_without_identities_is_refused(
    harness: SlackHarness, router: FakeRouter, missing: str
) -> None:
    payload = harness.slack.button_click(ACTION_BUILD, "build Facebook")
    if missing in ("team", "both"):
        payload["team"] = None
    if missing in ("user", "both"):
        payload["user"] = None
    if missing == "not-an-object":
        payload["team"], payload["user"] = "T0001", ["U0001"]
    body = form_body({"payload": json.dumps(payload)})
    response = await harness.post_signed(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    await harness.settled()
    [reply] = harness.slack.posted
    assert reply.payload["response_type"] == "ephemeral"
    assert "could not tell who sent this" in reply.all_text()
    assert router.completion_calls() == []


async def test_what_users_say_is_shown_under_the_facts(
    harness: SlackHarness, router: FakeRouter
) -> None:
    await harness.slash("Webster Bank")
    await harness.settled()
    [reply] = harness.slack.posted
    evidence = next(
        b for b in reply.blocks if "*What users say*" in b.get("text", {}).get("text", "")
    )
    text = evidence["text"]["text"]
    assert "50 reviews read · 3.3★ recent vs 4.7★ overall · version 8.0.9: 3.3★" in text
    assert "top complaints: crashes &amp; bugs (19), log-in &amp; accounts (12)" in text
    assert text.count("\n> “") == 3  # three quotes, as Slack quotes
    assert "Who else is there:* Chase Mobile" in json.dumps(reply.blocks, ensure_ascii=False)
    assert block_problem(reply.blocks) is None
