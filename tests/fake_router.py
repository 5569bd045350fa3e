"""A loopback fake of Hugging Face's OpenAI-compatible router (`POST /v1/chat/completions`).

A real HTTP server (aiohttp) on 127.0.0.1, in its own thread and event loop, so that in-process
clients, subprocesses and benchmarks can all talk to it. Faithful where it matters:

- `Authorization: Bearer <key>` is checked: a wrong key gets 401 with a string `error` body;
- the body is validated like the router does (model, messages, max_tokens, reasoning_effort);
- an unknown model gets 400 with `code: model_not_supported`;
- gpt-oss spends reasoning tokens out of `max_tokens`: when the budget does not cover the
  reasoning, `content` is null and `finish_reason` is "length" (the real failure mode);
- the response `model` is the provider's own id and `x-inference-provider` names the provider.

Tests script faults with `enqueue(Reply...)`; each scripted reply serves one request, then the
default behaviour (a normal answer after `latency` seconds) resumes.

Run standalone for benchmarks: `python -m tests.fake_router --port 8099 --latency 0.5`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_KEY = "hf_fake_test_key"
DEFAULT_MODELS = ("openai/gpt-oss-120b", "openai/gpt-oss-20b", "meta-llama/Llama-3.3-70B-Instruct")
PROVIDER = "fake-provider"
DEFAULT_ANSWER = (
    "**Improvements**\n- Faster input\n- History and widgets\n\n"
    "**Monetization**\n- One-time Pro unlock at $4.99\n\n"
    "**Build estimate**\n- 4 weeks for one developer\n"
)
REASONING_TEXT = "The user wants an analysis. Let me think about the market first."


@dataclass
class Reply:
    """One scripted upstream behaviour."""

    status: int = 200
    body: bytes | None = None  # None: a normal completion built from the request
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    content_type: str = "application/json"

    @classmethod
    def error(
        cls, status: int, error: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> Reply:
        return cls(status, json.dumps({"error": error}).encode(), headers or {}, delay)

    @classmethod
    def completion(
        cls,
        content: str | None,
        finish_reason: str = "stop",
        reasoning: str | None = REASONING_TEXT,
        model: str = "gpt-oss-120b",
    ) -> Reply:
        return cls(200, json.dumps(_completion(model, content, finish_reason, reasoning)).encode())

    @classmethod
    def raw(cls, status: int, body: bytes, content_type: str = "application/json") -> Reply:
        return cls(status, body, content_type=content_type)

    @classmethod
    def html(cls, status: int) -> Reply:
        page = f"<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1>"
        return cls(status, page.encode(), content_type="text/html")


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: Any
    at: float


def _completion(
    model: str, content: str | None, finish_reason: str, reasoning: str | None
) -> dict[str, Any]:
    completion_tokens = len((content or "").split()) + len((reasoning or "").split())
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "reasoning": reasoning},
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


class FakeRouter:
    def __init__(
        self,
        api_key: str = DEFAULT_KEY,
        models: tuple[str, ...] = DEFAULT_MODELS,
        latency: float = 0.0,
        answer: str = DEFAULT_ANSWER,
        reasoning_cost: int = 0,
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.models = models
        self.latency = latency
        self.answer = answer
        self.reasoning_cost = reasoning_cost  # tokens of reasoning before any content
        self.requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- scripting -----------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def completion_calls(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1"

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> FakeRouter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="fake-router", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake router did not start")

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            future.result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self._port, backlog=1024)
        self._loop.run_until_complete(site.start())
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    # -- the endpoint --------------------------------------------------------------------
    async def _chat(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.requests.append(
            RecordedRequest(request.path, dict(request.headers), body, time.monotonic())
        )
        with self._lock:
            scripted = self._script.popleft() if self._script else None

        if scripted is not None:
            return await self._scripted(request, scripted, body)
        if self.latency:
            await asyncio.sleep(self.latency)
        return self._answer(request, body)

    async def _scripted(self, request: web.Request, reply: Reply, body: Any) -> web.StreamResponse:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.hang:
            await asyncio.sleep(3600)
        if reply.reset:
            _reset_connection(request)
            return web.Response(status=500)  # never reaches the client
        if reply.body is None:
            answer = self._answer(request, body)
            answer.headers.update(reply.headers)
            return answer
        response = web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        response.content_type = reply.content_type
        return response

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.api_key}":
            return _json(401, {"error": "Invalid credentials in Authorization header"})
        problem = _validate(body)
        if problem:
            return _json(400, {"error": {"message": problem, "type": "invalid_request_error"}})
        model = body["model"]
        if model not in self.models:
            return _json(
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
        if body["max_tokens"] <= self.reasoning_cost:
            payload = _completion(provider_model, None, "length", REASONING_TEXT)
        else:
            payload = _completion(provider_model, self.answer, "stop", REASONING_TEXT)
        return _json(200, payload, {"x-inference-provider": PROVIDER})


def _validate(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if not isinstance(body.get("model"), str):
        return "model: field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: must be a non-empty list"
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in (
            "system",
            "user",
            "assistant",
        ):
            return "messages: each message needs a role"
        if not isinstance(message.get("content"), str):
            return "messages: content must be a string"
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


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload).encode(),
        content_type="application/json",
        headers=headers,
    )


def _reset_connection(request: web.Request) -> None:
    """Close the socket with an RST, as a crashed proxy would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description="loopback fake Hugging Face router")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--key", default=DEFAULT_KEY)
    args = parser.parse_args()
    router = FakeRouter(api_key=args.key, latency=args.latency, port=args.port)
    router.start()
    print(f"fake router on {router.url} (latency {args.latency}s)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        router.stop()


if __name__ == "__main__":
    main()
