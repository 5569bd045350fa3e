"""A loopback fake of Hugging Face's OpenAI-compatible router (`POST /v1/chat/completions`).

A real HTTP server (aiohttp) on 127.0.0.1, in its own thread and event loop, so that in-process
clients, subprocesses and benchmarks can all talk to it. Faithful where it matters:

- `Authorization: Bearer <key>` is checked: a wrong key gets 401 with a string `error` body;
- the body is validated like the router does (model, messages, max_tokens, reasoning_effort);
- an unknown model gets 400 with `code: model_not_supported`;
- gpt-oss spends reasoning tokens out of `max_tokens`: when the budget does not cover the
  reasoning, `content` is null and `finish_reason` is "length" (the real failure mode);
- the response `model` is the provider's own id and `x-inference-provider` names the provider;
- `"stream": true` gets server-sent events as providers send them: a role chunk, reasoning
  deltas (`delta.reasoning`), then content deltas after `first_token_delay` seconds at
  `tokens_per_second`, a chunk with `finish_reason`, the usage chunk (`choices: []`) when
  `stream_options.include_usage` asks for it, and `data: [DONE]`; `stream_fault` makes the next
  stream fail after N content chunks with a `data: {"error": …}` event (`("error", N)`) or by
  closing without `[DONE]` (`("cut", N)`).
- function calling: `tools` are validated; while `tool_rounds` remain, a request offering tools
  gets the next round's `tool_calls` (`finish_reason: "tool_calls"`, no content; streamed as
  `delta.tool_calls` pieces); a `role: "tool"` message must answer a call made before it (400
  otherwise, as OpenAI's API does); `supports_tools = False` answers 400 naming `tools`.

Tests script faults with `enqueue(Reply...)`; each scripted reply serves one request, then the
default behaviour (a normal answer after `latency` seconds) resumes.

Run standalone for benchmarks: `python -m tests.fake_router --port 8099 --latency 0.5`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.loopback import LoopbackServer, RecordedRequest, Reply, json_response

__all__ = ["FakeRouter", "RecordedRequest", "Reply", "completion_reply"]

DEFAULT_KEY = "hf_fake_test_key"
DEFAULT_MODELS = ("openai/gpt-oss-120b", "openai/gpt-oss-20b", "meta-llama/Llama-3.3-70B-Instruct")
PROVIDER = "fake-provider"
DEFAULT_ANSWER = (
    "**Improvements**\n- Faster input\n- History and widgets\n\n"
    "**Monetization**\n- One-time Pro unlock at $4.99\n\n"
    "**Build estimate**\n- 4 weeks for one developer\n"
)


def long_answer(words: int) -> str:
    """An answer of about `words` words (one streamed token each), in lines of twelve."""
    lines = [f"- Idea {i}: " + "word " * 10 for i in range(max(1, words // 12))]
    return "**Improvements**\n" + "\n".join(line.rstrip() for line in lines)


REASONING_TEXT = "The user wants an analysis. Let me think about the market first."


def completion_reply(
    content: str | None,
    finish_reason: str = "stop",
    reasoning: str | None = REASONING_TEXT,
    model: str = "gpt-oss-120b",
) -> Reply:
    """A scripted 200 with a chat completion of the given content."""
    return Reply(200, json.dumps(_completion(model, content, finish_reason, reasoning)).encode())


def _completion(
    model: str,
    content: str | None,
    finish_reason: str,
    reasoning: str | None,
    tool_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    completion_tokens = len((content or "").split()) + len((reasoning or "").split())
    message: dict[str, Any] = {"role": "assistant", "content": content, "reasoning": reasoning}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": 120,
            "completion_tokens": completion_tokens,
            "total_tokens": 120 + completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": len((reasoning or "").split())},
        },
    }


class FakeRouter(LoopbackServer):
    name = "fake-router"

    def __init__(
        self,
        api_key: str = DEFAULT_KEY,
        models: tuple[str, ...] = DEFAULT_MODELS,
        latency: float = 0.0,
        answer: str = DEFAULT_ANSWER,
        reasoning_cost: int = 0,
        port: int = 0,
    ) -> None:
        super().__init__(port)
        self.api_key = api_key
        self.models = models
        self.latency = latency
        self.answer = answer
        self.reasoning_cost = reasoning_cost  # tokens of reasoning before any content
        self.first_token_delay = 0.0  # streams: seconds before the first content token
        # Requests with a `response_format` (structured output) are answered by this, given the
        # request body; None: with `answer`, like any other.
        self.structured: Callable[[dict[str, Any]], str] | None = None
        self.tokens_per_second = 0.0  # streams: 0 sends every token at once
        self.stream_fault: tuple[str, int] | None = None  # ("error" | "cut", after N chunks)
        # Function calling: while rounds remain, a request that offers tools is answered with
        # the next round's calls — (tool name, arguments as the model writes them) each.
        self.tool_rounds: list[list[tuple[str, str]]] = []
        self.supports_tools = True  # False: a 400 naming `tools`, as providers without them send
        self._call_ids = itertools.count(1)

    def __enter__(self) -> FakeRouter:
        self.start()
        return self

    @property
    def url(self) -> str:
        return f"{self.base_url}/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)

    def completion_calls(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body, scripted = await self.record(request)
        if scripted is not None:
            played = await self.play(request, scripted)
            if played is not None:
                return played
            answer = await self._respond(request, body)
            answer.headers.update(scripted.headers)
            return answer
        if self.latency:
            await asyncio.sleep(self.latency)
        return await self._respond(request, body)

    async def _respond(self, request: web.Request, body: Any) -> web.StreamResponse:
        answer = self._answer(request, body)
        if answer.status != 200 or not (isinstance(body, dict) and body.get("stream")):
            return answer
        return await self._stream(request, body, json.loads(answer.body))  # type: ignore[arg-type]

    async def _stream(
        self, request: web.Request, body: dict[str, Any], payload: dict[str, Any]
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "x-inference-provider": PROVIDER}
        )
        await response.prepare(request)
        fault, self.stream_fault = self.stream_fault, None
        choice = payload["choices"][0]
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": payload["model"]}

        async def send(event: dict[str, Any]) -> None:
            await response.write(b"data: " + json.dumps(event).encode() + b"\n\n")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        await send(chunk({"role": "assistant", "content": ""}))
        for word in (choice["message"]["reasoning"] or "").split(" "):
            await send(chunk({"reasoning": word + " "}))
        for index, call in enumerate(choice["message"].get("tool_calls") or []):
            arguments = call["function"]["arguments"]
            head = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            await send(chunk({"tool_calls": [{"index": index, **head}]}))
            for piece in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]):
                await send(
                    chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                )
        if self.first_token_delay:
            await asyncio.sleep(self.first_token_delay)
        content = choice["message"]["content"] or ""
        tokens = [piece + " " for piece in content.split(" ")] if content else []
        tokens[-1:] = [tokens[-1].rstrip(" ")] if tokens else []
        for sent, token in enumerate(tokens):
            if fault is not None and sent == fault[1]:
                if fault[0] == "error":
                    await send({"error": {"message": "Upstream provider error", "code": 502}})
                await response.write_eof()
                return response
            await send(chunk({"content": token}))
            if self.tokens_per_second:
                await asyncio.sleep(1 / self.tokens_per_second)
        await send(chunk({}, choice["finish_reason"]))
        if (body.get("stream_options") or {}).get("include_usage"):
            await send({**base, "choices": [], "usage": payload["usage"]})
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.api_key}":
            return json_response(401, {"error": "Invalid credentials in Authorization header"})
        problem = _validate(body)
        if problem:
            return json_response(
                400, {"error": {"message": problem, "type": "invalid_request_error"}}
            )
        model = body["model"]
        if model not in self.models:
            return json_response(
                400,
                {
                    "error": {
                        "message": f"The requested model '{model}' is not supported by any "
                        "provider you have enabled.",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_supported",
                    }
                },
            )
        provider_model = model.split("/")[-1].lower()
        if body.get("tools") and not self.supports_tools:
            return json_response(
                400,
                {
                    "error": {
                        "message": "tools is not supported for this model",
                        "type": "invalid_request_error",
                        "param": "tools",
                    }
                },
            )
        if body.get("tools") and self.tool_rounds:
            calls = [
                {
                    "id": f"call_{next(self._call_ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
                for name, arguments in self.tool_rounds.pop(0)
            ]
            payload = _completion(provider_model, None, "tool_calls", REASONING_TEXT, calls)
            return json_response(200, payload, {"x-inference-provider": PROVIDER})
        answer = self.answer
        if body.get("response_format") is not None and self.structured is not None:
            answer = self.structured(body)  # a structured-output request (JSON schema)
        if body["max_tokens"] <= self.reasoning_cost:
            payload = _completion(provider_model, None, "length", REASONING_TEXT)
        else:
            payload = _completion(provider_model, answer, "stop", REASONING_TEXT)
        return json_response(200, payload, {"x-inference-provider": PROVIDER})


def _validate(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if not isinstance(body.get("model"), str):
        return "model: field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: must be a non-empty list"
    called: set[str] = set()  # tool call ids the assistant made so far
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("system", "user", "assistant", "tool"):
            return "messages: each message needs a role"
        calls = message.get("tool_calls")
        if role == "assistant" and calls:
            if not isinstance(calls, list) or not all(
                isinstance(c, dict) and isinstance(c.get("id"), str) for c in calls
            ):
                return "messages: tool_calls must be a list of calls with ids"
            called.update(c["id"] for c in calls)
        elif role == "tool":
            if message.get("tool_call_id") not in called:
                return "messages: a tool message must answer a preceding tool call"
            if not isinstance(message.get("content"), str):
                return "messages: content must be a string"
        elif not isinstance(message.get("content"), str):
            return "messages: content must be a string"
    tools = body.get("tools")
    if tools is not None and not (
        isinstance(tools, list)
        and all(
            isinstance(t, dict)
            and t.get("type") == "function"
            and isinstance(t.get("function"), dict)
            and isinstance(t["function"].get("name"), str)
            and isinstance(t["function"].get("parameters"), dict)
            for t in tools
        )
    ):
        return "tools: each tool must be a function with a name and parameters"
    response_format = body.get("response_format")
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        schema = (response_format.get("json_schema") or {}) if kind == "json_schema" else {}
        if kind not in ("text", "json_object", "json_schema") or (
            kind == "json_schema"
            and not (isinstance(schema.get("name"), str) and isinstance(schema.get("schema"), dict))
        ):
            return "response_format: text, json_object, or json_schema with a name and a schema"
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        return "max_tokens: must be a positive integer"
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in ("low", "medium", "high"):
        return "reasoning_effort: must be one of low, medium, high"
    for name, low, high in (("temperature", 0, 2), ("top_p", 0, 1)):
        value = body.get(name)
        if value is not None and not (isinstance(value, int | float) and low <= value <= high):
            return f"{name}: must be between {low} and {high}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description="loopback fake Hugging Face router")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--key", default=DEFAULT_KEY)
    parser.add_argument("--first-token-delay", type=float, default=0.0, help="streams, seconds")
    parser.add_argument("--tokens-per-second", type=float, default=0.0, help="streams; 0: at once")
    parser.add_argument("--answer-words", type=int, default=0, help="0: the default answer")
    args = parser.parse_args()
    router = FakeRouter(api_key=args.key, latency=args.latency, port=args.port)
    router.first_token_delay = args.first_token_delay
    router.tokens_per_second = args.tokens_per_second
    if args.answer_words:
        router.answer = long_answer(args.answer_words)
    router.start()
    print(f"fake router on {router.url} (latency {args.latency}s)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        router.stop()


if __name__ == "__main__":
    main()
