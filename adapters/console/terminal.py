"""The terminal side of the console: a command's progress on one status line, and text made
unable to drive the terminal (no escape sequences or control characters)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
from typing import Any, TextIO

from bot.progress import ProgressFeed
from bot.views import step_line

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class TerminalProgress:
    """A command's progress on a terminal: its current step on one status line (stderr), then
    the answer printed as the model writes it (stdout)."""

    def __init__(self, subject: str, stdout: TextIO, stderr: TextIO) -> None:
        self.status = f"Scouting {printable(subject)[:60]}…"
        self.printed = ""  # the answer's text as written so far (before `printable`)
        self._stdout, self._stderr = stdout, stderr
        self._writing = False
        self._spinner: asyncio.Future[None] | None = None

    def progressed(self, feed: ProgressFeed) -> None:
        if feed.steps:
            self.status = printable(step_line(feed.steps[-1]))[:100]
        text = feed.text
        if len(text) <= len(self.printed):
            return
        if not self._writing:
            self._writing = True
            self.clear_status()
            self._stdout.write("\n")
        # Piece by piece: an escape sequence split across pieces loses its ESC in the first.
        self._stdout.write(printable(text[len(self.printed) :]))
        self._stdout.flush()
        self.printed = text

    async def spin(self) -> None:
        frame = 0
        while True:
            if not self._writing:
                self._stderr.write(f"\r\x1b[2K{SPINNER[frame % len(SPINNER)]} {self.status}")
                self._stderr.flush()
            frame += 1
            await asyncio.sleep(0.1)  # the spinner's frame rate

    def start(self) -> None:
        self._spinner = asyncio.ensure_future(self.spin())

    async def close(self) -> None:
        """The answer is complete: the status line goes."""
        if self._spinner is not None:
            self._spinner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._spinner
        self.clear_status()

    def clear_status(self) -> None:
        self._stderr.write("\r\x1b[2K")
        self._stderr.flush()


# CSI (ESC [ … final byte), OSC (ESC ] … BEL or ST), other two-character escapes, and 8-bit CSI.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text that cannot drive a terminal: escape sequences and control characters go
    (newlines and tabs stay)."""
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def printable_report(value: Any) -> Any:
    """The report with every string in it (the model's text, App Store names…) printable;
    the console's own styles are added after this."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, tuple):
        return tuple(printable_report(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        changes = {f.name: printable_report(getattr(value, f.name)) for f in fields}
        return dataclasses.replace(value, **changes)
    return value
