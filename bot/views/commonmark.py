"""CommonMark read as Slack and Discord read it, noting where each link, image, autolink and code
span lies in the source: markdown-it-py's tokens carry no offsets, so its inline tokenizer (4.x)
is run by a subclass that records them."""

from __future__ import annotations

from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

PROTECTED = frozenset({"backticks", "escape", "entity", "html_inline", "autolink"})
SRC, SPANS, LABEL_END = "safe_links.src", "safe_links.spans", "safe_links.label_end"


class SourceSpan(NamedTuple):
    """Where one inline rule matched in a block's inline text."""

    rule: str
    start: int
    end: int
    label_end: int  # links: where their text ends (its "]")
    token: Token | None  # links and images: their opening token


class RecordingInline(ParserInline):
    """markdown-it-py's inline tokenizer (4.x), noting where each rule matched in the inline
    text being read (not in an image's alt, which is read on its own)."""

    def tokenize(self, state: StateInline) -> None:
        spans = state.env.get(SPANS) if state.src is state.env.get(SRC) else None
        rules = self.ruler.getRules("")
        end = state.posMax
        if spans is not None:
            state.env[LABEL_END] = end  # read by `source_span` when this is a link's text
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                for rule in rules:
                    first = len(state.tokens)
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        if spans is not None and rule in RULE_NAMES:
                            spans.append(source_span(state, RULE_NAMES[rule], pos, first))
                        break
            if ok:
                if state.pos >= end:
                    break
                continue
            state.append_pending(state.src[state.pos])
            state.pos += 1
        if state.pending:
            state.pushPending()


def source_span(state: StateInline, rule: str, start: int, first: int) -> SourceSpan:
    label_end = state.env[LABEL_END] if rule == "link" else -1
    kind = {"link": "link_open", "autolink": "link_open", "image": "image"}.get(rule)
    token = next((t for t in state.tokens[first:] if t.type == kind), None) if kind else None
    return SourceSpan(rule, start, state.pos, label_end, token)


class LinkReader(MarkdownIt):
    """CommonMark as far as where links are: every target is taken (a javascript: one too) and
    kept as written, to be judged here; emphasis is not read (it cannot make or end a link)."""

    def __init__(self, html: bool) -> None:
        super().__init__("commonmark", {"html": html})
        recording = RecordingInline()
        recording.__dict__.update(self.inline.__dict__)  # the rules as configured
        self.inline = recording
        self.core.ruler.disable("inline")  # inline text is read in `_Inline`, block by block
        self.inline.ruler.disable(["emphasis", "newline"])
        self.inline.ruler2.disable(["balance_pairs", "emphasis", "fragments_join"])

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


# Slack and Discord render no HTML, so text is read as they do; where it holds something like a
# tag, it is read again as CommonMark with HTML, which may pair code spans differently.
TEXT_ONLY = LinkReader(html=False)
WITH_HTML = LinkReader(html=True)
RULE_NAMES = {  # the rules whose spans matter: links, images and what no link can be made in
    rule.fn: rule.name
    for rule in TEXT_ONLY.inline.ruler.__rules__
    if rule.name in PROTECTED | {"link", "image"}
}
