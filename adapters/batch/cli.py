"""`python -m bot batch FILE [--out results.jsonl|.csv] [--concurrency N] [--country xx]`.

FILE holds one app per line (a name, an id, `id:123` or an App Store link), or a CSV with a name
or id column, or JSON; `-` reads standard input. Every app is answered as `/scout <app>` would be,
through the same service, caches and limits. With `--out`, each record is appended as it is
ready and a later run with the same file asks only what is missing; without it, records go to
standard output as JSON Lines. A progress bar on a terminal, a log line every 10 s otherwise; at
the end, a summary ranked by clone score.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from adapters.batch.inputs import BatchFileError, read_batch
from adapters.batch.progress import BatchProgress
from adapters.batch.results import ResultFile, ResultFileError
from adapters.batch.runner import (
    BatchOutcome,
    RecordSink,
    answer_batch,
    report_bad_lines,
    summary,
)
from bot import TrendScout
from bot.appstore import is_storefront
from bot.config import Settings
from bot.runtime import Caller

log = logging.getLogger("bot.batch")

CALLER = Caller("batch", "cli")
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
# A batch queues this long for an App Store call rather than answer without its facts.
APPSTORE_PATIENCE = 15 * 60.0


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot batch",
        description="Answer every app in FILE (one per line, or CSV/JSON with a name or id "
        "column; - for standard input) as /scout would, a few at a time.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file, .jsonl or .csv; run again with the same file to go on where it "
        "stopped (default: JSON Lines on standard output)",
    )
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=DEFAULT_CONCURRENCY,
        help=f"apps answered at once (default {DEFAULT_CONCURRENCY}, at most {MAX_CONCURRENCY})",
    )
    parser.add_argument("--country", type=_country, help="App Store country for every app")
    parser.add_argument(
        "--progress",
        choices=("auto", "bar", "log", "none"),
        default="auto",
        help="a bar on a terminal, log lines otherwise (auto)",
    )
    return parser.parse_args(argv)


def log_level(args: argparse.Namespace) -> str:
    return "WARNING" if _bar_wanted(args, sys.stderr) else "INFO"  # log lines show progress


async def run(settings: Settings, args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    try:
        batch = read_batch(args.file, args.country)
    except BatchFileError as exc:
        print(f"trend-scout batch: {exc}", file=sys.stderr)
        return 2
    report_bad_lines(batch.bad, sys.stderr)
    results = ResultFile(args.out) if args.out is not None else None
    try:
        if results is not None:
            results.open()
    except ResultFileError as exc:
        print(f"trend-scout batch: {exc}", file=sys.stderr)
        return 2
    done = results.done if results is not None else {}
    todo = [item for item in batch.items if item.key not in done]
    outcome = BatchOutcome(total=len(batch.items), already_done=len(batch.items) - len(todo))
    progress = BatchProgress(len(todo), bar=_bar_wanted(args, sys.stderr), stream=sys.stderr)
    patient = replace(settings.appstore, max_queue_wait=APPSTORE_PATIENCE)
    scout = TrendScout.from_settings(replace(settings, appstore=patient), CALLER)
    write = results.write if results is not None else _printer(out)
    try:
        await answer_batch(scout, todo, write, progress, args.concurrency, outcome.answered)
    except asyncio.CancelledError:  # Ctrl-C: what is written stays, the summary says the rest
        outcome.interrupted = True
    finally:
        progress.close()
        await scout.aclose()
        if results is not None:
            results.close()
    everything = list(done.values()) if results is not None else outcome.answered
    name = str(args.out) if args.out is not None else None
    shown = summary(outcome, batch, everything, name)
    print(shown, file=out if results is not None else sys.stderr, flush=True)
    return 130 if outcome.interrupted else 0


def _printer(stream: TextIO) -> RecordSink:
    def write(record: dict[str, Any]) -> None:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        stream.flush()

    return write


def _bar_wanted(args: argparse.Namespace, stream: TextIO) -> bool:
    if args.progress != "auto":
        return bool(args.progress == "bar")
    return stream.isatty()


def _concurrency(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to {MAX_CONCURRENCY}")
    return value


def _country(raw: str) -> str:
    code = raw.strip().lower()
    if len(code) != 2 or not is_storefront(code):
        raise argparse.ArgumentTypeError("a two-letter App Store country, like us, gb or jp")
    return code
