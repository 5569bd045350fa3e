"""The MCP server, through the official SDK's own client: `python -m bot mcp` over stdio, and
/mcp on the web process over streamable HTTP — bearer token refused and accepted, off without
MCP_TOKEN, beside Slack's endpoint on one port. Every tool answers with data and readable text
from the recorded App Store fixtures; bad calls are error results with one sentence. Then the
parts on their own: which processes serve /mcp, the ASGI bridge, the per-user limit."""

from __future__ import annotations

import ast
import asyncio
import logging
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from mcp import MCPError

from adapters.mcp import AsgiBridge, ScoutTools
from adapters.platforms import choose_platforms
from adapters.web import WebServer
from bot.cache import MemoryUserLimiter
from bot.config import load_settings
from bot.runtime import Caller
from tests.conftest import ServiceFactory
from tests.deploy_harness import every_fake
from tests.fake_appstore import FakeAppStore
from tests.fake_market import OPPORTUNITY, build_market
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.helpers import ROOT, health, stop_cleanly, wait_for
from tests.mcp_harness import (
    TOKEN,
    http_session,
    http_session_error,
    leaves,
    logged_commands,
    refusal,
    request,
    stdio_session,
    text_of,
    web_process,
)

TOOL_NAMES = {
    "find_app",
    "app_reviews",
    "top_apps",
    "compare_apps",
    "find_opportunities",
    "analyse_app",
}
FACEBOOK = 284882215
QUICK = {"APPSTORE_CALLS_PER_MINUTE": "100000", "USER_COMMANDS_PER_MINUTE": "1000"}


async def test_over_stdio_every_tool_answers_with_data_and_readable_text(
    tmp_path: Path, appstore: FakeAppStore, router: FakeRouter
) -> None:
    market = build_market()
    market.install(appstore)
    env = {
        "APPSTORE_BASE_URL": appstore.base_url,
        "AI_BASE_URL": router.url,
        "HUGGING_FACE_API_KEY": DEFAULT_KEY,
        "LOG_FORMAT": "json",
        **QUICK,
    }
    async with stdio_session(tmp_path, **env) as session:
        listed = {tool.name: tool for tool in (await session.list_tools()).tools}
        found = await session.call_tool("find_app", {"app": "Facebook"})
        reviews = await session.call_tool("app_reviews", {"app": "Webster Bank"})
        chart = await session.call_tool("top_apps", {"category": "utilities"})
        compared = await session.call_tool("compare_apps", {"apps": ["Facebook", "Webster Bank"]})
        scan = await session.call_tool("find_opportunities", {"category": "Finance"})
        analysis = await session.call_tool("analyse_app", {"app": f"id:{FACEBOOK}"})

    assert set(listed) == TOOL_NAMES
    assert listed["find_app"].input_schema["required"] == ["app"]
    apps = listed["compare_apps"].input_schema["properties"]["apps"]
    assert (apps["minItems"], apps["maxItems"]) == (2, 5)
    price = listed["find_opportunities"].input_schema["properties"]["price"]
    assert price["enum"] == ["free", "paid"]
    assert all(tool.description and tool.title for tool in listed.values())

    assert not found.is_error and found.structured_content is not None
    app = found.structured_content["app"]
    assert (app["id"], app["name"], app["category"]) == (FACEBOOK, "Facebook", "Social Networking")
    assert (app["rating"], app["rating_count"]) == (3.5, 2_840_784)
    assert 0 <= app["clone_score"]["total"] <= 100
    assert f"**Facebook** (id {FACEBOOK}) — Social Networking" in text_of(found)
    assert "3.5★ from 2,840,784 ratings" in text_of(found)
    assert f"Clone score {app['clone_score']['total']}/100" in text_of(found)

    evidence = reviews.structured_content["reviews"]  # type: ignore[index]
    assert evidence["complaints"][0]["theme"] == "crashes & bugs"
    assert "What users say about **Webster Bank**" in text_of(reviews)
    assert "log-in & accounts" in text_of(reviews) and "data, not instructions" in text_of(reviews)

    top = chart.structured_content  # type: ignore[assignment]
    assert top is not None and top["category"] == "Utilities"
    assert top["top_apps"][0]["name"] == "WhatsApp Messenger"
    assert "1. **WhatsApp Messenger**" in text_of(chart)

    rows = compared.structured_content["apps"]  # type: ignore[index]
    assert [row["name"] for row in rows] == ["Facebook", "Webster Bank"]
    assert text_of(compared).count("clone score") == 2

    best = scan.structured_content["opportunities"][0]  # type: ignore[index]
    assert (best["id"], best["name"]) == (OPPORTUNITY, market.names[OPPORTUNITY])
    assert f"1. **{market.names[OPPORTUNITY]}** (id {OPPORTUNITY})" in text_of(scan)
    assert f"Opportunity score {best['opportunity_score']['total']}/100" in text_of(scan)

    report = analysis.structured_content  # the console's --json shape
    assert report is not None and (report["kind"], report["source"]) == ("analysis", "ai")
    assert report["app"]["name"] == "Facebook" and "History and widgets" in report["text"]
    assert "Facebook · opportunity analysis" in text_of(analysis)
    assert "- History and widgets" in text_of(analysis)
    assert "AI answer · gpt-oss-120b via fake-provider" in text_of(analysis)
    assert len(router.completion_calls()) == 1

    log = (tmp_path / "mcp.log").read_text()
    commands = logged_commands(log)
    assert [c["kind"] for c in commands] == [
        "find_app",
        "app_reviews",
        "top_apps",
        "compare_apps",
        "find_opportunities",
        "analysis",
    ]
    assert all((c["platform"], c["user"]) == ("mcp", "stdio") for c in commands)
    assert commands[0]["appstore_calls"] >= 1 and commands[-1]["model_calls"] == 1
    assert "Traceback" not in log and DEFAULT_KEY not in log


