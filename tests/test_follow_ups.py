"""Follow-ups on every platform: an answer, then two questions in its thread, reply chain, DM or
console session — the second still grounded in the first answer's facts — with context that
never crosses conversations, and shared by two workers through a real Redis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.cache import (
    ConversationContext,
    MemoryConversationStore,
    MemoryUserLimiter,
    RedisBackend,
    RedisConversationStore,
)
from bot.commands.grammar import parse
from bot.intake.turns import Conversation
from bot.report.report import ReportKind, Source
from bot.runtime import Caller
from tests.conftest import ServiceFactory
from tests.discord_harness import DiscordHarness
from tests.fake_appstore import FakeAppStore
from tests.fake_discord import BOT_ID
from tests.fake_router import DEFAULT_ANSWER, DEFAULT_KEY, FakeRouter
from tests.helpers import run_bot, wait_for
from tests.slack_harness import SlackHarness

FIRST_QUESTION = "what would you charge?"
SECOND_QUESTION = "which complaint is cheapest to fix?"


def conversation_sent(router: FakeRouter, index: int = -1) -> tuple[dict[str, Any], list[Any]]:
    """The DATA the model was given, and the turns after it, of a follow-up request."""
    _system, data, *turns = router.completion_calls()[index].body["messages"]
    facts = json.loads(data["content"].removeprefix("DATA:\n"))
    return facts, [(t["role"], t["content"]) for t in turns]


def assert_grounded_dialogue(router: FakeRouter) -> None:
    """The second follow-up saw the first answer's facts and the first exchange."""
    facts, turns = conversation_sent(router)
    assert facts["app"]["name"] == "Webster Bank"
    assert facts["reviews"]["complaints"][0]["theme"] == "crashes & bugs"
    assert [role for role, _ in turns] == ["user", "assistant", "user"]
    assert turns[0][1] == FIRST_QUESTION and turns[-1][1] == SECOND_QUESTION


async def test_slack_follow_ups_in_the_answers_thread_and_in_a_dm(
    harness: SlackHarness, router: FakeRouter
) -> None:
    mention = harness.slack.mention("Webster Bank", event_id="EvF1")
    await harness.event(mention)
    await harness.settled()
    thread = mention["event"]["ts"]
    for n, question in enumerate((FIRST_QUESTION, SECOND_QUESTION), start=2):
        follow_up = harness.slack.mention(question, event_id=f"EvF{n}")
        follow_up["event"]["thread_ts"] = thread
        await harness.event(follow_up)
        await harness.settled()
    streams = harness.slack.live.streams()
    assert [s.thread_ts for s in streams] == [thread] * 3  # all in the answer's thread
    assert not any(s.streaming for s in streams)
    assert_grounded_dialogue(router)
    # A mention in another thread of the same channel knows nothing of it: a new command.
    elsewhere = harness.slack.mention(FIRST_QUESTION, event_id="EvF9")
    elsewhere["event"]["thread_ts"] = "1700000000.999999"
    await harness.event(elsewhere)
    await harness.settled()
    _facts, turns = conversation_sent(router)
    assert turns[-1][1] == SECOND_QUESTION  # no model call was made about the other thread

    # A DM: plain language works from the first message, and the next one goes on from it.
    for n, text in enumerate(("compare Webster Bank, Facebook", FIRST_QUESTION)):
        await harness.event(harness.slack.direct_message(text, event_id=f"EvDm{n}"))
        await harness.settled()
    facts, turns = conversation_sent(router)
    assert [app["name"] for app in facts["apps"]] == ["Webster Bank", "Facebook"]
    assert turns == [("user", FIRST_QUESTION)]


async def test_discord_follow_ups_in_a_reply_chain(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    fake = discord_harness.fake
    discord_harness.mention("Webster Bank")
    await wait_for(discord_harness.replied, what="the answer")
    for count, question in enumerate((FIRST_QUESTION, SECOND_QUESTION), start=2):
        answer = fake.sent[-1]  # reply to the newest answer, as a user would
        reply = fake.message(f"<@{BOT_ID}> {question}", reply_to=answer.message_id)
        fake.dispatch("MESSAGE_CREATE", reply)
        await wait_for(lambda n=count: len(fake.sent) == n, what=f"answer {count}")
        await wait_for(discord_harness.replied, what="the final answer")
    assert_grounded_dialogue(router)
    titles = [m.embeds[0]["title"] for m in fake.sent]
    assert titles == ["Webster Bank · Opportunity analysis", *["Webster Bank · Answer"] * 2]


def test_the_console_goes_on_until_a_new_command(tmp_path: Path) -> None:
    lines = [
        "/scout Webster Bank",
        FIRST_QUESTION,
        SECOND_QUESTION,
        "/scout new",
        FIRST_QUESTION,  # a command again: nothing to follow up
    ]
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = run_bot(
            "\n".join(lines) + "\n",
            tmp_path,
            "--json",
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        )
        assert result.returncode == 0, result.stderr
        replies = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["kind"] for r in replies] == ["analysis", "answer", "answer", "help", "error"]
        assert replies[1]["subject"] == "Webster Bank" and replies[1]["source"] == "ai"
        assert_grounded_dialogue(router)


