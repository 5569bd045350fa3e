"""Console adapter: chat with Trend Scout in the terminal (like Hubot's shell adapter).

Interactive on a terminal (prompt, `exit` or Ctrl-D quits): while a command works, its current
step shows on one status line, then the answer is printed as the model writes it and the rest of
the reply (facts, score, evidence) follows. On a pipe it reads one command per line, prints one
reply each, and finishes at end of input. `--json` prints each
Report as one JSON object per line. Model and App Store text is printed without control or
escape sequences, so an answer cannot drive the user's terminal.

A reply's chart is written as a PNG under `DATA_DIR/charts` after the reply is printed, and its
path printed below it (`adapters/console/charts.py`); `--json` carries the chart's data in a
`chart` key instead of a picture.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

from adapters.console.charts import ChartFiles, default_charts_dir
from adapters.console.terminal import TerminalProgress, printable, printable_report
from adapters.port import Adapter
from bot.charts import chart_data
from bot.intake import Conversation, Incoming, JournalHandle, Outbox, Turn
from bot.report import Report, Source
from bot.views import chart_problem, continuation, plain_text, reply_view
from bot.watch import WatchChannel

log = logging.getLogger(__name__)

PROMPT = "scout> "
CHANNEL = "console"  # trend watch: the console's own local list of watches
SESSION = "session"  # the console is one conversation: every line after an answer goes on
QUIT_WORDS = frozenset({"exit", "quit", ":q"})


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
        charts_dir: Path | None = None,
    ) -> None:
        super().__init__(conversation)
        self._charts_dir = charts_dir  # None: DATA_DIR/charts, found on the first chart
        self._chart_files: ChartFiles | None = None
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
        self.intake.spawn(self._chat())
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
                incoming = Incoming(
                    "console",
                    "console",
                    text,
                    channel=CHANNEL,
                    place=SESSION,
                    is_admin=True,
                    locale=terminal_locale(),
                )
                reply = await self.intake.accept(incoming, ConsoleArrival(self))
                if reply is not None:  # one reply at a time: lines are answered in order
                    await reply
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

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def _show_chart(self, report: Report) -> None:
        """After the reply: its chart written to a file, and the file's path (or why not)."""
        chart = reply_view(report).chart
        if chart is None or self.json_output:
            return
        if self._chart_files is None:
            self._chart_files = ChartFiles(self._charts_dir or default_charts_dir())
        try:
            path = await self._chart_files.write(chart)
        except Exception as exc:
            log.warning("chart not written (%s)", type(exc).__name__)
            self._say(chart_problem(f"it could not be written ({type(exc).__name__})"))
            return
        self._say(f"Chart: {printable(chart.title)} — {path}")

    def _render(self, report: Report, shown: str = "") -> str:
        if self.json_output:
            data = report.to_dict()
            chart = reply_view(report).chart
            if chart is not None:
                data["chart"] = chart_data(chart)
            return json.dumps(data, ensure_ascii=False)
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
        view = reply_view(printable_report(report))
        if self.color:
            return plain_text(view, _bold, _faint, body=body)
        return plain_text(view, body=body)


class ConsoleArrival:
    """A line typed at the console: nothing to acknowledge; the reply is printed."""

    def __init__(self, console: ConsoleAdapter) -> None:
        self._console = console

    async def acknowledge(self, turn: Turn | None, at_once: Report | None) -> bool:
        return False

    def outbox(self, turn: Turn, entry: JournalHandle | None) -> Outbox:
        return ConsoleOutbox(self._console, turn)


class ConsoleOutbox:
    """The reply printed; on a terminal, the progress first (a status line, then the answer as
    the model writes it) and then the rest of the reply."""

    def __init__(self, console: ConsoleAdapter, turn: Turn) -> None:
        self._console = console
        self._turn = turn
        self._live: TerminalProgress | None = None

    def live(self) -> TerminalProgress | None:
        console = self._console
        if not console.interactive or console.json_output:
            return None
        self._live = TerminalProgress(self._turn.subject, console.stdout, console.stderr)
        self._live.start()
        return self._live

    async def send(self, report: Report) -> None:
        shown = self._live.printed if self._live is not None else ""
        self._console._say(self._console._render(report, shown))
        await self._console._show_chart(report)

    def rejection(self, error: Exception) -> str | None:
        return None  # a terminal refuses nothing

    async def send_plain(self, report: Report) -> None:
        await self.send(report)

    async def apologise(self, report: Report | None) -> None:
        self._console._say("Sorry — that reply could not be shown.")

    async def tidy(self) -> None:
        return None  # the status line went when the answer began

    def place(self) -> str | None:
        return SESSION


class ConsolePoster:
    """Trend watch alerts and digests, printed between the chat's replies."""

    def __init__(self, console: ConsoleAdapter) -> None:
        self.console = console

    async def post(self, channel: WatchChannel, report: Report) -> None:
        self.console._say(self.console._render(report))
        await self.console._show_chart(report)

    async def problem(self, channel: WatchChannel) -> str | None:
        return None


def _bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[0m"


def _faint(text: str) -> str:
    return f"\x1b[2m{text}\x1b[0m"


def terminal_locale() -> str | None:
    """The terminal user's language, as POSIX says to read it: LC_ALL, then LC_MESSAGES, then
    LANG ("de_DE.UTF-8"; "C" and "POSIX" name none)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name):
            return value
    return None
