"""Links in untrusted Markdown (the model's answer, quoted text) shown only as what they are.

Read as CommonMark by markdown-it-py, its inline tokenizer noting where each link, image and code
span lies (tokens carry no offsets); those are rewritten in the source until a reading finds none.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import MD_TRIM_CHARS, normalizeReference
from markdown_it.token import Token

from bot.views.commonmark import (
    PROTECTED,
    SPANS,
    SRC,
    TEXT_ONLY,
    WITH_HTML,
    SourceSpan,
)

_SAFE_SCHEMES = ("https://", "http://")
# No link, image or definition can be read in text without one of these (an inline link or
# image needs "](", a reference one a definition, "]:"; an autolink, Slack's form or HTML, "<").
_RISKY = re.compile(r"\]\(|\]:|<[^\s<>]")
_BRACKETS = re.compile(r"[\[\]<]")
_HTML = re.compile(r"<[A-Za-z/!?]")  # where a reader that knows HTML may see other code spans
_SLACK_LINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^|>\s]*)\|([^>\n]*)>")
# An image opener with no end yet ("![x](http://…" of a growing answer) loses its "!".
_IMAGE_OPENER = re.compile(r"!(?=\[[^\]\n]*\]\()")
_OPEN_CLOSER = re.compile(r"\](?=[(:])")  # "](" or "]:" left in text: escaped before the "(" or ":"
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]*")  # as normalizing would leave it
_DEFINITION = re.compile(
    r"^(?P<pre>[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?[ \t>]*)"
    r"\[(?P<label>[^\[\]\\\n]+)\]:[ \t]*(?:<(?P<angle>[^<>\n]*)>|(?P<dest>\S+)).*$"
)
_LEAVES = frozenset({"paragraph_open", "heading_open", "fence", "code_block", "hr", "html_block"})
_ROUNDS = 12


def safe_links(markdown: str) -> str:
    """Links in untrusted Markdown (the model's answer) shown only as what they are: a link
    whose visible text is not its target becomes "text (target)", Slack's `<target|text>` too,
    one that shows its target the bare target, one to anything but http(s) its text; images
    become their alt text and reference definitions plain text. Code is left as it is. What is
    left of a link in text ("](", "]:") is escaped, so the next lines of a growing answer, made
    safe on their own, cannot complete it; so is a "[" of text that a "](" in code follows."""
    if not _RISKY.search(markdown):
        return markdown  # as it would come out: nothing in it can be or become a link
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    for round_ in range(_ROUNDS):
        if round_ and not _RISKY.search(text):
            return text
        edits = _edits(text, TEXT_ONLY)
        if not edits and _HTML.search(text):
            edits = _edits(text, WITH_HTML)
        if not edits:
            return text if round_ else markdown
        text = _apply(text, edits)
    return _escape(text, "[]<")  # never reached in practice: a guarantee all the same


def _same_place(shown: str, target: str) -> bool:
    def bare(url: str) -> str:
        url = url.lower()
        for scheme in _SAFE_SCHEMES:
            url = url.removeprefix(scheme)
        return url.rstrip("/")

    return bare(shown) == bare(target)


def _shown(text: str, target: str) -> str:
    """What a link to `target` showing `text` becomes."""
    if not target.lower().startswith(_SAFE_SCHEMES):
        return text
    shown = text.strip()
    if not shown or _same_place(shown, target):
        return target
    return f"{shown} ({target})"


class _Edit(NamedTuple):
    start: int
    end: int
    text: str


class _Inline:
    """One block's inline text, read with the spans of its links, images and code."""

    def __init__(
        self, md: MarkdownIt, env: dict[str, Any], content: str, places: list[int]
    ) -> None:
        self.content = content
        self.places = places  # where each of its lines starts in the whole text
        env[SRC], env[SPANS] = self.content, []
        self.tokens: list[Token] = []
        md.inline.parse(self.content, md, env, self.tokens)
        self.spans: list[SourceSpan] = env[SPANS]
        self.protected = [(s.start, s.end) for s in self.spans if s.rule in PROTECTED]
        self.line_starts: list[int] = []
        offset = 0
        for part in content.split("\n"):
            self.line_starts.append(offset)
            offset += len(part) + 1

    def at(self, offset: int) -> int:
        """Where an offset of the inline text is in the whole text."""
        line = bisect_right(self.line_starts, offset) - 1
        return self.places[line] + offset - self.line_starts[line]

    def edit(self, start: int, end: int, text: str) -> _Edit:
        return _Edit(self.at(start), self.at(end), text)

    def visible(self, opening: Token) -> str:
        """The text a link shows: its tokens up to its closing one, as plain text."""
        first = next(i for i, token in enumerate(self.tokens) if token is opening) + 1
        depth, last = 1, first
        while last < len(self.tokens) and depth:
            depth += {"link_open": 1, "link_close": -1}.get(self.tokens[last].type, 0)
            last += 1
        return _plain(self.tokens[first : last - 1])

    def masked(self, spans: Sequence[tuple[int, int]]) -> str:
        """The inline text with `spans` (code, escapes, what is rewritten) blanked out."""
        chars = list(self.content)
        for start, end in spans:
            chars[start:end] = "\0" * (end - start)
        return "".join(chars)

    def rewrites(self) -> list[_Edit]:
        """Links, images, autolinks and Slack's `<target|text>` as what they are."""
        edits: list[_Edit] = []
        replaced: list[tuple[int, int]] = []
        for span in self.spans:
            if span.rule == "link" and span.token is not None:
                edits += self._link(span)
            elif span.rule == "image":
                alt = _plain(span.token.children or []) if span.token is not None else ""
                edits.append(self.edit(span.start, span.end, _escape_alt(alt)))
            elif span.rule == "autolink" and span.token is not None:
                url = self.content[span.start + 1 : span.end - 1]
                target, bar, label = url.partition("|")
                if bar:
                    shown = _shown(label, target)
                elif url.lower().startswith(_SAFE_SCHEMES):
                    shown = url
                else:
                    shown = self.visible(span.token)
                edits.append(self.edit(span.start, span.end, shown))
            else:
                continue
            replaced.append((span.start, span.end))
        if "|" in self.content:
            masked = self.masked(self.protected + replaced)
            for match in _SLACK_LINK.finditer(masked):
                if "\0" not in match.group():
                    edits.append(self.edit(*match.span(), _shown(match[2], match[1])))
        return edits

    def _link(self, span: SourceSpan) -> list[_Edit]:
        assert span.token is not None
        href = _target(str(span.token.attrs.get("href", "")))
        label = self.content[span.start + 1 : span.label_end]
        lead = len(label) - len(label.lstrip(MD_TRIM_CHARS))
        trail = len(label) - len(label.rstrip(MD_TRIM_CHARS))
        visible = self.visible(span.token).strip()
        if span.label_end <= span.start:  # not expected: the label is where the rule found it
            return [self.edit(span.start, span.end, _escape(_shown(visible, href), "[]"))]
        if not href.lower().startswith(_SAFE_SCHEMES):
            tail = ""
        elif not visible.strip("*_") or _same_place(visible.strip("*_"), href):
            return [self.edit(span.start, span.end, href)]
        else:
            tail = f" ({href})"
        return [
            self.edit(span.start, span.start + 1 + lead, ""),
            self.edit(span.label_end - trail, span.end, tail),
        ]

    def escapes(self) -> tuple[list[_Edit], list[int]]:
        """What is left of links as text: "](" and "]:" are broken, so no text that follows
        completes a link or a definition; an image opener loses its "!". With where each "["
        of text is, for `_edits` to escape those a "](" in code follows."""
        masked = self.masked(self.protected)
        edits = [self.edit(m.end(), m.end(), "\\") for m in _OPEN_CLOSER.finditer(masked)]
        edits += [self.edit(m.start(), m.start() + 1, "") for m in _IMAGE_OPENER.finditer(masked)]
        return edits, [self.at(m.start()) for m in re.finditer(r"\[", masked)]


def _edits(text: str, md: MarkdownIt) -> list[_Edit]:
    """What one reading of `text` finds to rewrite: links and the like first; when there are
    none, what is left of them as text."""
    env: dict[str, Any] = {}
    blocks = md.parse(text, env)
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    covered = [False] * len(lines)
    inlines: list[_Inline] = []
    rewrites: list[_Edit] = []
    parent: Token | None = None
    for block in blocks:
        if block.type in _LEAVES and block.map:
            covered[block.map[0] : block.map[1]] = [True] * (block.map[1] - block.map[0])
        heading = parent is not None and parent.markup.startswith("#")
        parent = block
        if block.type != "inline" or not block.map or not _BRACKETS.search(block.content):
            continue
        first = block.map[0]
        columns = _columns(block.content, lines, first, heading)
        if columns is None:  # a tab read as spaces: the lines can't be matched, so all escaped
            for number in range(first, first + block.content.count("\n") + 1):
                if (escaped := _escape(lines[number], "[]<")) != lines[number]:
                    end = starts[number] + len(lines[number])
                    rewrites.append(_Edit(starts[number], end, escaped))
            continue
        places = [starts[first + i] + column for i, column in enumerate(columns)]
        inline = _Inline(md, env, block.content, places)
        inlines.append(inline)
        rewrites += inline.rewrites()
    for number, line in enumerate(lines):
        if not covered[number] and ("[" in line or "]" in line):  # a reference definition
            end = starts[number] + len(line)
            rewrites.append(_Edit(starts[number], end, _definition(line, env)))
    rewrites = [edit for edit in rewrites if text[edit.start : edit.end] != edit.text]
    if rewrites:
        return rewrites
    edits: list[_Edit] = []
    openers: list[int] = []
    for inline in inlines:
        found, brackets = inline.escapes()
        edits += found
        openers += brackets
    # A "](" left in code (which escapes don't reach) could still close a "[" of text for a
    # reader that knows less CommonMark than it should: those "[" are escaped too.
    broken = {edit.start - 1 for edit in edits if edit.text == "\\"}
    closers = (m.start() for m in re.finditer(r"\](?=\()", text) if m.start() not in broken)
    last = max(closers, default=-1)
    edits += [_Edit(at, at, "\\") for at in openers if at < last]
    return edits


def _columns(content: str, lines: list[str], first: int, heading: bool) -> list[int] | None:
    """Where each line of a block's inline text starts in its line of the whole text (after
    quote marks and indentation), or None when a line is not found there as it is."""
    columns: list[int] = []
    for number, part in enumerate(content.split("\n"), start=first):
        if number >= len(lines):
            return None
        line = lines[number]
        if heading:
            column = line.find("#")
            while 0 <= column < len(line) and line[column] == "#":
                column += 1
            column = line.find(part, column) if column >= 0 else -1
        elif line.endswith(part):
            column = len(line) - len(part)
        else:
            stripped = line.rstrip(MD_TRIM_CHARS)
            column = len(stripped) - len(part) if stripped.endswith(part) else -1
        if column < 0:
            return None
        columns.append(column)
    return columns


def _definition(line: str, env: dict[str, Any]) -> str:
    """A reference definition's line as text: "label: target", or escaped when it does not fit
    on one line."""
    match = _DEFINITION.match(line)
    if match is None:
        return _escape(line, "[]")
    reference = env.get("references", {}).get(normalizeReference(match["label"]))
    target = _target(reference["href"]) if reference else match["angle"] or match["dest"]
    return f"{match['pre']}{match['label']}: {_shown('', target)}".rstrip()


def _target(url: str) -> str:
    """A link's target as its reader goes to it (spaces and other letters percent-encoded)."""
    return url if _PLAIN_URL.fullmatch(url) else normalizeLink(url)


def _plain(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)


def _escape_alt(alt: str) -> str:
    """An image's alt text, on one line, where nothing can become a link or code."""
    return re.sub(r"([\\\[\]`<!])", r"\\\1", " ".join(alt.split()))


def _escape(text: str, chars: str) -> str:
    """`text` with each of `chars` that is not escaped yet escaped."""
    out: list[str] = []
    backslashes = 0
    for char in text:
        if char in chars and backslashes % 2 == 0:
            out.append("\\")
        out.append(char)
        backslashes = backslashes + 1 if char == "\\" else 0
    return "".join(out)


def _apply(text: str, edits: list[_Edit]) -> str:
    """`text` with `edits`; an edit within one made before it (an image in a link that is
    replaced whole) is dropped."""
    out: list[str] = []
    at = 0
    for edit in sorted(edits):
        if edit.start < at:
            continue
        out += [text[at : edit.start], edit.text]
        at = edit.end
    out.append(text[at:])
    return "".join(out)
