"""Console adapter: chat with Trend Scout in the terminal (like Hubot's shell adapter).

Interactive on a terminal (prompt, `exit` or Ctrl-D quits): while a command works, its current
step shows on one status line, then the answer is printed as the model writes it and the rest of
the reply (facts, score, evidence) follows. On a pipe it reads one command per line, prints one
reply each, and finishes at end of input. `--json` prints each
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

from adapters.port.adapter import Adapter
from adapters.rendering import continuation, render_text, step_line
from bot.intake.turns import Conversation, Turn
from bot.progress.feed import ProgressFeed
from bot.report.report import Report, Source
from bot.runtime import CONSOLE
from bot.watch import WatchChannel

PROMPT = "scout> "
CHANNEL = "console"  # trend watch: the console's own local list of watches
SESSION = "session"  # the console is one conversation: every line after an answer goes on
QUIT_WORDS = frozenset({"exit", "quit", ":q"})
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ConsoleAdapter(Adapter):
    """Commands are not journalled here: a console's input ends with its process."""

    name = "console"
    platform = "console"

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

    def channel_poster(self) -> ConsolePoster:
        return ConsolePoster(self)

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
                turn = await self.conversation.begin(CONSOLE, text, SESSION, channel=CHANNEL)
                report, shown = await self._answer_with_progress(turn)
                self._say(self._render(report, shown))
                await self.conversation.remember(turn, report, SESSION)
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

    async def _answer_with_progress(self, turn: Turn) -> tuple[Report, str]:
        """The reply, and the answer's text already printed while it was written."""
        if not self.interactive or self.json_output:
            return await self.conversation.answer(turn), ""
        live = TerminalProgress(turn.subject, self.stdout, self.stderr)
        spinner = asyncio.create_task(live.spin())
        try:
            return await self.conversation.answer(turn, live), live.printed
        finally:
            spinner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await spinner
            live.clear_status()

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _render(self, report: Report, shown: str = "") -> str:
        if self.json_output:
            return json.dumps(report.to_dict(), ensure_ascii=False)
        if not shown:
            return self._text(report)
        # The answer is on the screen already: finish it, then the rest of the reply — unless
        # what was printed is not the answer (the stream broke and advice replaced it).
        rest = continuation(shown.lstrip(), report.text) if report.source is Source.AI else None
        if rest is None:
            notice = "── the answer above broke off ──"
            return f"\n{_faint(notice) if self.color else notice}\n" + self._text(report)
        return printable(rest) + "\n" + self._text(report, body=False)

    def _text(self, report: Report, body: bool = True) -> str:
        clean = printable_report(report)
        if self.color:
            return render_text(clean, _bold, _faint, body=body)
        return render_text(clean, body=body)


class ConsolePoster:
    """Trend watch alerts and digests, printed between the chat's replies."""

    def __init__(self, console: ConsoleAdapter) -> None:
        self.console = console

    async def post(self, channel: WatchChannel, report: Report) -> None:
        self.console._say(self.console._render(report))

    async def problem(self, channel: WatchChannel) -> str | None:
        return None


class TerminalProgress:
    """A command's progress on a terminal: its current step on one status line (stderr), then
    the answer printed as the model writes it (stdout)."""

    def __init__(self, subject: str, stdout: TextIO, stderr: TextIO) -> None:
        self.status = f"Scouting {printable(subject)[:60]}…"
        self.printed = ""  # the answer's text as written so far (before `printable`)
        self._stdout, self._stderr = stdout, stderr
        self._writing = False

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


def _bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[0m"


def _faint(text: str) -> str:
    return f"\x1b[2m{text}\x1b[0m"
