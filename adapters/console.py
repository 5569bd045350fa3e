"""Console adapter: chat with Trend Scout in the terminal (like Hubot's shell adapter).

Interactive on a terminal (prompt, progress spinner, `exit` or Ctrl-D quits). On a pipe it reads
one command per line, prints one reply each, and finishes at end of input. `--json` prints each
Report as one JSON object per line. Model and App Store text is printed without control or
escape sequences, so an answer cannot drive the user's terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import sys
import threading
from typing import Any, TextIO

from adapters.base import Adapter
from adapters.rendering import render_text
from bot.conversation import Conversation
from bot.report import Report
from bot.runtime import CONSOLE

PROMPT = "scout> "
QUIT_WORDS = frozenset({"exit", "quit", ":q"})
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ConsoleAdapter(Adapter):
    name = "console"

    def __init__(
        self,
        conversation: Conversation,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        json_output: bool = False,
        interactive: bool | None = None,
    ) -> None:
        super().__init__(conversation)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.json_output = json_output
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.color = self.interactive and self.stdout.isatty() and not json_output
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()

    # -- the Adapter interface -----------------------------------------------------------
    async def start(self) -> str:
        loop = asyncio.get_running_loop()

        def read() -> None:  # a daemon thread: a pending readline never holds up the exit
            while line := self.stdin.readline():
                loop.call_soon_threadsafe(self._lines.put_nowait, line)
            loop.call_soon_threadsafe(self._lines.put_nowait, None)

        threading.Thread(target=read, name="console-input", daemon=True).start()
        self.spawn(self._chat())
        return "the console"

    async def health(self) -> dict[str, bool]:
        return {"console": not self.finished.is_set()}

    async def stop_accepting(self) -> None:
        await super().stop_accepting()
        self._lines.put_nowait(None)  # a chat waiting for input ends now

    async def close(self) -> None:
        return None  # nothing to disconnect: the input thread ends with the process

    # -- the chat ------------------------------------------------------------------------
    async def _chat(self) -> None:
        try:
            if self.interactive:
                self._say(
                    "Trend Scout — try `Calculator Pro`, `gaps Utilities`, "
                    "`build Calculator Pro` or `help`. `exit` or Ctrl-D quits."
                )
            while self.accepting:
                line = await self._read_line()
                if line is None:
                    break
                text = line.strip()
                if not text:
                    continue
                if text.lower() in QUIT_WORDS:
                    break
                report = await self._answer_with_progress(text)
                self._say(self._render(report))
            if self.interactive:
                self._say("Bye.")
        finally:
            self.finished.set()

    async def _read_line(self) -> str | None:
        if self.interactive:
            self.stdout.write(PROMPT)
            self.stdout.flush()
        line = await self._lines.get()
        if line is None and self.interactive:
            self.stdout.write("\n")
        return line

    async def _answer_with_progress(self, text: str) -> Report:
        turn = await self.conversation.begin(CONSOLE, text)
        if not self.interactive:
            return await self.conversation.answer(turn)
        spinner = asyncio.create_task(self._spin(turn.subject))
        try:
            return await self.conversation.answer(turn)
        finally:
            spinner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await spinner
            self.stderr.write("\r\x1b[2K")
            self.stderr.flush()

    async def _spin(self, subject: str) -> None:
        frame = 0
        subject = printable(subject)[:60]
        while True:
            self.stderr.write(f"\r{SPINNER[frame % len(SPINNER)]} Scouting {subject}…")
            self.stderr.flush()
            frame += 1
            await asyncio.sleep(0.1)

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _render(self, report: Report) -> str:
        if self.json_output:
            return json.dumps(report.to_dict(), ensure_ascii=False)
        if self.color:
            return render_text(printable_report(report), _bold, _faint)
        return render_text(printable_report(report))


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


def _bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[0m"


def _faint(text: str) -> str:
    return f"\x1b[2m{text}\x1b[0m"
