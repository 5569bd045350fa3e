"""Discord embed rendering of a `Report`, always within Discord's limits.

Limits kept: content 2,000; embed title 256, description 4,096, field name 256 and value 1,024,
25 fields, footer 2,048, and 6,000 characters of embed text per message (10 embeds at most).
A long analysis continues in further embeds, then further messages, split at paragraph, line or
word boundaries — never mid-word. Text from users, the App Store or the model cannot ping:
`@everyone`, `@here` and `<@…>` mentions are neutralised (and every send also carries
`AllowedMentions.none()`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import discord

from adapters.rendering import (
    COMPARISON_HEADER,
    TITLES,
    comparison_cells,
    competitors_line,
    cut,
    evidence_quotes,
    evidence_summary,
    fact_fields,
    render_text,
    safe_links,
    score_bar,
    score_lines,
    source_line,
    split,
    step_line,
    top_app_lines,
)
from bot.appstore import AppInfo
from bot.progress.feed import Progress
from bot.report.report import Report, ReportKind

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_FIELDS_MAX = 25
MESSAGE_EMBED_TEXT_MAX = 6000
EMBEDS_PER_MESSAGE = 10
BAR_WIDTH = 10

_MASS_MENTION = re.compile(r"@(?=(everyone|here)\b)", re.IGNORECASE)
_MENTION = re.compile(r"<(@[!&]?|#)(?=\d)")


@dataclass
class DiscordMessage:
    embeds: list[discord.Embed] = field(default_factory=list)
    content: str | None = None


def sanitise(text: str) -> str:
    """Untrusted text made safe for Discord: @everyone/@here and <@id>, <@&role>, <#channel>
    render as plain text, and masked links show their real target (Discord renders
    `[text](url)` in embeds)."""
    text = safe_links(text)
    return _MENTION.sub(lambda m: "<" + m.group(1) + "\u200b", _MASS_MENTION.sub("@\u200b", text))


# While working, grey: no final reply has it (they are red, blurple, green, gold or orange).
WORKING_COLOUR = discord.Colour.light_grey()


def progress_embed(subject: str, progress: Progress) -> discord.Embed:
    """A command's progress as one embed: the plan, then the answer so far."""
    plan = "\n".join(sanitise(step_line(step)) for step in progress.steps)
    text = sanitise(progress.text.strip())
    room = DESCRIPTION_MAX - len(plan) - 2
    description = plan + ("\n\n" + cut(text, room) if text and room > 100 else "")
    embed = discord.Embed(
        title=_cut(f"Scouting {sanitise(subject)}…", TITLE_MAX),
        description=description or "…",
        colour=WORKING_COLOUR,
    )
    embed.set_footer(text="Working… the full answer replaces this message.")
    return embed


def colour(report: Report) -> discord.Colour:
    if report.kind is ReportKind.ERROR:
        return discord.Colour.red()
    if report.clone_score is None:
        return discord.Colour.blurple()
    total = report.clone_score.total
    if total >= 70:
        return discord.Colour.green()
    if total >= 40:
        return discord.Colour.gold()
    return discord.Colour.dark_orange()


def render(report: Report) -> list[DiscordMessage]:
    """The reply as one or more messages; buttons go on the last one."""
    if report.is_reply_private:
        pieces = split(sanitise(report.text), DESCRIPTION_MAX) or ["—"]
        return [
            DiscordMessage([discord.Embed(description=piece, colour=colour(report))])
            for piece in pieces
        ]

    first = discord.Embed(
        title=_cut(f"{report.subject} · {TITLES[report.kind]}", TITLE_MAX),
        colour=colour(report),
    )
    app = report.app
    if app is not None and app.url and app.url.startswith("http"):
        first.url = app.url
    if app is not None and app.artwork_url and app.artwork_url.startswith("http"):
        first.set_thumbnail(url=app.artwork_url)
    if app is not None:
        _facts(first, app)
    if report.clone_score is not None:
        score = report.clone_score
        lines = [f"**{score.total}/100** `{score_bar(score, BAR_WIDTH)}`"]
        lines += score_lines(score, lambda t: f"**{t}**", lambda t: f"*{t}*", sanitise)
        first.add_field(
            name="Clone score", value=_cut("\n".join(lines), FIELD_VALUE_MAX), inline=False
        )
    if report.top_apps:
        lines = top_app_lines(report.top_apps, sanitise)
        first.add_field(
            name="Top apps now", value=_cut("\n".join(lines), FIELD_VALUE_MAX), inline=False
        )
    if report.reviews is not None:
        lines = [sanitise(evidence_summary(report.reviews))]
        lines.extend(f"> {sanitise(quote)}" for quote in evidence_quotes(report.reviews))
        first.add_field(
            name="What users say", value=_cut("\n".join(lines), FIELD_VALUE_MAX), inline=False
        )
    for row in report.comparison[:EMBED_FIELDS_MAX]:
        name, *values = comparison_cells(row)
        lines = [
            f"{label}: {sanitise(value)}"
            for label, value in zip(COMPARISON_HEADER[1:], values, strict=True)
        ]
        first.add_field(
            name=_cut(sanitise(name), 256), value=_cut("\n".join(lines), FIELD_VALUE_MAX)
        )
    if report.competitors:
        who = sanitise(competitors_line(report.competitors))
        first.add_field(name="Who else is there", value=_cut(who, FIELD_VALUE_MAX), inline=False)
    footer = _cut(
        " · ".join([source_line(report, sanitise), *map(sanitise, report.notes)]), FOOTER_MAX
    )
    first.set_footer(text=footer)

    pieces = split(sanitise(report.text), DESCRIPTION_MAX) or ["—"]
    messages = [DiscordMessage()]
    budget = MESSAGE_EMBED_TEXT_MAX - len(first)
    first.description = pieces[0] if len(pieces[0]) <= budget else None
    messages[0].embeds.append(first)
    rest = pieces[1:] if first.description is not None else pieces
    for piece in rest:
        embed = discord.Embed(description=piece, colour=colour(report))
        current = messages[-1]
        used = sum(len(e) for e in current.embeds)
        if len(current.embeds) >= EMBEDS_PER_MESSAGE or used + len(embed) > MESSAGE_EMBED_TEXT_MAX:
            messages.append(DiscordMessage())
        messages[-1].embeds.append(embed)
    return messages


def _facts(embed: discord.Embed, app: AppInfo) -> None:
    for label, value in fact_fields(app):
        embed.add_field(name=label, value=_cut(sanitise(value), FIELD_VALUE_MAX))


def plain(report: Report) -> DiscordMessage:
    """The reply as plain content, for when Discord refuses its embeds."""
    return DiscordMessage(content=cut(sanitise(render_text(report)).strip() or "—", CONTENT_MAX))


def _cut(text: str, limit: int) -> str:
    """Discord refuses empty titles and field values: say "—" rather than nothing."""
    return cut(text.strip() or "—", limit)
