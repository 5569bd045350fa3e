"""Links in untrusted Markdown (the model's answer, quoted text) shown only as what they are."""

from __future__ import annotations

import re

# A link target may hold one level of parentheses, as Wikipedia's and `javascript:f(1)` do.
_TARGET = r"<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?"
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
_INLINE_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*" + _TARGET + r"\s*\)")
_IMAGE_OPENER = re.compile(r"!(\[[^\]\n]*\]\()")
_SLACK_LINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^|>\s]*)\|([^>\n]*)>")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_REFERENCE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*<?(\S+?)>?(?:[ \t].*)?$", re.MULTILINE)
_SAFE_SCHEMES = ("https://", "http://")


def safe_links(markdown: str) -> str:
    """Links in untrusted Markdown (the model's answer) shown only as what they are: images are
    never embedded (their alt text stays), a link whose visible text is not its target becomes
    "text (target)", Slack's `<target|text>` the same, and targets other than http(s) are
    dropped, leaving the text."""

    def link(text: str, target: str) -> str:
        target = target.strip()
        if not target.lower().startswith(_SAFE_SCHEMES):
            return text
        shown = text.strip()
        if not shown or _same_place(shown, target):
            return target
        return f"{shown} ({target})"

    # Until nothing changes: taking out an inner link can leave an outer one ("[[a](x)](y)").
    for _ in range(10):
        before = markdown
        markdown = _IMAGE.sub(lambda m: m.group(1), markdown)
        markdown = _INLINE_LINK.sub(lambda m: link(m.group(1), m.group(2)), markdown)
        markdown = _SLACK_LINK.sub(lambda m: link(m.group(2), m.group(1)), markdown)
        markdown = _AUTOLINK.sub(lambda m: link("", m.group(1)), markdown)
        # A reference definition would turn "[text][ref]" into a link: show it as text.
        markdown = _REFERENCE.sub(
            lambda m: f"{m.group(1)}{m.group(2)}: {link('', m.group(3))}", markdown
        )
        if markdown == before:
            break
    # An image opener with no end yet ("![x](http://…" of a growing answer) loses its "!":
    # whatever follows, it cannot become an embedded image.
    return _IMAGE_OPENER.sub(r"\1", markdown)


def _same_place(shown: str, target: str) -> bool:
    def bare(url: str) -> str:
        url = url.lower()
        for scheme in _SAFE_SCHEMES:
            url = url.removeprefix(scheme)
        return url.rstrip("/")

    return bare(shown) == bare(target)
