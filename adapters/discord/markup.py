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
from typing import Any, Protocol

import discord

from bot.progress import Progress
from bot.views import (
    FactsSection,
    Line,
    LinesSection,
    NoteSection,
    ReplyView,
    Section,
    Style,
    TableSection,
    Tone,
    cut,
    plain_text,
    safe_links,
    split,
    step_line,
)

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_FIELDS_MAX = 25
MESSAGE_EMBED_TEXT_MAX = 6000
EMBEDS_PER_MESSAGE = 10
MAX_MESSAGES = 3  # a reply longer than this goes on in an attached text file
OVERFLOW_FILE = "answer.txt"

_MASS_MENTION = re.compile(r"@(?=(everyone|here)\b)", re.IGNORECASE)
_MENTION = re.compile(r"<(@[!&]?|#)(?=\d)")


@dataclass
class DiscordMessage:
    embeds: list[discord.Embed] = field(default_factory=list)
    content: str | None = None
    attachment: tuple[str, str] | None = None  # (file name, text): what did not fit
    shows_chart: bool = False  # its first embed shows the reply's chart (`CHART_FILE`)


CHART_FILE = "chart.png"


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


TONE_COLOURS = {
    Tone.NEUTRAL: discord.Colour.blurple(),
    Tone.ERROR: discord.Colour.red(),
    Tone.GOOD: discord.Colour.green(),
    Tone.FAIR: discord.Colour.gold(),
    Tone.POOR: discord.Colour.dark_orange(),
}


def colour(view: ReplyView) -> discord.Colour:
    return TONE_COLOURS[view.tone]


def render(view: ReplyView) -> list[DiscordMessage]:
    """The reply as one or more messages; buttons go on the last one."""
    if view.private:
        pieces = split(sanitise(view.body), DESCRIPTION_MAX) or ["—"]
        return [
            DiscordMessage([discord.Embed(description=piece, colour=colour(view))])
            for piece in pieces
        ]

    first = discord.Embed(title=_cut(sanitise(view.heading), TITLE_MAX), colour=colour(view))
    for section in view.sections:
        _add_section(first, section)
    first.set_footer(text=_cut(" · ".join(map(sanitise, view.footer)), FOOTER_MAX))
    if view.chart is not None:  # the outbox attaches the picture under this name
        first.set_image(url=f"attachment://{CHART_FILE}")

    pieces = split(sanitise(view.body), DESCRIPTION_MAX) or ["—"]
    messages = [DiscordMessage(shows_chart=view.chart is not None)]
    budget = MESSAGE_EMBED_TEXT_MAX - len(first)
    first.description = pieces[0] if len(pieces[0]) <= budget else None
    messages[0].embeds.append(first)
    rest = pieces[1:] if first.description is not None else pieces
    for piece in rest:
        embed = discord.Embed(description=piece, colour=colour(view))
        current = messages[-1]
        used = sum(len(e) for e in current.embeds)
        if len(current.embeds) >= EMBEDS_PER_MESSAGE or used + len(embed) > MESSAGE_EMBED_TEXT_MAX:
            messages.append(DiscordMessage())
        messages[-1].embeds.append(embed)
    return _capped(messages)


def _capped(messages: list[DiscordMessage]) -> list[DiscordMessage]:
    """At most `MAX_MESSAGES` messages: what does not fit goes with the last one as a text file,
    and its last embed says so."""
    if len(messages) <= MAX_MESSAGES:
        return messages
    kept, rest = messages[:MAX_MESSAGES], messages[MAX_MESSAGES:]
    text = "\n\n".join(e.description or "" for m in rest for e in m.embeds).strip()
    last = kept[-1]
    note = f"The answer goes on in {OVERFLOW_FILE}, attached."
    last.embeds[-1].set_footer(text=note)
    last.attachment = (OVERFLOW_FILE, text + "\n")
    return kept


def _add_section(embed: discord.Embed, section: Section) -> None:
    if isinstance(section, FactsSection):
        if section.url:
            embed.url = section.url
        if section.artwork_url:
            embed.set_thumbnail(url=section.artwork_url)
        for label, value in section.fields:
            embed.add_field(name=label, value=_cut(sanitise(value), FIELD_VALUE_MAX))
    elif isinstance(section, LinesSection):
        lines = [_spans(section.headline)] if section.headline else []
        lines += [_spans(line) for line in section.lines]
        lines += [f"> {sanitise(quote)}" for quote in section.quotes]
        value = _cut("\n".join(lines), FIELD_VALUE_MAX)
        embed.add_field(name=section.title, value=value, inline=False)
    elif isinstance(section, TableSection):
        ranked = section.header[0] == "#"  # a rank and a name make the field's name
        labels = section.header[2:] if ranked else section.header[1:]
        for row in section.rows[:EMBED_FIELDS_MAX]:
            name = f"{row[0]}. {row[1]}" if ranked else row[0]
            values = row[2:] if ranked else row[1:]
            lines = [
                f"{label}: {sanitise(value)}" for label, value in zip(labels, values, strict=True)
            ]
            embed.add_field(
                name=_cut(sanitise(name), TITLE_MAX), value=_cut("\n".join(lines), FIELD_VALUE_MAX)
            )
    else:
        assert isinstance(section, NoteSection)
        value = _cut(sanitise(section.text), FIELD_VALUE_MAX)
        embed.add_field(name=section.title, value=value, inline=False)


_STYLES = {
    Style.PLAIN: "{}",
    Style.STRONG: "**{}**",
    Style.EMPHASIS: "*{}*",
    Style.CODE: "`{}`",
}


def _spans(line: Line) -> str:
    return "".join(_STYLES[span.style].format(sanitise(span.text)) for span in line)


def plain(view: ReplyView) -> DiscordMessage:
    """The reply as plain content, for when Discord refuses its embeds."""
    return DiscordMessage(content=cut(sanitise(plain_text(view)).strip() or "—", CONTENT_MAX))


def _cut(text: str, limit: int) -> str:
    """Discord refuses empty titles and field values: say "—" rather than nothing."""
    return cut(text.strip() or "—", limit)


class VoteHandler(Protocol):
    async def on_vote(
        self, interaction: discord.Interaction[Any], vote: str, answer: str
    ) -> None: ...


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"vote:(?P<vote>up|down):(?P<answer>[0-9a-f]{32})",
):
    """👍 or 👎 under a model's answer: its custom id (`vote:up:<answer id>`) carries the vote
    and the answer, so it works after a restart and on any worker."""

    def __init__(self, vote: str, answer: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"vote:{vote}:{answer}",
                row=1,  # under the follow-up buttons
            )
        )
        self.vote, self.answer = vote, answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(match["vote"], match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: VoteHandler = interaction.client.adapter  # type: ignore[attr-defined]
        await handler.on_vote(interaction, self.vote, self.answer)


def add_vote_buttons(buttons: discord.ui.View, answer_id: str) -> None:
    buttons.add_item(VoteButton("up", answer_id))
    buttons.add_item(VoteButton("down", answer_id))
