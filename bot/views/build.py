"""`reply_view`: a `Report` turned into the `ReplyView` every platform shows — the one place
that decides a reply's sections, their order and its buttons."""

from __future__ import annotations

from bot.advice import PART_MAX, CloneScore, Opportunity, best_target
from bot.appstore import AppInfo
from bot.charts import chart_for
from bot.report import Report, ReportKind, Source
from bot.views.links import safe_links
from bot.views.report_text import (
    COMPARISON_HEADER,
    OPPORTUNITY_HEADER,
    PARTS_KEY,
    TITLES,
    comparison_cells,
    competitors_line,
    evidence_quotes,
    evidence_summary,
    fact_fields,
    opportunity_cells,
    opportunity_quote,
    score_bar,
    source_line,
)
from bot.views.view import (
    Action,
    ActionKind,
    FactsSection,
    Line,
    LinesSection,
    NoteSection,
    ReplyView,
    Section,
    Span,
    Style,
    TableSection,
    Tone,
    plain_line,
)

BAR_WIDTH = 10


def reply_view(report: Report, refresh: str = "") -> ReplyView:
    """The reply for `report`. `refresh` is the command a Refresh button sends ("" for none)."""
    title = TITLES.get(report.kind, "Trend Scout")
    if report.is_reply_private:
        return ReplyView(
            report.kind,
            report.subject,
            title,
            summary=report.text,
            body=safe_links(report.text),
            private=True,
            tone=Tone.ERROR if report.kind is ReportKind.ERROR else Tone.NEUTRAL,
        )
    summary = f"{title}: {report.subject}".strip()
    if report.source is Source.FALLBACK:
        summary += " (rule-based advice)"
    return ReplyView(
        report.kind,
        report.subject,
        title,
        summary=summary,
        body=safe_links(report.text),
        sections=tuple(_sections(report)),
        footer=(source_line(report), *(note for note in report.notes if note.strip())),
        actions=tuple(_actions(report, refresh)),
        tone=_tone(report),
        chart=chart_for(report),
        feedback_id=report.answer_id if report.source in (Source.AI, Source.CACHE) else None,
    )


def _sections(report: Report) -> list[Section]:
    """In the order every platform shows them: the app, its score, the market's top apps, what
    users say, the comparison, who else is there."""
    sections: list[Section] = []
    if report.app is not None:
        sections.append(_facts(report.app))
    if report.clone_score is not None:
        sections.append(_score(report.clone_score))
    if report.top_apps:
        lines = tuple(
            plain_line(f"{rank}. {app.name} — {app.rating_summary}")
            for rank, app in enumerate(report.top_apps, 1)
        )
        sections.append(LinesSection("Top apps now", lines=lines))
    if report.reviews is not None:
        sections.append(
            LinesSection(
                "What users say",
                headline=plain_line(evidence_summary(report.reviews)),
                quotes=tuple(evidence_quotes(report.reviews)),
            )
        )
    if report.comparison:
        rows = tuple(comparison_cells(row) for row in report.comparison)
        sections.append(TableSection("Comparison", COMPARISON_HEADER, rows))
    if report.opportunities:
        sections.extend(_opportunities(report.opportunities))
    if report.competitors:
        sections.append(NoteSection("Who else is there", competitors_line(report.competitors)))
    return sections


def _opportunities(ranked: tuple[Opportunity, ...]) -> list[Section]:
    """The ranked table, the key to its parts, and one line of why (with a quote) per pick."""
    rows = tuple(opportunity_cells(rank, found) for rank, found in enumerate(ranked, 1))
    lines = []
    for rank, found in enumerate(ranked, 1):
        quote = opportunity_quote(found)
        line = [Span(f"{rank}. {found.app.name}", Style.STRONG), Span(f" — {found.why}")]
        if quote is not None:
            line.append(Span(f" · {quote}", Style.EMPHASIS))
        lines.append(tuple(line))
    return [
        TableSection("Opportunities", OPPORTUNITY_HEADER, rows),
        LinesSection("Why", lines=tuple(lines)),
        NoteSection("Score", PARTS_KEY.removeprefix("Parts: ")),
    ]


def _facts(app: AppInfo) -> FactsSection:
    url = app.url if app.url and app.url.startswith("https://") else None
    artwork = app.artwork_url if app.artwork_url and app.artwork_url.startswith("http") else None
    return FactsSection(app.name, url, artwork, tuple(fact_fields(app)))


def _score(score: CloneScore) -> LinesSection:
    lines: list[Line] = []
    for part in score.parts:
        line = [
            Span(f"{part.name}: "),
            Span(f"{part.points:.0f}", Style.STRONG),
            Span(f"/{PART_MAX:.0f} — {part.reason}"),
        ]
        if part.estimated:
            line += [Span(" "), Span("(estimated)", Style.EMPHASIS)]
        lines.append(tuple(line))
    headline = (
        Span(f"{score.total}/100", Style.STRONG),
        Span(" "),
        Span(score_bar(score, BAR_WIDTH), Style.CODE),
    )
    return LinesSection("Clone score", headline=headline, lines=tuple(lines))


def _actions(report: Report, refresh: str) -> list[Action]:
    """Follow-up buttons: build against the comparison's best target; the market around an
    app; the build guide after an analysis; the same command again, fresh; and whatever
    alerts and digests name."""
    actions: list[Action] = []
    if report.kind is ReportKind.FIND and report.opportunities:
        return _find_actions(report, refresh)
    if report.kind is ReportKind.COMPARE and report.comparison:
        best = best_target(report.comparison).app
        actions.append(
            Action(ActionKind.BUILD, f"Build guide: {best.name}", f"build id:{best.track_id}")
        )
    category = report.app.category if report.app is not None else None
    if category and report.kind not in (ReportKind.GAPS, ReportKind.COMPARE):
        actions.append(Action(ActionKind.GAPS, f"Market gaps in {category}", f"gaps {category}"))
    if report.kind is ReportKind.ANALYSIS:
        target = f"id:{report.app.track_id}" if report.app is not None else report.subject
        actions.append(Action(ActionKind.BUILD, "Build guide", f"build {target}"))
    if refresh:
        actions.append(Action(ActionKind.REFRESH, "Refresh", refresh))
    actions += [Action(ActionKind.RUN, f.label, f.command) for f in report.follow_ups]
    return actions


def _find_actions(report: Report, refresh: str) -> list[Action]:
    """After a market scan: the top pick's analysis and build guide, the top 3 compared, and the
    category watched."""
    top = report.opportunities[0].app
    three = ", ".join(f"id:{found.app.track_id}" for found in report.opportunities[:3])
    actions = [
        Action(ActionKind.RUN, f"Analysis: {top.name}", f"id:{top.track_id}"),
        Action(ActionKind.BUILD, f"Build guide: {top.name}", f"build id:{top.track_id}"),
    ]
    if len(report.opportunities) > 1:
        actions.append(Action(ActionKind.RUN, "Compare the top 3", f"compare {three}"))
    actions.append(
        Action(ActionKind.RUN, f"Watch {report.subject}", f"watch gaps {report.subject}")
    )
    if refresh:
        actions.append(Action(ActionKind.REFRESH, "Refresh", refresh))
    return actions


def _tone(report: Report) -> Tone:
    if report.kind is ReportKind.ERROR:
        return Tone.ERROR
    score = report.clone_score or (report.opportunities[0].score if report.opportunities else None)
    if score is None:
        return Tone.NEUTRAL
    total = score.total
    return Tone.GOOD if total >= 70 else Tone.FAIR if total >= 40 else Tone.POOR
