"""`python -m bot export-feedback [--since YYYY-MM-DD] [--out FILE]`: the answers people liked,
as JSON Lines in the OpenAI chat fine-tuning format, ready for a fine-tuning job.

Each line is `{"messages": [...]}`: exactly the messages the model was sent (system, user), then
its answer as the assistant's message. An answer is exported when its 👍 outnumber its 👎, it was
not cut short, and (with `--since`) it was made on or after that day (UTC). Lines go to standard
output, or to FILE (readable by its owner only; written whole, then put in place); the count goes
to standard error. Reads the bot's own database (`DATABASE_URL`, else the SQLite file under
`DATA_DIR`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn, TextIO

from bot.config import Settings
from bot.database import DatabaseProblem, open_migrated
from bot.feedback.store import FeedbackStore, FineTuningLine

PROG = "python -m bot export-feedback"
FILE_MODE = 0o600


class _OneLineParser(argparse.ArgumentParser):
    """A usage error is one line on standard error (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = _OneLineParser(
        prog=PROG,
        description="Write the answers with more 👍 than 👎 as JSON Lines in the OpenAI chat "
        "fine-tuning format: the exact messages the model was sent, then its answer.",
    )
    parser.add_argument(
        "--since",
        type=_day,
        metavar="YYYY-MM-DD",
        help="only answers made on or after this day (UTC)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (mode 0600) instead of stdout"
    )
    return parser.parse_args(argv)


def log_level(args: argparse.Namespace) -> str:
    return "WARNING"


async def run(settings: Settings, args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    since: date | None = args.since
    try:
        database = await open_migrated(settings.storage.database_url, settings.storage.data_dir)
    except DatabaseProblem as exc:
        print(f"trend-scout export-feedback: {exc}", file=sys.stderr)
        return 1
    try:
        lines = FeedbackStore(database).export(_start_of(since) if since else None)
        if args.out is None:
            count = await _write(lines, stdout or sys.stdout)
        else:
            count = await _write_file(lines, args.out)
    except OSError as exc:  # the output file: no such folder, no permission, disk full
        print(
            f"trend-scout export-feedback: cannot write {args.out}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    finally:
        await database.aclose()
    where = f" to {args.out}" if args.out is not None else ""
    after = f" made since {since.isoformat()}" if since else ""
    answers = "answer" if count == 1 else "answers"
    print(f"exported {count} liked {answers}{after}{where}", file=sys.stderr)
    return 0


async def _write(lines: AsyncIterator[FineTuningLine], out: TextIO) -> int:
    count = 0
    async for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    out.flush()
    return count


async def _write_file(lines: AsyncIterator[FineTuningLine], path: Path) -> int:
    """Into a private temporary file beside `path`, then renamed over it: a reader never sees
    half a file, and the file is never readable by others, even for a moment."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            count = await _write(lines, out)
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return count


def _day(raw: str) -> date:
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD, not {raw!r}") from None


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
