"""A cached `Report` as JSON, for caches shared between processes (Redis).

JSON rather than pickle: whoever can write to the shared cache must not be able to run code in
the workers. A record that does not decode (another version's format, a foreign key) is treated
as a cache miss by the caller.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from bot.advice import (
    ChartRanks,
    CloneScore,
    ComparedApp,
    Opportunity,
    OpportunityScore,
    Quote,
    ReviewEvidence,
    ScorePart,
    Theme,
    VersionStats,
)
from bot.ai import TokenUsage
from bot.appstore import AppInfo
from bot.report import FallbackReason, FollowUp, Report, ReportKind, Source, json_ready

# 2: review evidence, competitors; 3: comparisons; 4: follow-ups; 5: find; 6: the answer's id
FORMAT_VERSION = 6
# What this version reads: a 5 is a 6 without an answer id (its votes are not taken), so the
# answers cached before an upgrade stay cached. A worker still at 5 reads a 6 as a miss.
READABLE_VERSIONS = frozenset({5, FORMAT_VERSION})


class UndecodableReport(ValueError):
    """The bytes are not a report this version can read."""


def encode_report(report: Report, stored_at: float) -> bytes:
    record = {"v": FORMAT_VERSION, "stored_at": stored_at, "report": report.to_dict()}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def decode_report(raw: bytes | str) -> tuple[Report, float]:
    """The report and the wall-clock time it was stored."""
    try:
        record = json.loads(raw)
        if record.get("v") not in READABLE_VERSIONS:
            raise UndecodableReport(f"format {record.get('v')!r}")
        return _report(record["report"]), float(record["stored_at"])
    except UndecodableReport:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UndecodableReport(f"{type(exc).__name__}: {exc}") from None


def report_from_dict(data: dict[str, Any]) -> Report:
    """A report from its `to_dict()` form (raises on anything else: callers treat that as a
    record this version cannot read)."""
    return _report(data)


def _report(data: dict[str, Any]) -> Report:
    usage = data.get("usage")
    reason = data.get("fallback_reason")
    source = data.get("source")
    return Report(
        kind=ReportKind(data["kind"]),
        subject=str(data["subject"]),
        text=str(data["text"]),
        source=Source(source) if source else None,
        app=_app(data["app"]) if data.get("app") else None,
        clone_score=_score(data["clone_score"]) if data.get("clone_score") else None,
        top_apps=tuple(_app(app) for app in data.get("top_apps") or ()),
        model=data.get("model"),
        provider=data.get("provider"),
        latency_ms=int(data.get("latency_ms") or 0),
        usage=TokenUsage(**usage) if usage else None,
        fallback_reason=FallbackReason(reason) if reason else None,
        notes=tuple(str(note) for note in data.get("notes") or ()),
        reviews=_evidence(data["reviews"]) if data.get("reviews") else None,
        competitors=tuple(_app(app) for app in data.get("competitors") or ()),
        comparison=tuple(_compared(row) for row in data.get("comparison") or ()),
        follow_ups=tuple(FollowUp(**row) for row in data.get("follow_ups") or ()),
        opportunities=tuple(opportunity_from_dict(row) for row in data.get("opportunities") or ()),
        answer_id=_answer_id(data.get("answer_id")),
    )


def _answer_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("answer_id is not text")
    return value


def opportunity_from_dict(row: dict[str, Any]) -> Opportunity:
    """An `Opportunity` from its JSON (`bot.report.opportunity_json`)."""
    return Opportunity(
        app=_app(row["app"]),
        score=OpportunityScore(
            int(row["score"]), tuple(ScorePart(**part) for part in row["parts"])
        ),
        reviews=_evidence(row["reviews"]) if row.get("reviews") else None,
        ranks=ChartRanks(**row["ranks"]),
        why=str(row["why"]),
    )


def _compared(data: dict[str, Any]) -> ComparedApp:
    complaint = data.get("top_complaint")
    return ComparedApp(
        _app(data["app"]),
        _score(data["score"]),
        _theme(complaint) if complaint else None,
        int(data.get("reviews_read") or 0),
    )


def _quotes(rows: Any) -> tuple[Quote, ...]:
    return tuple(Quote(**row) for row in rows or ())


def _evidence(data: dict[str, Any]) -> ReviewEvidence:
    themes = {
        name: tuple(_theme(row) for row in data.get(name) or ())
        for name in ("complaints", "praise")
    }
    return ReviewEvidence(
        **{
            **data,
            "stars": tuple(data["stars"]),
            "versions": tuple(VersionStats(**row) for row in data.get("versions") or ()),
            "requests": _quotes(data.get("requests")),
            "quotes": _quotes(data.get("quotes")),
            "apps": tuple(data.get("apps") or ()),
            **themes,
        }
    )


def _theme(row: dict[str, Any]) -> Theme:
    return Theme(**{**row, "quotes": _quotes(row.get("quotes")), "apps": tuple(row["apps"])})


_APP_FIELDS = {f.name for f in fields(AppInfo)}


def app_to_dict(app: AppInfo) -> dict[str, Any]:
    return json_ready(asdict(app))  # type: ignore[no-any-return]


def app_from_dict(data: dict[str, Any]) -> AppInfo:
    """An `AppInfo` from its JSON form (fields it does not know are left out)."""
    return _app(data)


def _app(data: dict[str, Any]) -> AppInfo:
    values = {key: value for key, value in data.items() if key in _APP_FIELDS}
    if values.get("last_update"):
        values["last_update"] = date.fromisoformat(values["last_update"])
    return AppInfo(**values)


def _score(data: dict[str, Any]) -> CloneScore:
    return CloneScore(
        total=int(data["total"]), parts=tuple(ScorePart(**part) for part in data["parts"])
    )
