"""RouterClient with tools: the model's `tool_calls`, whole and streamed, results sent back as
`role: "tool"` messages, and providers that refuse tools — against the fake router."""

from __future__ import annotations

import json

import pytest

from bot.ai import FailureKind, Message, RouterFailure, ToolCall, ToolSpec
from tests.conftest import ClientFactory
from tests.fake_router import DEFAULT_ANSWER, FakeRouter

FIND_APP = ToolSpec(
    "find_app",
    "Find an App Store app by name, id or link.",
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "country": {"type": "string"}},
        "required": ["name"],
    },
)
MESSAGES = [Message("system", "You are Trend Scout."), Message("user", "Compare PCalc.")]


class Seen:
    def __init__(self) -> None:
        self.text = ""

    def __call__(self, piece: str) -> None:
        self.text += piece


@pytest.mark.parametrize("streamed", [False, True])
async def test_the_model_asks_for_tools_and_gets_their_results_back(
    make_client: ClientFactory, router: FakeRouter, streamed: bool
) -> None:
    router.tool_rounds = [
        [("find_app", '{"name": "PCalc", "country": "gb"}'), ("find_app", '{"name": "Soulver"}')]
    ]
    client, seen = make_client(), Seen()
    first = await (
        client.stream(MESSAGES, seen, tools=[FIND_APP])
        if streamed
        else client.complete(MESSAGES, tools=[FIND_APP])
    )
    assert first.text == "" and seen.text == ""  # nothing for users: the model is looking up
    assert [(c.name, c.parsed()) for c in first.tool_calls] == [
        ("find_app", {"name": "PCalc", "country": "gb"}),
        ("find_app", {"name": "Soulver"}),
    ]
    sent = router.completion_calls()[0].body
    assert sent["tools"] == [FIND_APP.as_dict()] and sent["tool_choice"] == "auto"

    # The results go back after the model's own turn; the model then answers in words.
    results = [Message.tool_result(call, {"found": call.parsed()}) for call in first.tool_calls]
    follow_up = [*MESSAGES, Message.calls(first.tool_calls), *results]
    second = await (
        client.stream(follow_up, seen, tools=[FIND_APP])
        if streamed
        else client.complete(follow_up, tools=[FIND_APP])
    )
    assert second.text == DEFAULT_ANSWER.strip() and second.tool_calls == ()
    body = router.completion_calls()[1].body
    assistant, *tools = body["messages"][2:]
    assert assistant["content"] is None and len(assistant["tool_calls"]) == 2
    assert [t["tool_call_id"] for t in tools] == [c.id for c in first.tool_calls]
    assert json.loads(tools[0]["content"]) == {"found": {"name": "PCalc", "country": "gb"}}


async def test_bad_arguments_and_unknown_tools_come_through_for_the_caller_to_refuse(
    make_client: ClientFactory, router: FakeRouter
) -> None:
    router.tool_rounds = [[("find_app", "{name: PCalc"), ("delete_everything", "{}")]]
    completion = await make_client().complete(MESSAGES, tools=[FIND_APP])
    broken, unknown = completion.tool_calls
    assert broken.parsed() is None  # the model's malformed JSON, never evaluated
    assert unknown.name == "delete_everything"


async def test_a_provider_that_refuses_tools_is_asked_again_without_them(
    make_client: ClientFactory, router: FakeRouter
) -> None:
    router.supports_tools = False
    router.tool_rounds = [[("find_app", '{"name": "PCalc"}')]]
    completion = await make_client().complete(MESSAGES, tools=[FIND_APP])
    assert completion.tools_refused and completion.text == DEFAULT_ANSWER.strip()
    first, second = (call.body for call in router.completion_calls())
    assert "tools" in first and "tools" not in second and "tool_choice" not in second


async def test_a_tool_result_that_answers_no_call_is_refused_like_the_real_api(
    make_client: ClientFactory, router: FakeRouter
) -> None:
    orphan = Message.tool_result(ToolCall("call_404", "find_app", "{}"), {"found": None})
    with pytest.raises(RouterFailure) as caught:
        await make_client(max_retries=0).complete([*MESSAGES, orphan])
    assert caught.value.kind is FailureKind.REQUEST_REJECTED
    assert "a tool message must answer a preceding tool call" in caught.value.detail
