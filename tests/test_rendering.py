"""What every platform renders alike — above all, links from the model shown as what they are."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.appstore import AppInfo
from bot.views import reply_view, safe_links, split
from bot.watch.alerts import app_alerts
from bot.watch.messages import alerts_report

HOSTILE = {
    "masked": "[https://apps.apple.com/verify](http://evil.example/phish)",
    "slack": "<http://evil.example/phish|apps.apple.com>",
    "image": "![](http://evil.example/pixel.gif)",
    "javascript": "[Open the App Store](javascript:alert(document.cookie))",
    "data": "[report](data:text/html;base64,PHNjcmlwdD4=)",
    "nested": "[[App Store](https://apps.apple.com)](http://evil.example/phish)",
    "reference": "[the store][1]\n\n[1]: http://evil.example/phish",
    "titled": '[App Store](<http://evil.example/phish> "apps.apple.com")',
}
LINKS = re.compile(r"\]\(|<[a-z]+:[^>]*\|")  # a Markdown or Slack link that still hides a target


@pytest.mark.parametrize(("case", "text"), HOSTILE.items(), ids=HOSTILE.keys())
def test_hostile_links_show_their_real_target_or_nothing(case: str, text: str) -> None:
    shown = safe_links(f"Before. {text}\nAfter.")
    assert not LINKS.search(shown)
    assert "![" not in shown and "javascript:" not in shown and "data:" not in shown
    if "phish" in text:
        assert "http://evil.example/phish" in shown  # the real target, visible
    if case == "image":
        assert "evil.example" not in shown  # never fetched, not even shown
    assert shown.startswith("Before.") and shown.endswith("\nAfter.")


def test_honest_links_and_plain_text_stay() -> None:
    honest = "Read https://developer.apple.com and [https://apps.apple.com](https://apps.apple.com/)"
    assert safe_links(honest) == "Read https://developer.apple.com and https://apps.apple.com/"
    assert safe_links("Arrays [0] and f(x) stay; **bold** too.") == (
        "Arrays [0] and f(x) stay; **bold** too."
    )


@given(st.text(alphabet=st.sampled_from("[]()<>|!:/ahtps.ejv1\n"), max_size=120))
def test_no_link_survives_whatever_the_text(text: str) -> None:
    shown = safe_links(text)
    assert not re.search(r"\[[^\]\n]*\]\(\s*<?[a-zA-Z][a-zA-Z0-9+.-]*:", shown)
    assert not re.search(r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^|>\s]*\|[^>\n]*>", shown)
    assert not re.search(r"!\[[^\]\n]*\]\(", shown)


# Every form a link takes in CommonMark (and Slack's own), as `safe_links` shows it.
FORMS = {
    "nested brackets": ("[a [b] c](http://evil.example)", "a [b] c (http://evil.example)"),
    "line break": ("[click\nhere](http://evil.example)", "click\nhere (http://evil.example)"),
    "escaped bracket": ("[a \\] b](http://evil.example)", "a \\] b (http://evil.example)"),
    "parentheses": ("[x](http://evil.example/a_(b))", "x (http://evil.example/a_(b))"),
    "title": ('[x](http://evil.example "apps.apple.com")', "x (http://evil.example)"),
    "angle target": ("[x](<http://evil.example/a b>)", "x (http://evil.example/a%20b)"),
    "reference": (
        "[x][r]\n\n[r]: http://evil.example",
        "x (http://evil.example)\n\nr: http://evil.example",
    ),
    "shortcut reference": (
        '[r] it is\n\n[r]: <http://evil.example> "t"',
        "r (http://evil.example) it is\n\nr: http://evil.example",
    ),
    "definition of a script": ("[r]: javascript:alert(1)", "r:"),
    "image": ("![App Store badge](http://evil.example/p.gif)", "App Store badge"),
    "image in a link": (
        "[![badge](http://evil.example/p.gif)](http://evil.example)",
        "badge (http://evil.example)",
    ),
    "autolink": ("<http://evil.example/a>", "http://evil.example/a"),
    "email autolink": ("<a@example.com>", "a@example.com"),
    "slack": ("<http://evil.example|apps.apple.com>", "apps.apple.com (http://evil.example)"),
    "slack with spaces": (
        "<http://evil.example|the App Store>",
        "the App Store (http://evil.example)",
    ),
    "javascript": ("[Open](javascript:alert(document.cookie))", "Open"),
    "data": ("[report](data:text/html;base64,PHNjcmlwdD4=)", "report"),
    "mailto": ("[write](mailto:a@example.com)", "write"),
    "same place": ("[https://apps.apple.com](https://apps.apple.com/)", "https://apps.apple.com/"),
    "link in a link": (
        "[[App Store](https://apps.apple.com)](http://evil.example)",
        "App Store (https://apps.apple.com) (http://evil.example)",
    ),
    "in a quote": (
        "> [click\n> here](http://evil.example) now",
        "> click\n> here (http://evil.example) now",
    ),
    "in a list": (
        "- [Apple](https://apple.com) and\n  [more](http://evil.example)",
        "- Apple (https://apple.com) and\n  more (http://evil.example)",
    ),
    "in a heading": ("## See [this](http://evil.example)", "## See this (http://evil.example)"),
    # What a growing answer has so far: nothing that follows can complete these.
    "unfinished image": ("![x](http://evil.example", "[x]\\(http://evil.example"),
    "unfinished link": ("[Update now](http://evil.exa", "[Update now]\\(http://evil.exa"),
    "end of a link begun above": ("](http://evil.example)", "]\\(http://evil.example)"),
    "end of a definition begun above": ("]: http://evil.example", "]\\: http://evil.example"),
    # Code is no link; a "[" of text before a "](" in code is escaped all the same, for readers
    # (Discord's) that look for a link's end without minding code.
    "code span": ("Run `[x](http://evil.example)` as is", "Run `[x](http://evil.example)` as is"),
    "bracket before code": ("[a `b](http://evil.example)`", "\\[a `b](http://evil.example)`"),
}


@pytest.mark.parametrize(("text", "shown"), FORMS.values(), ids=FORMS.keys())
def test_every_form_of_link_is_shown_as_what_it_is(text: str, shown: str) -> None:
    assert safe_links(text) == shown
    assert not masked_links(shown)


ORDINARY = """# Calculator apps

