"""What the MCP tests share: the SDK's own clients on a spawned `python -m bot mcp` (stdio) and
on /mcp of a running web process (streamable HTTP, with a bearer token), and how a tool answer
is read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from tests.helpers import PYTHON, BotProcess, bot_process, clean_env, free_port, health, wait_until

TOKEN = "mcp-test-token-5f1e0c9a7d3b"


def text_of(result: CallToolResult) -> str:
    [part] = result.content
    assert part.type == "text"
    return part.text


def refusal(result: CallToolResult) -> str:
    """A bad call's one sentence, the same in its text and its data."""
    assert result.is_error
    sentence = text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["error"] == sentence
    assert sentence[0].isupper() and sentence.endswith((".", "?")) and "\n" not in sentence
    assert "Traceback" not in sentence
    return sentence


def logged_commands(log_text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    return [line for line in lines if line["message"] == "command answered"]


@asynccontextmanager
async def stdio_session(tmp_path: Path, **env: str) -> AsyncIterator[ClientSession]:
    """`python -m bot mcp` spawned by the SDK's stdio client; its stderr in tmp_path/mcp.log."""
    server = StdioServerParameters(
        command=PYTHON, args=["-m", "bot", "mcp"], env=clean_env(**env), cwd=tmp_path
    )
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with (
            stdio_client(server, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


async def http_session_error(url: str, token: str | None) -> BaseException:
    """What the SDK's streamable HTTP client raises when it opens a session with `token`."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    try:
        async with (
            httpx2.AsyncClient(headers=headers) as client,
            streamable_http_client(url, http_client=client) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
    except BaseException as exc:  # the SDK wraps it in its task groups' exception groups
        return exc
    raise AssertionError("the session opened")


def leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


@asynccontextmanager
async def http_session(url: str, token: str = TOKEN) -> AsyncIterator[ClientSession]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client,
        streamable_http_client(url, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def request(method: str, url: str, **options: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.request(method, url, **options)


@contextmanager
def web_process(tmp_path: Path, **env: str) -> Iterator[tuple[BotProcess, int]]:
    """`python -m bot web` (the Procfile's web process) on a free port, until /healthz answers."""
    port = free_port()
    with bot_process(tmp_path, "web", PORT=str(port), **env) as bot:
        wait_until(lambda: health(port) is not None or bot.popen.poll() is not None)
        assert bot.popen.poll() is None, bot.output()
        yield bot, port
