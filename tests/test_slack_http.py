"""Slack's HTTP endpoint against hostile requests: verified before anything is parsed or logged,
replays answered once, a signed but unreadable body a 400 — never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.fake_router import FakeRouter
from tests.fake_slack import form_body, sign
from tests.slack_harness import SlackHarness

FORM = "application/x-www-form-urlencoded"
HOSTILE_BODIES = [
    b"\xff\xfe\xfd not utf-8 \x80",
    b'{"type": "event_callback", "event": ',  # broken JSON
    b"payload=%7Bnot-json",
    b"payload=%5B%5D",  # JSON, but a list
    b"",
]


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("adapters", "aiohttp", "slack"))]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize(
    "timestamp", ["now", "not-a-number", "9" * 400, "-5", "1.5", "١٢٣"], ids=str
)
async def test_unverified_requests_are_401_without_a_traceback(
    harness: SlackHarness,
    router: FakeRouter,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    timestamp: str,
) -> None:
    caplog.set_level(logging.INFO)
    ts = str(int(time.time())) if timestamp == "now" else timestamp
    headers = {"X-Slack-Request-Timestamp": ts.encode(), "X-Slack-Signature": "v0=" + "0" * 64}
    response = await harness.post_signed(body, FORM, headers)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert all(r.levelno < logging.ERROR and not r.exc_info for r in caplog.records)
    assert harness.adapter.in_flight == set() and router.completion_calls() == []


@pytest.mark.parametrize("body", HOSTILE_BODIES[:4])
async def test_signed_but_unreadable_bodies_are_400(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    content_type = "application/json" if body.startswith(b"{") else FORM
    response = await harness.post_signed(body, content_type)
    assert response.status_code in (200, 400)  # Bolt ignores what it cannot route
    assert response.status_code != 500
    assert not any(r.exc_info for r in caplog.records)


async def test_a_flood_of_forged_requests_writes_a_few_short_lines(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_looking_body = b"text=" + b"A" * 200_000
    for _ in range(200):
        forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=x"}
        response = await harness.post_signed(secret_looking_body, FORM, forged)
        assert response.status_code == 401
    lines = _lines(caplog)
    assert 1 <= len(lines) <= 3  # rate-limited
    assert all(len(r.getMessage()) < 200 and "AAAA" not in r.getMessage() for r in lines)


async def test_a_replayed_slash_command_is_answered_once(
    harness: SlackHarness, router: FakeRouter
) -> None:
    body = form_body(harness.slack.slash_command("Facebook"))
    headers = sign(body)
    responses = [await harness.post_signed(body, FORM, headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["text"] == "Scouting Facebook…"
    assert responses[1].text == responses[2].text == ""
    await harness.settled()
    assert len(harness.slack.posted) == 1
    assert len(router.completion_calls()) == 1


async def test_an_oversized_body_is_refused_before_it_is_read_whole(
    harness: SlackHarness,
) -> None:
    body = b"text=" + b"x" * (3 * 1024 * 1024)
    response = await harness.post_signed(body, FORM)
    assert response.status_code == 413


async def test_a_signed_event_still_works(harness: SlackHarness) -> None:
    event = harness.slack.mention("help", event_id="EvOk1")
    response = await harness.post_signed(json.dumps(event).encode(), "application/json")
    assert response.status_code == 200
    await harness.settled()
    assert "How to use Trend Scout" in harness.slack.posted[0].all_text()