async def test_two_workers_share_a_conversation_and_conversations_stay_apart(
    make_grounded_service: ServiceFactory, router: FakeRouter, redis_url: str
) -> None:
    backend = RedisBackend(redis_url)
    await backend.client.flushdb()
    try:
        workers = [
            Conversation(
                make_grounded_service(),
                MemoryUserLimiter(10),
                store=RedisConversationStore(backend, MemoryConversationStore(600), 600),
            )
            for _ in range(2)
        ]
        alice = Caller("slack", "U1", workspace="T1")
        first = await workers[0].begin(alice, "Webster Bank", "C1:1.0")
        report = await workers[0].answer(first)
        await workers[0].remember(first, report, "C1:1.0")
        # The follow-up lands on the other worker: it knows the conversation.
        follow_up = await workers[1].begin(alice, FIRST_QUESTION, "C1:1.0")
        assert follow_up.question == FIRST_QUESTION
        answer = await workers[1].answer(follow_up)
        assert answer.kind is ReportKind.ANSWER and answer.source is Source.AI
        await workers[1].remember(follow_up, answer, "C1:1.0")
        context = await workers[0].store.get(workers[0].place(alice, "C1:1.0"))
        assert isinstance(context, ConversationContext) and len(context.exchanges) == 2
        # The same thread id in another workspace, and another thread: no context.
        other_team = await workers[1].begin(Caller("slack", "U1", "T2"), FIRST_QUESTION, "C1:1.0")
        other_thread = await workers[1].begin(alice, FIRST_QUESTION, "C1:2.0")
        assert other_team.question is None and other_thread.question is None
        assert other_team.command == parse(FIRST_QUESTION)
    finally:
        await backend.aclose()


async def test_discord_follow_ups_in_a_dm_and_in_a_thread_started_from_an_answer(
    discord_harness: DiscordHarness, router: FakeRouter
) -> None:
    fake = discord_harness.fake
    # A DM: no mention needed, plain language from the first message.
    fake.dispatch("MESSAGE_CREATE", fake.message("is Webster Bank worth cloning?", guild=False))
    await wait_for(discord_harness.replied, what="the DM answer")
    fake.dispatch("MESSAGE_CREATE", fake.message(FIRST_QUESTION, guild=False))
    await wait_for(lambda: len(fake.sent) == 2, what="the DM follow-up")
    await wait_for(discord_harness.replied, what="its final state")
    _facts, turns = conversation_sent(router)
    assert turns == [
        ("user", "is Webster Bank worth cloning?"),
        ("assistant", DEFAULT_ANSWER.strip()),
        ("user", FIRST_QUESTION),
    ]

    # A thread started from an answer: its id is the answer's, so it goes on from it.
    discord_harness.mention("Webster Bank")
    await wait_for(lambda: len(fake.sent) == 3, what="the answer")
    await wait_for(discord_harness.replied, what="its final state")
    answer = fake.sent[-1]
    fake.dispatch("THREAD_CREATE", fake.thread(answer.message_id, "Webster Bank"))
    fake.dispatch(
        "MESSAGE_CREATE",
        fake.message(f"<@{BOT_ID}> {FIRST_QUESTION}", channel_id=answer.message_id),
    )
    await wait_for(lambda: len(fake.sent) == 4, what="the answer in the thread")
    await wait_for(discord_harness.replied, what="its final state")
    facts, turns = conversation_sent(router)
    assert facts["app"]["name"] == "Webster Bank" and turns == [("user", FIRST_QUESTION)]
    assert fake.sent[-1].channel_id == answer.message_id


async def test_an_empty_mention_in_a_conversation_is_help_and_the_model_being_down_is_not_kept(
    make_grounded_service: ServiceFactory,
) -> None:
    conversation = Conversation(make_grounded_service(api_key=None), MemoryUserLimiter(10))
    alice = Caller("discord", "U1", workspace="G1")
    first = await conversation.begin(alice, "Webster Bank", "msg:1")
    await conversation.remember(first, await conversation.answer(first), "msg:1")
    empty = await conversation.begin(alice, "   ", "msg:1")
    assert empty.question is None and empty.command == parse("help")
    asked = await conversation.begin(alice, FIRST_QUESTION, "msg:1")
    answer = await conversation.answer(asked)
    assert answer.source is Source.FALLBACK and "Commands still work" in answer.text
    await conversation.remember(asked, answer, "msg:2")
    assert await conversation.store.get(conversation.place(alice, "msg:2")) is None