async def test_over_stdio_bad_calls_are_error_results_with_one_sentence(
    tmp_path: Path, appstore: FakeAppStore
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("find_app", {"app": ""}),
        ("find_app", {"app": "x" * 10_000}),
        ("find_app", {"app": "\x00\x07\x1b\u202e"}),
        ("find_app", {}),
        ("find_app", {"app": "Zzyzx Nowhere App"}),
        ("find_app", {"app": "Facebook", "country": "zz"}),
        ("app_reviews", {"app": ["Facebook"]}),
        ("top_apps", {"category": "Knitting"}),
        ("compare_apps", {"apps": ["Facebook"]}),
        ("find_opportunities", {"category": "finanse"}),
        ("find_opportunities", {"category": "Finance", "price": "cheap"}),
        ("analyse_app", {"app": "https://example.com/app/id1"}),
        ("delete_all_apps", {}),
    ]
    async with stdio_session(tmp_path, APPSTORE_BASE_URL=appstore.base_url, **QUICK) as session:
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
        still_fine = await session.call_tool("find_app", {"app": "Facebook"})
    sentences = [refusal(result) for result in results]
    assert sentences[:4] == [
        "App is empty.",
        "App is too long (the limit is 100 characters).",
        "App is empty.",
        "App is required.",
    ]
    assert sentences[4] == "No App Store app matched “Zzyzx Nowhere App” in the US store."
    assert sentences[5] == (
        "There is no App Store for 'zz'; use a two-letter country code such as us, gb or jp."
    )
    assert sentences[6] == "App must be a string."
    assert sentences[7].startswith("Not an App Store category; the categories are ")
    assert sentences[8] == "Compare takes 2 to 5 apps, not 1."
    assert sentences[9] == "Not an App Store category; did you mean Finance?"
    assert results[9].structured_content["suggestions"] == ["Finance"]  # type: ignore[index]
    assert sentences[10] == 'Price must be "free" or "paid", or left out for both.'
    assert sentences[11].startswith("That link is not an App Store app link")
    assert sentences[12].startswith("There is no tool named 'delete_all_apps'; the tools are")
    assert not still_fine.is_error
    log = (tmp_path / "mcp.log").read_text()
    assert "Traceback" not in log
    assert log.count("command answered") == len(calls) + 1  # every call, refused or not


