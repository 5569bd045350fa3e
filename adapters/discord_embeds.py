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

from adapters.report_text import TITLES, cut, score_bar, source_line
from bot.appstore.catalog import AppInfo
from bot.report import Report, ReportKind

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
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
    """Break @everyone/@here and <@id>, <@&role>, <#channel> so they render as plain text."""
    return _MENTION.sub(lambda m: "<" + m.group(1) + "\u200b", _MASS_MENTION.sub("@\u200b", text))


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
        for part in score.parts:
            estimated = " *(estimated)*" if part.estimated else ""
            lines.append(
                f"{part.name}: **{part.points:.0f}**/25 — {sanitise(part.reason)}{estimated}"
            )
        first.add_field(
            name="Clone score", value=_cut("\n".join(lines), FIELD_VALUE_MAX), inline=False
        )
    if report.top_apps:
        lines = [
            f"{rank}. {sanitise(top.name)} — {top.rating_summary}"
            for rank, top in enumerate(report.top_apps, 1)
        ]
        first.add_field(
            name="Top apps now", value=_cut("\n".join(lines), FIELD_VALUE_MAX), inline=False
        )
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


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then line, then word boundaries."""
    pieces: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text.strip())):
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            if cut <= 0:
                cut = paragraph.rfind(" ", 0, limit)
            if cut <= 0:
                cut = limit  # one unbroken "word" longer than a whole embed
            head, paragraph = paragraph[:cut].rstrip(), paragraph[cut:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if not paragraph:
            continue
        if current and len(current) + 2 + len(paragraph) <= limit:
            current += "\n\n" + paragraph
        else:
            if current:
                pieces.append(current)
            current = paragraph
    if current:
        pieces.append(current)
    return pieces


def _facts(embed: discord.Embed, app: AppInfo) -> None:
    embed.add_field(name="Category", value=_cut(sanitise(app.category or "unknown"), 1024))
    embed.add_field(name="Rating", value=app.rating_summary)
    embed.add_field(name="Price", value=_cut(sanitise(app.formatted_price or "unknown"), 1024))
    embed.add_field(
        name="Last update", value=app.last_update.isoformat() if app.last_update else "unknown"
    )
    if app.seller:
        embed.add_field(name="Seller", value=_cut(sanitise(app.seller), 1024))


def _cut(text: str, limit: int) -> str:
    """Discord refuses empty titles and field values: say "—" rather than nothing."""
    return cut(text.strip() or "—", limit)
