"""Console adapter: chat with Trend Scout in the terminal (like Hubot's shell adapter).

Interactive on a terminal (prompt, progress spinner, `exit` or Ctrl-D quits). On a pipe it reads
one command per line, prints one reply each, and returns at end of input. `--json` prints each
Report as one JSON object per line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
from typing import TextIO

from adapters.report_text import TITLES, score_bar, source_line
from bot.commands import parse
from bot.report import Report
from bot.runtime.request_scope import CONSOLE
from bot.service import RecommendationService

PROMPT = "scout> "
QUIT_WORDS = frozenset({"exit", "quit", ":q"})
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
BAR_WIDTH = 20


class ConsoleAdapter:
    def __init__(
        self,
        service: RecommendationService,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        json_output: bool = False,
        interactive: bool | None = None,
    ) -> None:
        self.service = service
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.json_output = json_output
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.color = self.interactive and self.stdout.isatty() and not json_output

    async def run(self) -> int:
        if self.interactive:
            self._say(
                "Trend Scout — try `Calculator Pro`, `gaps Utilities`, `build Calculator Pro` "
                "or `help`. `exit` or Ctrl-D quits."
            )
        while True:
            line = await self._read_line()
            if line is None:
                break
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT_WORDS:
                break
            report = await self._handle_with_progress(text)
            self._say(self._render(report))
        if self.interactive:
            self._say("Bye.")
        return 0

    async def _read_line(self) -> str | None:
        if self.interactive:
            self.stdout.write(PROMPT)
            self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        if line == "":
            if self.interactive:
                self.stdout.write("\n")
            return None
        return line

    async def _handle_with_progress(self, text: str) -> Report:
        command = parse(text)
        if not self.interactive:
            return await self.service.handle(command, CONSOLE)
        spinner = asyncio.create_task(self._spin(getattr(command, "subject", "") or "it"))
        try:
            return await self.service.handle(command, CONSOLE)
        finally:
            spinner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await spinner
            self.stderr.write("\r\x1b[2K")
            self.stderr.flush()

    async def _spin(self, subject: str) -> None:
        frame = 0
        while True:
            self.stderr.write(f"\r{SPINNER[frame % len(SPINNER)]} Scouting {subject[:60]}…")
            self.stderr.flush()
            frame += 1
            await asyncio.sleep(0.1)

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _render(self, report: Report) -> str:
        if self.json_output:
            return json.dumps(report.to_dict(), ensure_ascii=False)
        return render_text(report, color=self.color)


def render_text(report: Report, color: bool = False) -> str:
    """A Report as readable terminal text."""

    def bold(text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if color else text

    def dim(text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if color else text

    body = report.text
    if color:
        body = re.sub(r"\*\*(.+?)\*\*", lambda m: bold(m.group(1)), body)
    if report.is_reply_private:
        return body + "\n"

    lines = [bold(f"━━ {report.subject} · {TITLES[report.kind].lower()} ━━")]
    app = report.app
    if app is not None:
        facts = [app.category or "category unknown", app.rating_summary]
        if app.formatted_price:
            facts.append(app.formatted_price)
        if app.last_update:
            facts.append(f"updated {app.last_update.isoformat()}")
        lines.append(" · ".join(facts))
    if report.clone_score is not None:
        score = report.clone_score
        lines.append(f"Clone score {score.total}/100 {score_bar(score, BAR_WIDTH)}")
        for part in score.parts:
            mark = " (estimated)" if part.estimated else ""
            lines.append(f"  {part.name}: {part.points:.0f}/25 — {part.reason}{mark}")
    if report.top_apps:
        lines.append("Top apps now:")
        lines.extend(
            f"  {rank}. {top.name} — {top.rating_summary}"
            for rank, top in enumerate(report.top_apps, 1)
        )
    lines.append("")
    lines.append(body)
    lines.append("")
    lines.append(dim("── " + source_line(report)))
    lines.extend(dim(f"   {note}") for note in report.notes)
    return "\n".join(lines) + "\n"
