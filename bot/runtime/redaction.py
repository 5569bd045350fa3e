"""Removing credentials from text before it is written anywhere.

Patterns catch the token shapes of Slack, Discord and Hugging Face wherever they appear (a log
message, an exception, a URL); the configured secrets are also removed literally, because a
signing secret or a Redis password has no recognisable shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[REDACTED]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack: xoxb-/xoxp-/xoxa-/xoxr-/xoxs- tokens, rotating xoxe.xoxp- ones and xapp- app tokens.
    (re.compile(r"\b(xox[a-z](?:\.xox[a-z])?-|xapp-)[A-Za-z0-9-]+"), rf"\1{MASK}"),
    # Hugging Face user and organisation tokens.
    (re.compile(r"\b(hf_|api_org_)[A-Za-z0-9]{6,}"), rf"\1{MASK}"),
    # Discord bot tokens: base64 user id . timestamp . HMAC.
    (re.compile(r"\b[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}"), MASK),
    # Credentials in headers, whatever the token looks like.
    (
        re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|bot|basic)\s+)[^\s'\",}]+"),
        rf"\1{MASK}",
    ),
    # Discord webhook and interaction tokens, and Slack's response_url, live in URL paths.
    (re.compile(r"(/webhooks/\d+/)[^\s/?#'\"<>]+"), rf"\1{MASK}"),
    (re.compile(r"(hooks\.slack(?:-gov)?\.com/[a-z]+/)[^\s'\"<>]+"), rf"\1{MASK}"),
    # user:password@ in any URL (Redis, proxies).
    (re.compile(r"([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), rf"\1{MASK}@"),
)

_MIN_LITERAL = 6  # shorter values would mask ordinary words


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        literals = sorted({s for s in secrets if s and len(s) >= _MIN_LITERAL}, key=len)
        self._literals = [re.compile(re.escape(s)) for s in reversed(literals)]

    def __call__(self, text: str) -> str:
        for literal in self._literals:
            text = literal.sub(MASK, text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text
