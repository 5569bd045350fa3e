"""Removing credentials from text before it is written anywhere.

Patterns catch the token shapes of Slack, Discord and Hugging Face wherever they appear (a log
message, an exception, a URL), also inside percent-encoded form bodies and JSON with escaped
slashes; the configured secrets are also removed literally — as they are, percent-encoded,
JSON-escaped and base64-encoded — because a signing secret or a Redis password has no
recognisable shape.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterable

MASK = "[REDACTED]"
# A path separator and a quote as written, percent-encoded, or escaped once or more (JSON,
# a repr of JSON).
_SLASH = r"(?:\\*/|%2[Ff])"
_QUOTE = r"(?:\\*['\"])"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack: xoxb-/xoxp-/xoxa-/xoxr-/xoxs- tokens, rotating xoxe.xoxp- ones and xapp- app tokens.
    (re.compile(r"\b(xox[a-z](?:\.xox[a-z])?-|xapp-)[A-Za-z0-9-]+"), rf"\1{MASK}"),
    # Hugging Face user and organisation tokens.
    (re.compile(r"\b(hf_|api_org_)[A-Za-z0-9]{6,}"), rf"\1{MASK}"),
    # Discord bot tokens: base64 user id . timestamp . HMAC.
    (re.compile(r"\b[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}"), MASK),
    # Credentials in headers, whatever the token looks like.
    (
        re.compile(
            rf"(?i)(authorization{_QUOTE}?\s*[:=]\s*{_QUOTE}?(?:bearer|bot|basic)(?:\s|%20|\+)+)"
            r"[^\s'\",}\\&]+"
        ),
        rf"\1{MASK}",
    ),
    # Discord webhook and interaction tokens, and Slack's response_url, live in URL paths.
    (re.compile(rf"({_SLASH}webhooks{_SLASH}\d+{_SLASH})[^\s/?#'\"<>&%\\]+"), rf"\1{MASK}"),
    (
        re.compile(rf"({_SLASH}interactions{_SLASH}\d+{_SLASH})[^\s/?#'\"<>&%\\]+"),
        rf"\1{MASK}",
    ),
    # …and in gateway payloads logged whole: an interaction's "token" field.
    (re.compile(rf"({_QUOTE}token{_QUOTE}\s*:\s*{_QUOTE})[^'\"\\]+"), rf"\1{MASK}"),
    (
        re.compile(rf"(hooks\.slack(?:-gov)?\.com{_SLASH}[a-z]+{_SLASH})[^\s'\"<>&]+"),
        rf"\1{MASK}",
    ),
    # user:password@ in any URL (Redis, proxies), also percent-encoded.
    (re.compile(rf"([a-z][a-z0-9+.-]*:{_SLASH}{_SLASH}[^\s:/@\\]*:)[^\s@/]+@"), rf"\1{MASK}@"),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*%3A%2F%2F[^\s:/@%]*%3A)[^\s@/&]+?%40"), rf"\1{MASK}%40"),
)

_MIN_LITERAL = 6  # shorter values would mask ordinary words


def _encodings(secret: str) -> set[str]:
    """The forms a secret takes on its way through forms, JSON, URLs and headers."""
    raw = secret.encode()
    escaped = json.dumps(secret)[1:-1]
    return {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        escaped,
        escaped.replace("/", "\\/"),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms = {form for s in secrets if s and len(s) >= _MIN_LITERAL for form in _encodings(s)}
        # Longest first, so that a secret containing another is masked whole; percent-encoding
        # comes in either case (%2F, %2f).
        self._literals = [
            re.compile(re.escape(form), re.IGNORECASE if "%" in form else 0)
            for form in sorted(forms, key=len, reverse=True)
        ]

    def __call__(self, text: str) -> str:
        for literal in self._literals:
            text = literal.sub(MASK, text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text