Most earn from **subscriptions**, some from *ads*; see `SKProduct[0]`.

## What to build

- a bullet with **bold**
- another, with `inline [x](y)` code
  1. nested and numbered
  2. second

> A quote, with __bold__ and _emphasis_.

```swift
let link = "[x](y)"  // a code block: [x](y) is no link here
```

    indented code [x](y)

---
Done (really), as [0] and [1] say.
"""


def test_ordinary_markdown_survives_unchanged() -> None:
    assert safe_links(ORDINARY) == ORDINARY
    assert safe_links("Arrays [0] and f(x) stay.") == "Arrays [0] and f(x) stay."


# What a hostile answer or release note can be made of.
PIECES = [
    "[", "]", "(", ")", "![", "](", "]:", "<", ">", "\\", "\n", "\n\n", " ", '"', "'", "`", "!",
    ":", "|", "*", "_", "#", "> ", "- ", "1. ", "    ", "\t", "```\n", "&amp;", "&#91;", "<b>",
    "<!--", "-->", "===", "a", "b", "[r]", "[r]: ", "http://e.x/", "https://apps.apple.com",
    "javascript:", "mailto:a@b.c", "a@b.c",
]  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(alphabet=st.sampled_from(list("[]()<>!\\\n \t\"'`:|*_#-1.ahtp/&;~=")), max_size=120),
)
READERS = {  # CommonMark as the property reads it, and as Slack and Discord do (no HTML)
    "commonmark": MarkdownIt("commonmark"),
    "no html": MarkdownIt("commonmark", {"html": False}),
}


def masked_links(markdown: str) -> list[str]:
    """What a CommonMark reader of `markdown` finds that shows one thing and goes elsewhere: a
    link whose visible text is not its target, an image, a reference definition."""
    found = []
    for name, reader in READERS.items():
        env: dict[str, object] = {}
        for block in reader.parse(markdown, env):
            children = block.children or []
            for at, token in enumerate(children):
                if token.type == "image":
                    found.append(f"{name}: image {token.attrs}")
                elif token.type == "link_open":
                    shown, href = _link_text(children, at), str(token.attrs["href"])
                    if unquote(shown) != unquote(href) and shown.rstrip("/") != href.rstrip("/"):
                        found.append(f"{name}: [{shown}]({href})")
        found += [f"{name}: definition {label}" for label in env.get("references", {})]
    return found


def _link_text(tokens: list[Token], at: int) -> str:
    depth, end = 1, at + 1
    while depth:
        depth += {"link_open": 1, "link_close": -1}.get(tokens[end].type, 0)
        end += 1
    kinds = ("text", "text_special", "code_inline", "softbreak")
    return "".join(t.content or " " for t in tokens[at + 1 : end - 1] if t.type in kinds).strip()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT)
def test_no_masked_link_image_or_definition_survives(text: str) -> None:
    shown = safe_links(text)
    assert not masked_links(shown), (text, shown)
    assert safe_links(shown) == shown


# A growing answer is shown a chunk of whole lines at a time, each made safe on its own
# (`whole_lines`): together they must make no link either. (Code is left as it is, so a chunk
# boundary inside a code block or span is outside this guarantee: no code pieces here.)
LINE_PIECES = [
    "[", "]", "(", ")", "![", "](", "\\", "\n", "\n", " ", '"', "'", "!", ":", "|", "*", "#",
    "> ", "- ", "1. ", "<", ">", "<b>", "===", "a", "b", "[r]", "[r]: ", "http://e.x/",
]  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=40).map("".join), st.data())
def test_a_growing_answer_shown_line_by_line_makes_no_link(text: str, data: st.DataObject) -> None:
    lines = re.sub(" {2,}", " ", text).split("\n")
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(lines) - 1)), max_size=4)))
    chunks = [
        "".join(f"{line}\n" for line in lines[start:end])
        for start, end in zip([0, *cuts], [*cuts, len(lines)], strict=True)
    ]
    shown = "".join(safe_links(chunk) for chunk in chunks)
    assert not masked_links(shown), (chunks, shown)


def test_release_notes_quoted_in_an_alert_show_their_target() -> None:
    before = AppInfo(1, "Calculator Pro", version="1.0")
    after = AppInfo(1, "Calculator Pro", version="1.1", release_notes="[Update now](http://evil)")
    [alert] = app_alerts(before, after, "us")
    assert "“Update now (http://evil)”" in alert.text
    body = reply_view(alerts_report([alert])).body
    assert "Update now (http://evil)" in body and not masked_links(body)


def test_split_keeps_paragraphs_whole_when_they_fit() -> None:
    assert split("a\n\nb", 10) == ["a\n\nb"]
    assert split("aaaa\n\nbbbb", 5) == ["aaaa", "bbbb"]
