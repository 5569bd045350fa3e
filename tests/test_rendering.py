"""What every platform renders alike — above all, links from the model shown as what they are."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views import safe_links, split

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


def test_split_keeps_paragraphs_whole_when_they_fit() -> None:
    assert split("a\n\nb", 10) == ["a\n\nb"]
    assert split("aaaa\n\nbbbb", 5) == ["aaaa", "bbbb"]
