"""The router's wire format as providers really send it: error bodies, waits, cut answers."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from bot.ai.wire import cut_at_last_line, error_details, retry_after_seconds


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"error": "Model not supported by provider together"}', ("", "Model not supported")),
        (
            b'{"error": {"message": "gone", "code": "model_not_supported", "type": "x"}}',
            ("model_not_supported", "gone"),
        ),
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", ("", "502 Bad Gateway")),
        (b"[]", ("", "")),
        (b'{"error": 42}', ("", "")),
    ],
)
def test_error_details_reads_every_error_shape(raw: bytes, expected: tuple[str, str]) -> None:
    code, message = error_details(raw)
    assert code == expected[0]
    assert message.startswith(expected[1])


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx.Headers({"retry-after": "7"})) == 7
    date = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 < (retry_after_seconds(httpx.Headers({"retry-after": date})) or 0) <= 20
    assert retry_after_seconds(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("one\ntwo\nthr", "one\ntwo"),
        ("one\ntwo\n", "one\ntwo"),
        ("First sentence. Second sen", "First sentence."),
        ("just some words without end", "just some words without…"),
        ("word", "word"),
    ],
)
def test_cut_at_last_line(text: str, cut: str) -> None:
    assert cut_at_last_line(text) == cut