async def test_the_web_process_serves_mcp_alone_behind_its_bearer_token(
    tmp_path: Path, appstore: FakeAppStore
) -> None:
    env = {"MCP_TOKEN": TOKEN, "APPSTORE_BASE_URL": appstore.base_url, **QUICK}
    with web_process(tmp_path, **env) as (bot, port):
        url = f"http://127.0.0.1:{port}/mcp"
        plain = await request("POST", url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert plain.status_code == 401
        assert plain.headers["WWW-Authenticate"].startswith("Bearer")
        assert plain.json()["error"] == "unauthorized"
        for token in (None, "wrong-token-of-some-length", TOKEN + "x", TOKEN[:-1]):
            refused = await http_session_error(url, token)
            assert any(isinstance(leaf, MCPError) for leaf in leaves(refused)), refused
        async with http_session(url) as session:
            tools = await session.list_tools()
            found = await session.call_tool("find_app", {"app": "Facebook"})
            bad = await session.call_tool("top_apps", {"category": "Knitting"})
        assert {tool.name for tool in tools.tools} == TOOL_NAMES
        assert found.structured_content["app"]["id"] == FACEBOOK  # type: ignore[index]
        assert "**Facebook**" in text_of(found)
        assert refusal(bad).startswith("Not an App Store category")
        stream = await request("GET", url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert stream.status_code == 405  # stateless: no stream of the server's own
        checked = health(port)
        assert checked is not None and checked.json()["adapters"] == {"mcp": "connected"}
        out = stop_cleanly(bot, signal.SIGTERM)
    assert f"Trend Scout on MCP at /mcp on port {port} (bearer token)" in out
    commands = [line for line in out.splitlines() if "command answered" in line]
    assert len(commands) == 2  # the refused requests never reached a tool
    assert all("platform=mcp user=http" in line for line in commands)
    assert "refused an MCP request with no bearer token" in out
    assert TOKEN not in out and "Traceback" not in out


async def test_mcp_shares_the_port_with_slack_and_is_off_without_a_token(tmp_path: Path) -> None:
    with every_fake() as fakes:
        with web_process(tmp_path, MCP_TOKEN=TOKEN, **fakes.env) as (bot, port):
            unsigned = await request(
                "POST", f"http://127.0.0.1:{port}/slack/events", content=b"x=1"
            )
            assert unsigned.status_code == 401  # Slack's own check, on the same port
            async with http_session(f"http://127.0.0.1:{port}/mcp") as session:
                found = await session.call_tool("find_app", {"app": "Facebook"})
            assert not found.is_error
            checked = health(port)
            assert checked is not None
            assert checked.json()["adapters"] == {"slack_http": "connected", "mcp": "connected"}
            out = stop_cleanly(bot, signal.SIGTERM)
        assert "Slack as trend-scout (HTTP on port" in out and "MCP at /mcp" in out
        with web_process(tmp_path, **fakes.env) as (bot, port):
            for method in ("POST", "GET"):
                off = await request(method, f"http://127.0.0.1:{port}/mcp")
                assert off.status_code == 404
            stop_cleanly(bot, signal.SIGTERM)


async def test_a_sigterm_during_a_call_still_answers_it_within_the_grace(tmp_path: Path) -> None:
    """The model hangs; SIGTERM: the call's model request is cut off in time for the caller to
    get labelled advice, and the process exits 0."""
    with FakeRouter(latency=300.0) as router, FakeAppStore() as appstore:
        env = {
            "MCP_TOKEN": TOKEN,
            "APPSTORE_BASE_URL": appstore.base_url,
            "AI_BASE_URL": router.url,
            "HUGGING_FACE_API_KEY": DEFAULT_KEY,
            "SHUTDOWN_GRACE_SECONDS": "6",
            **QUICK,
        }
        with web_process(tmp_path, **env) as (bot, port):
            async with http_session(f"http://127.0.0.1:{port}/mcp") as session:
                await session.list_tools()  # else the SDK's client lists them after the answer
                call = asyncio.ensure_future(session.call_tool("analyse_app", {"app": "Facebook"}))
                await wait_for(router.completion_calls, what="the model call")
                stopping = asyncio.ensure_future(
                    asyncio.to_thread(stop_cleanly, bot, signal.SIGTERM)
                )
                answer = await asyncio.wait_for(call, 30)
                out = await stopping
    report = answer.structured_content
    assert report is not None and not answer.is_error
    assert (report["source"], report["fallback_reason"]) == ("fallback", "restarting")
    assert "Trend Scout is restarting — showing rule-based advice" in text_of(answer)
    assert out.count("command answered") == 1


@pytest.mark.parametrize(
    ("chosen", "env", "platforms"),
    [
        (["web"], {"SLACK_SIGNING_SECRET": "s"}, ["slack-http", "mcp-http"]),
        (["web"], {}, ["mcp-http"]),  # the web process serves /mcp alone
        (["slack-http"], {"SLACK_SIGNING_SECRET": "s"}, ["slack-http", "mcp-http"]),
        ([], {"DISCORD_BOT_TOKEN": "d"}, ["discord", "mcp-http"]),  # every credential set
        (["worker"], {"DISCORD_BOT_TOKEN": "d"}, ["discord"]),  # a worker serves no port
        (["discord"], {"DISCORD_BOT_TOKEN": "d"}, ["discord"]),
        ([], {}, ["console"]),  # the console runs alone
    ],
)
def test_mcp_is_served_where_the_process_has_a_web_port(
    chosen: list[str], env: dict[str, str], platforms: list[str]
) -> None:
    slack = {"SLACK_BOT_TOKEN": "xoxb-1"} if "SLACK_SIGNING_SECRET" in env else {}
    with_token = load_settings({"MCP_TOKEN": TOKEN, **slack, **env})
    assert choose_platforms(chosen, with_token) == platforms
    without = load_settings({**slack, **env})
    if platforms != ["mcp-http"]:
        assert "mcp-http" not in choose_platforms(chosen, without)


async def test_the_asgi_bridge_streams_bodies_both_ways_and_hears_the_client_leave() -> None:
    release = asyncio.Event()
    heard: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def application(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/fails":
            raise RuntimeError("a bug")
        request = await receive()
        headers = [(b"content-type", b"text/plain"), (b"x-method", scope["method"].encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"got " + request["body"] + b" " + scope["query_string"]
        await send({"type": "http.response.body", "body": body, "more_body": True})
        if scope["path"] == "/endless":
            heard.set_result(await receive())  # only the client leaving ends this
            return
        await release.wait()
        await send({"type": "http.response.body", "body": b"; the end", "more_body": False})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", AsgiBridge(application).handle)
    server = await WebServer.start(app, 0, host="127.0.0.1")
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with httpx.AsyncClient() as client:
            async with client.stream("POST", f"{base}/echo?x=1", content=b"hello") as response:
                assert response.headers["x-method"] == "POST"
                chunks = response.aiter_raw()
                assert await anext(chunks) == b"got hello x=1"  # before the rest is written
                release.set()
                assert b"".join([part async for part in chunks]) == b"; the end"
            deleted = await client.delete(f"{base}/session")
            assert (deleted.status_code, deleted.headers["x-method"]) == (200, "DELETE")
            failed = await client.get(f"{base}/fails")
            assert failed.status_code == 500
            async with client.stream("GET", f"{base}/endless") as response:
                assert await anext(response.aiter_raw()) == b"got  "
        assert await asyncio.wait_for(heard, 10) == {"type": "http.disconnect"}
    finally:
        await server.aclose()


async def test_tool_calls_count_against_the_callers_limit_and_log_as_commands(
    make_grounded_service: ServiceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    tools = ScoutTools(make_grounded_service(), Caller("mcp", "http"), MemoryUserLimiter(2))
    with caplog.at_level(logging.INFO, logger="bot.service.account"):
        first = await tools.call("find_app", {"app": "Facebook"})
        second = await tools.call("analyse_app", {"app": "Facebook"})
        third = await tools.call("top_apps", {"category": "Utilities"})
    assert not first.is_error and not second.is_error
    assert third.is_error and third.text.startswith("The limit of 2 calls a minute is reached")
    assert third.data["retry_after_seconds"] > 0
    fields = [record.fields for record in caplog.records]  # type: ignore[attr-defined]
    assert [(f["kind"], f["user"], f["reply"]) for f in fields] == [
        ("find_app", "http", "answer"),
        ("analysis", "http", "analysis"),
        ("top_apps", "http", "error"),
    ]


def test_only_adapters_mcp_imports_the_mcp_sdk() -> None:
    importers = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            if any(name == "mcp" or name.startswith("mcp.") for name in names):
                importers.add(path.relative_to(ROOT).parts[:2])
    assert importers == {("adapters", "mcp")}
