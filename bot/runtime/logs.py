"""Logging for a worker: one line per event, text or JSON, every line redacted.

Records from any logger (ours, Bolt's, discord.py's, aiohttp's, asyncio's) pass the same two
filters on the one handler: the command's request scope is attached, then credentials are
removed from the message and from any traceback. Structured fields travel in
`extra={"fields": {...}}` and are rendered as `key=value` (text) or JSON members.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from bot.runtime.log_throttle import RepeatFilter
from bot.runtime.redaction import Redactor
from bot.runtime.request_scope import current_request

_QUIET_LIBRARIES = ("httpx", "websockets", "discord.gateway", "discord.client", "slack_bolt")


class RequestScopeFilter(logging.Filter):
    """Attach the request id and platform of the command being worked on, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        scope = current_request()
        record.request_id = scope.request_id if scope else None
        record.platform = scope.caller.platform if scope else None
        return True


class RedactionFilter(logging.Filter):
    """Remove credentials from the final text of a record: message, fields and traceback."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact
        self._traceback = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {
                key: self._redact(value) if isinstance(value, str) else value
                for key, value in fields.items()
            }
        return True


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if getattr(record, "request_id", None):
        fields["request_id"] = record.request_id
        fields["platform"] = record.platform
    extra = getattr(record, "fields", None)
    if isinstance(extra, dict):
        fields.update(extra)
    return fields


class TextFormatter(logging.Formatter):
    """`2026-11-24T01:02:03.456Z INFO bot.service.recommendations command answered kind=…`"""

    def format(self, record: logging.LogRecord) -> str:
        # One event, one line: a message's own line breaks are escaped (they could forge lines).
        message = record.getMessage().replace("\r", "\\r").replace("\n", "\\n")
        parts = [_timestamp(record), record.levelname, record.name, message]
        for key, value in _fields(record).items():
            if value is None:
                continue
            text = str(value)
            if not text or any(c.isspace() or c in '"=' for c in text):
                text = json.dumps(text, ensure_ascii=False)
            parts.append(f"{key}={text}")
        line = " ".join(parts)
        if record.exc_text:  # one event, one line: the traceback's newlines are escaped
            line += " traceback=" + json.dumps(record.exc_text, ensure_ascii=False)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    level: str,
    log_format: str,
    secrets: Iterable[str | None],
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger to one redacting handler on `stream` (stdout by default)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.addFilter(RepeatFilter())  # first: a dropped line costs nothing more
    handler.addFilter(RequestScopeFilter())
    handler.addFilter(RedactionFilter(Redactor(secrets)))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LIBRARIES:  # chatty at INFO about every request and heartbeat
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
    return handler
