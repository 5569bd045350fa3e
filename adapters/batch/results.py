"""The batch's results file: one record per app, appended the moment its answer is ready, so an
interrupted run loses nothing it finished and a run with the same file skips what it holds.

`.jsonl` holds each record in the console's `--json` shape (`Report.to_dict()`) with the input
line's `input` and `key` first; `.csv` holds the same fields as columns, the nested ones as JSON
text. The file is its user's alone (0600).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.report import Report

LEAD_COLUMNS = ("input", "key")
REPORT_COLUMNS = tuple(Report.__dataclass_fields__)
CSV_COLUMNS = (*LEAD_COLUMNS, *REPORT_COLUMNS, "opportunities")
FILE_MODE = 0o600


class ResultFileError(Exception):
    """The results file cannot be read or written; the message says which and why."""


@dataclass(frozen=True)
class ResultLine:
    """What the summary needs of one answered app."""

    key: str
    given: str
    name: str
    clone_score: int | None
    rating: str
    source: str  # ai, cache, fallback, or error

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> ResultLine:
        app = record.get("app") if isinstance(record.get("app"), Mapping) else None
        score = record.get("clone_score")
        total = score.get("total") if isinstance(score, Mapping) else None
        rating = ""
        if app is not None and app.get("rating") is not None:
            rating = f"{float(app['rating']):.1f}★ ({int(app.get('rating_count') or 0):,})"
        kind = record.get("kind")
        return cls(
            key=str(record.get("key", "")),
            given=str(record.get("input", "")),
            name=str((app or {}).get("name") or record.get("subject") or record.get("input", "")),
            clone_score=int(total) if isinstance(total, int | float) else None,
            rating=rating,
            source="error" if kind == "error" else str(record.get("source") or ""),
        )


class ResultFile:
    """Records appended one at a time (flushed each), after reading back what an earlier run
    left: `done` holds its lines by key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_csv = path.suffix.lower() == ".csv"
        self.done: dict[str, ResultLine] = {}
        self._handle: TextIO | None = None
        self._writer: csv.DictWriter[str] | None = None

    def open(self) -> None:
        """Read what an earlier run wrote (a half-written last line, from a kill, is cut off),
        then open for appending."""
        try:
            if self.path.exists():
                self._read_back()
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
            self._handle = open(descriptor, "a", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise ResultFileError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        if self.is_csv:
            self._writer = csv.DictWriter(self._handle, CSV_COLUMNS, extrasaction="ignore")
            if not self.done and self._handle.tell() == 0:
                self._writer.writeheader()

    def write(self, record: Mapping[str, Any]) -> None:
        assert self._handle is not None, "open() first"
        if self._writer is not None:
            self._writer.writerow(_csv_row(record))
        else:
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        line = ResultLine.of(record)
        self.done[line.key] = line

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _read_back(self) -> None:
        raw = self.path.read_bytes()
        whole = raw[: raw.rfind(b"\n") + 1]  # a line without its newline was cut by a kill
        if len(whole) != len(raw):
            with open(self.path, "r+b") as handle:
                handle.truncate(len(whole))
        text = whole.decode("utf-8", errors="replace")
        for record in _csv_records(text) if self.is_csv else _jsonl_records(text):
            line = ResultLine.of(record)
            if line.key:
                self.done[line.key] = line


def _jsonl_records(text: str) -> Iterable[Mapping[str, Any]]:
    for raw in text.splitlines():
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue  # not ours, or damaged: that app is asked again
        if isinstance(record, Mapping):
            yield record


def _csv_records(text: str) -> Iterable[Mapping[str, Any]]:
    for row in csv.DictReader(io.StringIO(text)):
        yield {
            name: _from_cell(value) if name not in LEAD_COLUMNS else value
            for name, value in row.items()
            if name is not None
        }


def _csv_row(record: Mapping[str, Any]) -> dict[str, str]:
    row = {}
    for name in CSV_COLUMNS:
        value = record.get(name)
        if name in LEAD_COLUMNS:
            row[name] = "" if value is None else str(value)
        else:
            row[name] = "" if value is None else json.dumps(value, ensure_ascii=False)
    return row


def _from_cell(cell: str | None) -> Any:
    if not cell:
        return None
    try:
        return json.loads(cell)
    except json.JSONDecodeError:
        return cell
