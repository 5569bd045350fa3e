"""A batch file read into the apps it names: one per line, a CSV with a name or id column, JSON
(a list, or `{"apps": [...]}`) or JSON Lines; `-` is standard input.

Every line is untrusted: one that names no app, cannot be decoded or is not a valid app name is
a `BadLine` (reported and skipped by the caller), never an exception. The same app named twice is
asked once: its `key` (the exact App Store id, or the folded name, with the country) says which
lines are the same.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.commands import Command, UsageError, app_command

MAX_FILE_BYTES = 64 * 1024 * 1024  # far beyond any real list of apps
NAME_COLUMNS = ("name", "app", "app_name", "title", "trackname", "track_name")
ID_COLUMNS = ("id", "track_id", "trackid", "app_id", "appid")
LINK_COLUMNS = ("url", "link", "trackviewurl", "track_view_url", "app_store_url")
COUNTRY_COLUMNS = ("country", "store", "storefront")
# The seed's record: an app the App Store does not know still gets advice from these.
RECORD_FIELDS = ("category", "rating_avg", "total", "clone_score")


class BatchFileError(Exception):
    """The file as a whole cannot be read (missing, unreadable, too large, not text)."""


@dataclass(frozen=True)
class BatchItem:
    """One app to answer: where it was written, what was written, and how it is asked."""

    line: int  # 1-based line (or JSON list position) in the input
    given: str  # what the file said, for the report and the results file
    command: Command
    record: Mapping[str, Any] | None = None  # the seed's fields, when the row had them

    @property
    def key(self) -> str:
        """The same key for the same app: lines that share it are asked once."""
        command = self.command
        name = f"id:{command.track_id}" if command.track_id else command.subject.casefold()
        return f"{command.country or ''}|{name}"


@dataclass(frozen=True)
class BadLine:
    line: int
    given: str
    problem: str  # one sentence


@dataclass
class BatchInput:
    items: list[BatchItem] = field(default_factory=list)  # distinct apps, first mention first
    bad: list[BadLine] = field(default_factory=list)
    repeats: int = 0  # lines naming an app already listed


def read_batch(source: str, country: str | None = None) -> BatchInput:
    """The apps of the file at `source` (`-`: standard input)."""
    return parse_batch(_read_text(source), _format_of(source), country)


def parse_batch(text: str, form: str | None = None, country: str | None = None) -> BatchInput:
    """The apps in `text`; `form` is `lines`, `csv`, `json` or `jsonl`, or None to tell from
    the text (a JSON opening, or a first row naming a name or id column)."""
    form = form or _sniff(text)
    rows = {"csv": _csv_rows, "json": _json_rows, "jsonl": _jsonl_rows}.get(form, _plain_rows)
    batch = BatchInput()
    seen: set[str] = set()
    for line, row in rows(text):
        item = row if isinstance(row, BadLine) else _item(line, row, country)
        if isinstance(item, BadLine):
            batch.bad.append(item)
        elif item.key in seen:
            batch.repeats += 1
        else:
            seen.add(item.key)
            batch.items.append(item)
    return batch


Row = str | Mapping[str, Any] | BadLine


def _item(line: int, row: str | Mapping[str, Any], country: str | None) -> BatchItem | BadLine:
    record: Mapping[str, Any] | None = None
    row_country = country
    if isinstance(row, Mapping):
        fields = {str(k).strip().casefold(): v for k, v in row.items() if v not in (None, "")}
        given = _first(fields, ID_COLUMNS) or _first(fields, LINK_COLUMNS)
        given = given or _first(fields, NAME_COLUMNS)
        row_country = (_first(fields, COUNTRY_COLUMNS) or country or "").lower() or None
        if any(name in fields for name in RECORD_FIELDS) and "name" in fields:
            record = {"name": str(fields["name"])} | {
                name: fields[name] for name in RECORD_FIELDS if name in fields
            }
            given = record["name"]  # asked by name, as the seed does, with its facts to fall on
        if not given:
            return BadLine(line, _shown(row), "no name, id or link in this row")
    else:
        given = row
    command = app_command(given, country=row_country)
    if isinstance(command, UsageError):
        return BadLine(line, _shown(given), command.problem)
    return BatchItem(line, given.strip(), command, record)


def _first(fields: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _plain_rows(text: str) -> Iterator[tuple[int, Row]]:
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _csv_rows(text: str) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None and _is_header(cells):
                header = [cell.strip() for cell in cells]
                continue
            if header is None:  # no header: the first column is the app
                yield reader.line_num, cells[0].strip()
            else:
                yield reader.line_num, dict(zip(header, cells, strict=False))
    except csv.Error as exc:
        yield reader.line_num, BadLine(reader.line_num, "", f"unreadable CSV ({exc})")


def _is_header(cells: list[str]) -> bool:
    known = {*NAME_COLUMNS, *ID_COLUMNS, *LINK_COLUMNS}
    return any(cell.strip().casefold() in known for cell in cells)


def _json_rows(text: str) -> Iterator[tuple[int, Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield exc.lineno, BadLine(exc.lineno, "", f"not valid JSON ({exc.msg})")
        return
    if isinstance(data, Mapping):
        data = data.get("apps", data.get("results", [data]))
    if not isinstance(data, list):
        yield 1, BadLine(1, "", "JSON that is not a list of apps")
        return
    for position, entry in enumerate(data, 1):
        yield position, _json_entry(position, entry)


def _jsonl_rows(text: str) -> Iterator[tuple[int, Row]]:
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, BadLine(number, _shown(raw), f"not valid JSON ({exc.msg})")
            continue
        yield number, _json_entry(number, entry)


def _json_entry(line: int, entry: Any) -> Row:
    if isinstance(entry, str | int) and not isinstance(entry, bool):
        return str(entry)
    if isinstance(entry, Mapping):
        return entry
    return BadLine(line, _shown(json.dumps(entry)), "neither an app name nor an object")


def _sniff(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        first = stripped.splitlines()[0].strip()
        return "jsonl" if first.endswith("}") and len(stripped.splitlines()) > 1 else "json"
    first_line = stripped.splitlines()[0] if stripped else ""
    if "," in first_line and _is_header(next(csv.reader([first_line]), [])):
        return "csv"
    return "lines"


def _format_of(source: str) -> str | None:
    suffix = Path(source).suffix.lower()
    return {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)


def _read_text(source: str) -> str:
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BatchFileError(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise BatchFileError(f"{source} is over {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchFileError(f"{source} is not UTF-8 text") from None


def _shown(text: str, limit: int = 60) -> str:
    """A bad line as the report quotes it: printable, and short."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"
