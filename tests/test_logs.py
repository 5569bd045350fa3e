"""Logs: one line per event, text or JSON, the command's request id on every line written while
it runs, and no credential on any line, whatever logger wrote it and wherever the token hid."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from bot.commands.grammar import parse
from bot.runtime.logs import configure_logging
from bot.runtime.redaction import MASK, Redactor
from bot.runtime.request_scope import Caller
from tests.conftest import ServiceFactory
from tests.discord_harness import DiscordHarness
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fake_router import DEFAULT_KEY, FakeRouter, Reply
from tests.helpers import wait_for

# Real tokens' shapes, assembled at run time so that no token-shaped literal is committed
# (secret scanners would rightly stop a push carrying one).
SLACK_TOKENS = tuple(
    "-".join(parts)
    for parts in (
        ("xoxb", "1234567890", "0987654321", "AbCdEfGhIjKlMnOpQrStUvWx"),
        ("xoxp", "1234567890", "0987654321", "1122334455", "abcdef0123456789" * 2),
        ("xapp", "1", "A0123456789", "1234567890123", "abcdef0123456789" * 4),
        ("xoxe.xoxp", "1", "Mi0yLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ"),
    )
)
HF_TOKEN = "_".join(("hf", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"))
EVERY_TOKEN = (*SLACK_TOKENS, HF_TOKEN, DISCORD_TOKEN)
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
RESPONSE_URL = "https://hooks.slack.com/commands/T0001/1234567890/" + "Zx9" * 8
REDIS_URL = "rediss://default:" + "p4ss" * 5 + "@cache.example:6380/0"


@pytest.fixture
def log_format() -> str:
    return "text"


@pytest.fixture
def captured(log_format: str) -> Iterator[io.StringIO]:
    """Everything logged during the test, as the worker would write it."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("INFO", log_format, [SIGNING_SECRET, DEFAULT_KEY, REDIS_URL], stream)
    yield stream
    logging.captureWarnings(False)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


@pytest.mark.parametrize("token", EVERY_TOKEN)
def test_each_token_shape_is_redacted(token: str) -> None:
    redacted = Redactor()(f"calling with {token}, then more text")
    assert token not in redacted
    assert MASK in redacted and redacted.endswith(", then more text")


def test_ordinary_text_is_left_alone() -> None:
    text = "Calculator Pro 4.5★ from 98,311 ratings; see https://apps.apple.com/us/app/id284882215"
    assert Redactor()(text) == text


def test_tokens_in_urls_and_headers_are_redacted() -> None:
    redact = Redactor(["s3cr3t-password"])
    assert MASK in redact("POST https://discord.com/api/v10/webhooks/1234567/aW50ZXJhY3Rpb246")
    assert "aW50ZXJhY3Rpb246" not in redact("https://discord.com/api/webhooks/1/aW50ZXJhY3Rpb246")
    assert "B0001/abcDEF" not in redact("https://hooks.slack.com/commands/T0001/B0001/abcDEF")
    assert "s3cr3t-password" not in redact("redis://:s3cr3t-password@redis.example:6379/0")
    assert "opaque-value" not in redact("{'Authorization': 'Bearer opaque-value'}")
    assert "opaque-value" not in redact("Authorization: Bot opaque-value")


def test_any_logger_args_exceptions_and_urls_are_redacted(captured: io.StringIO) -> None:
    library = logging.getLogger("slack_sdk.web.async_client")
    library.warning("token=%s team=%s", SLACK_TOKENS[0], "T1")
    logging.getLogger("discord.http").error("login with %r failed", DISCORD_TOKEN)
    try:
        raise RuntimeError(f"upstream said no to Bearer {HF_TOKEN} at https://x/?key={HF_TOKEN}")
    except RuntimeError:
        logging.getLogger("aiohttp.client").exception("request failed")
    request = httpx.Request("GET", f"https://example.test/hook?token={SLACK_TOKENS[1]}")
    logging.getLogger("asyncio").warning("unclosed %s", request.url)
    logging.getLogger("bot").info("signing secret %s", SIGNING_SECRET)

    output = captured.getvalue()
    for secret in (*EVERY_TOKEN, SIGNING_SECRET):
        assert secret not in output
    assert len(lines(captured)) == 5  # the traceback stays on its event's line
    assert "RuntimeError" in lines(captured)[2] and "traceback=" in lines(captured)[2]


def test_a_token_in_a_warning_is_redacted(captured: io.StringIO) -> None:
    import warnings

    warnings.warn(f"deprecated call with {SLACK_TOKENS[2]}", UserWarning, stacklevel=1)
    assert SLACK_TOKENS[2] not in captured.getvalue() and "UserWarning" in captured.getvalue()


