"""Answering a batch: every app through the bot's own service (`TrendScout`), a few at a time,
each result written the moment it is ready, and a summary ranked by clone score at the end.

Concurrency is bounded twice: `concurrency` apps in flight (the model's share), and the App
Store's rate limit, which a batch waits for instead of answering without facts (it is not a
chat user waiting on a reply). Ctrl-C stops the work in flight; what was written stays.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from adapters.batch.inputs import BadLine, BatchInput, BatchItem
from adapters.batch.progress import BatchProgress
from adapters.batch.results import ResultLine
from bot import TrendScout, TrendScoutError

SHOWN_IN_SUMMARY = 20  # ranked lines printed; the rest are in the results file


@dataclass
class BatchOutcome:
    total: int = 0  # distinct apps in the input
    already_done: int = 0  # in the results file from an earlier run
    answered: list[ResultLine] = field(default_factory=list)  # this run's
    interrupted: bool = False


RecordSink = Callable[[dict[str, Any]], None]


async def answer_batch(
    scout: TrendScout,
    items: list[BatchItem],
    write: RecordSink,
    progress: BatchProgress,
    concurrency: int,
    answered: list[ResultLine],
) -> None:
    """Answer `items`, `concurrency` at a time, writing each record as it is ready and adding
    its line to `answered` (which holds what was done even when this is cancelled)."""
    pending: Iterator[BatchItem] = iter(items)

    async def worker() -> None:
        for item in pending:  # shared: each item is taken by exactly one worker
            record = await answer_one(scout, item)
            write(record)
            line = ResultLine.of(record)
            answered.append(line)
            progress.step(line.source != "error")

    workers = [asyncio.ensure_future(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()


async def answer_one(scout: TrendScout, item: BatchItem) -> dict[str, Any]:
    """One app's record in the console's `--json` shape, or an error record saying why."""
    lead = {"input": item.given, "key": item.key}
    try:
        recommendation = await scout.analyse(item.record or item.given, item.command.country)
    except TrendScoutError as exc:  # unknown app, bad name: the answer is the reason
        return {**lead, "kind": "error", "subject": item.given, "text": str(exc), "source": None}
    return {**lead, **recommendation.report.to_dict()}


def summary(
    outcome: BatchOutcome,
    batch: BatchInput,
    everything: list[ResultLine],
    results_name: str | None,
) -> str:
    """What the run did, then every app of the results ranked by clone score (best first)."""
    counts: dict[str, int] = {}
    for line in outcome.answered:
        counts[line.source] = counts.get(line.source, 0) + 1
    errors = counts.pop("error", 0)
    how = ", ".join(f"{n} {_SOURCE_WORDS.get(s, s)}" for s, n in sorted(counts.items()))
    head = [
        f"Trend Scout batch: {outcome.total} apps"
        + (f" ({batch.repeats} repeated lines asked once)" if batch.repeats else ""),
        f"  answered now: {sum(counts.values())}" + (f" ({how})" if how else ""),
    ]
    if outcome.already_done:
        head.append(f"  already in {results_name}: {outcome.already_done} (not asked again)")
    if errors:
        head.append(f"  not answered: {errors} (unknown apps; the reason is in each record)")
    if batch.bad:
        head.append(f"  bad lines skipped: {len(batch.bad)}")
    left = outcome.total - outcome.already_done - len(outcome.answered)
    if outcome.interrupted:
        again = f" with --out {results_name}" if results_name else ""
        head.append(f"  interrupted: {left} not asked yet; run again{again} to go on")
    ranked = sorted(
        (line for line in everything if line.clone_score is not None),
        key=lambda line: (-(line.clone_score or 0), line.name.casefold()),
    )
    if ranked:
        head += ["", "Ranked by clone score (higher: a better app to build against):"]
        head.append(f"  {'#':>3}  {'score':>5}  {'app':<32}  {'rating':<18}  source")
        for rank, line in enumerate(ranked[:SHOWN_IN_SUMMARY], 1):
            head.append(
                f"  {rank:>3}  {line.clone_score:>5}  {_fit(line.name, 32):<32}  "
                f"{line.rating:<18}  {line.source}"
            )
        if len(ranked) > SHOWN_IN_SUMMARY:
            more = len(ranked) - SHOWN_IN_SUMMARY
            where = f" in {results_name}" if results_name else " above"
            head.append(f"  … and {more} more{where}")
    return "\n".join(head)


def report_bad_lines(bad: list[BadLine], stream: TextIO) -> None:
    for line in bad:
        shown = f" ({json.dumps(line.given, ensure_ascii=False)})" if line.given else ""
        print(f"line {line.line}{shown}: skipped: {line.problem}", file=stream)


_SOURCE_WORDS = {"ai": "by the model", "cache": "from the cache", "fallback": "rule-based"}


def _fit(text: str, width: int) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return printable if len(printable) <= width else printable[: width - 1] + "…"