@pytest.mark.parametrize("log_format", ["json"])
async def test_every_command_logs_one_json_line_with_its_request_id(
    captured: io.StringIO, make_grounded_service: ServiceFactory, router: FakeRouter
) -> None:
    stream = captured
    service = make_grounded_service()

    async def ask(text: str, user: str) -> None:
        await service.handle(parse(text), Caller("slack", user))

    router.enqueue(Reply.error(503, "overloaded"), Reply.error(503, "overloaded"))
    await asyncio.gather(asyncio.create_task(ask("Facebook", "U1")), ask("build Facebook", "U2"))

    events = [json.loads(line) for line in lines(stream)]
    answered = [e for e in events if e["message"] == "command answered"]
    assert len(answered) == 2
    assert len({e["request_id"] for e in answered}) == 2
    for event in answered:
        assert event["platform"] == "slack" and event["level"] == "INFO"
        assert event["source"] in ("ai", "fallback")
        assert event["model_calls"] >= 1
        assert event["upstream_calls"] == event["model_calls"] + event["appstore_calls"]
        assert isinstance(event["latency_ms"], int)
        if event["source"] == "ai":
            assert event["completion_tokens"] > 0 and event["prompt_tokens"] > 0
    # The App Store lookup was shared: counted once, against the command that made it.
    assert sorted(e["appstore_calls"] for e in answered)[0] == 0
    assert sum(e["appstore_calls"] for e in answered) >= 1
    # Lines written by the router client while a command ran carry that command's id.
    ids = {e["request_id"] for e in answered}
    retries = [e for e in events if e["logger"].startswith("bot.router") and "request_id" in e]
    assert all(e["request_id"] in ids for e in retries)
    assert DEFAULT_KEY not in stream.getvalue()


async def test_text_lines_carry_the_same_fields(
    captured: io.StringIO, make_service: ServiceFactory
) -> None:
    service = make_service()
    await service.handle(parse("Facebook"), Caller("discord", "42"))
    line = next(x for x in lines(captured) if "command answered" in x)
    for field in ("request_id=", "platform=discord", "kind=analysis", "source=ai", "latency_ms="):
        assert field in line
    assert "upstream_calls=" in line and "completion_tokens=" in line



@pytest.mark.parametrize(
    ("form", "secret"),
    [
        # A slash command's form body: the response_url arrives percent-encoded.
        (
            "token=t&" + urllib.parse.urlencode({"response_url": RESPONSE_URL}) + "&user_id=U1",
            "Zx9Zx9Zx9",
        ),
        # Slack's JSON escapes slashes.
        (json.dumps({"response_url": RESPONSE_URL}).replace("/", "\\/"), "Zx9Zx9Zx9"),
        # A Discord interaction follow-up URL inside a query string.
        (
            "next=" + urllib.parse.quote("https://discord.com/api/webhooks/1/aW50ZXJhY3Rpb24x", ""),
            "aW50ZXJhY3Rpb24x",
        ),
        # A header dumped as an escaped JSON string.
        ('{"raw": "{\\"Authorization\\": \\"Bearer s3cretT0kenValue\\"}"}', "s3cretT0kenValue"),
        # The configured secrets, in every encoding they travel in.
        (urllib.parse.quote(SIGNING_SECRET, ""), SIGNING_SECRET),
        (base64.b64encode(SIGNING_SECRET.encode()).decode(), "OGY3NDIy"),
        (urllib.parse.quote(REDIS_URL, "").lower(), "p4ssp4ss"),
        (json.dumps(REDIS_URL).replace("/", "\\/"), "p4ssp4ss"),
    ],
    ids=[
        "form",
        "json",
        "discord-query",
        "escaped-header",
        "quoted",
        "base64",
        "redis",
        "redis-json",
    ],
)
@pytest.mark.parametrize("log_format", ["json"])
def test_encoded_secrets_are_redacted_in_every_line(
    captured: io.StringIO, form: str, secret: str
) -> None:
    logging.getLogger("aiohttp.server").warning("bad request body %s", form)
    logging.getLogger("slack_bolt.App").error("unhandled: %r", {"body": form})
    written = captured.getvalue()
    assert written.count(MASK) >= 2
    assert secret not in written and secret.lower() not in written.lower()


async def test_an_interactions_token_never_reaches_a_debug_log(
    discord_harness: DiscordHarness,
) -> None:
    """discord.py logs its HTTP calls at DEBUG: the interaction's callback URL and webhook
    routes carry its token, and gateway payloads carry it as a field."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("DEBUG", "text", [], stream)
    try:
        interaction = discord_harness.slash("app", name="Facebook")
        await wait_for(discord_harness.replied, what="the answer")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    output = stream.getvalue()
    token = interaction["token"]
    assert "/interactions/" in output or "/webhooks/" in output  # the calls were logged
    assert token not in output
    assert urllib.parse.quote(token, safe="") not in output
    assert MASK in output
