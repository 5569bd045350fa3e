"""What reviews talk about: themes matched by phrase rules, bug reports (the "crashes" theme) and
explicit feature requests, in English, Japanese, German, French, Spanish and Portuguese (the
phrases: `theme_rules`; the language: `review_languages`). Rules, not a model, so that the same
reviews always give the same evidence and the fallback advice has it too. A review can count for
several themes; a review in a language without rules is not themed at all.

A bug report is a fault that needs no context ("won't open", "落ちる") or a symptom word ("crash",
"bug") that no negation cancels ("never crashes", "バグがなければ"); a request is a phrase that
asks for something, unless what surrounds it says otherwise ("I wish I had found this sooner").
The measurement against labelled reviews: `bench/themes_bench.py`.

Each theme also says what a competitor should do about it, for the rule-based advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from bot.advice.review_languages import is_english, review_language
from bot.advice.theme_rules import ENGLISH, RULES, LanguageRules


@dataclass(frozen=True)
class ThemeRule:
    key: str
    label: str  # what users talk about, short: "log-in & accounts"
    advice: str  # what a better app does about it, for the fallback advice
    phrases: tuple[str, ...] = ()  # the English phrases (regex fragments); other languages: RULES


_TEXTS = (
    ("login", "log-in & accounts",
     "make signing in fast and reliable (Face ID that works, sessions that last)"),
    ("crashes", "crashes & bugs",
     "ship a stable app first: no crash, freeze or error screen on the main paths"),
    ("speed", "speed & loading",
     "make it fast: open in under a second and never make users wait on a spinner"),
    ("ads", "ads", "keep ads out of the core flow (or offer an ad-free tier)"),
    ("price", "price & subscriptions",
     "price fairly and plainly: a clear free tier, no surprise charges"),
    ("sync", "sync & lost data", "never lose data: reliable sync and updates that show up at once"),
    ("missing", "missing features", "cover what users miss in the incumbent (see their requests)"),
    ("support", "customer support", "answer users fast, in the app, by people who can fix things"),
    ("usability", "ease of use & design",
     "keep it simple and readable: large type, clear contrast, few taps"),
    ("notifications", "notifications",
     "send only notifications users asked for, and let them tune them"),
    ("privacy", "privacy & security",
     "collect little, explain it, and make security visible but not in the way"),
    ("updates", "changes in recent updates",
     "change carefully: keep what users rely on working across updates"),
    ("payments", "payments, transfers & deposits",
     "make money movement dependable: deposits, transfers and payments that go through"),
)
THEMES: tuple[ThemeRule, ...] = tuple(
    ThemeRule(
        key,
        label,
        advice,
        ENGLISH.themes.get(key, ENGLISH.faults + ENGLISH.symptoms),
    )
    for key, label, advice in _TEXTS
)
_BY_KEY = {rule.key: rule for rule in THEMES}
_FAULT, _SYMPTOM, _REQUEST = "fault", "symptom", "request"  # the scanner's own keys


def theme_rule(key: str) -> ThemeRule:
    return _BY_KEY[key]


@dataclass(slots=True)  # not frozen: made for every review read, and frozen ones cost more
class ReviewReading:
    """What the rules read in one review: its language, its themes (key → where first raised)
    and the sentence that asks for something, if one does."""

    language: str
    themes: dict[str, int] = field(default_factory=dict)
    request: str | None = None

    @property
    def reports_bug(self) -> bool:
        return "crashes" in self.themes


def passage(title: str, text: str) -> str:
    """A review's title and text as one passage, the title ending as a sentence."""
    if not title:
        return text
    end = "" if title[-1] in ".!?。！？…" else "."
    return f"{title}{end} {text}"


def read_review(body: str) -> ReviewReading | None:
    """The themes and request of a review passage, or None when its language has no rules (it
    is then counted, never themed)."""
    lowered = body.lower()
    language = review_language(body, lowered)
    if language is None:
        return None
    scanner = _scanner(language)
    themes, request_at = scanner.scan(lowered.replace("’", "'"))
    request = sentence_around(body, request_at) if request_at is not None else None
    return ReviewReading(language, themes, request)


def themes_in(lowered: str, language: str = "en") -> dict[str, int]:
    """The themes a lower-cased text raises: theme key → where it is first raised."""
    return _scanner(language).scan(lowered.replace("’", "'"))[0]


def request_sentence(text: str, lowered: str | None = None, language: str = "en") -> str | None:
    """The sentence of a review that asks for something, if any (`lowered`: the text already
    lower-cased, when the caller has it)."""
    lowered = text.lower() if lowered is None else lowered
    where = _scanner(language).scan(lowered.replace("’", "'"))[1]
    return None if where is None else sentence_around(text, where)


# Every phrase of every key in one flat alternation whose plain prefixes are shared (a trie), in
# a lookahead so that every place where some phrase starts is visited, even inside another's
# match: one scan at C speed finds the few places where something is said, and each key's own
# pattern then says what, at those places only.
_META = set("\\.^$*+?{}[]|()")
_QUANTIFIERS = "?*+{"


def _split_literal(phrase: str) -> tuple[str, str]:
    """A phrase's leading plain characters (none followed by a quantifier), and the rest."""
    end = 0
    while (
        end < len(phrase)
        and phrase[end] not in _META
        and (end + 1 == len(phrase) or phrase[end + 1] not in _QUANTIFIERS)
    ):
        end += 1
    return phrase[:end], phrase[end:]


def _expand(phrase: str) -> list[str]:
    """A phrase that opens with a group of alternatives, as one phrase per alternative (each
    then has a plain first letter for the trie to share): "(?:a|bc)d" → ["ad", "bcd"],
    "(?:a )?b" → ["a b", "b"]. A phrase without a plain first letter would be tried at every
    place of every review."""
    if not phrase.startswith("(?:"):
        return [phrase]
    depth, cuts, end = 0, [3], 0
    for at, char in enumerate(phrase):
        if char == "\\" or (at and phrase[at - 1] == "\\"):
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                end = at
                break
        elif char == "|" and depth == 1:
            cuts.append(at + 1)
    quantifier = phrase[end + 1 : end + 2]
    if not end or quantifier in ("*", "+", "{"):
        return [phrase]
    stops = [*cuts[1:], end + 1]
    options = [phrase[start : stop - 1] for start, stop in zip(cuts, stops, strict=True)]
    rest = phrase[end + 2 :] if quantifier == "?" else phrase[end + 1 :]
    if quantifier == "?":
        options.append("")  # an optional group: the phrase without it too
    return [whole for option in options for whole in _expand(option + rest)]


def _trie(phrases: list[str]) -> str:
    """One alternation of `phrases` with their plain prefixes shared, so that at each place the
    engine tries a few first letters instead of every phrase."""
    children: dict[str, list[str]] = {}
    rest: list[str] = []
    for phrase in phrases:
        head, tail = _split_literal(phrase)
        if head:
            children.setdefault(head[0], []).append(head[1:] + tail)
        else:
            rest.append(tail)
    options = [re.escape(letter) + _trie(tails) for letter, tails in sorted(children.items())]
    options += [tail for tail in rest if tail]
    optional = any(not tail for tail in rest)
    if not options:
        return ""
    return "(?:" + "|".join(options) + ("|" if optional else "") + ")"


_SENTENCE_END = re.compile(r"[.!?。！？\n]")
_CLAUSE = 80  # how far before or after a phrase the words that cancel it are looked for


class _Scanner:
    """One language's rules, compiled."""

    def __init__(self, rules: LanguageRules) -> None:
        flags = re.ASCII if rules.language == "en" else 0
        keyed = {
            key: tuple(whole for phrase in phrases for whole in _expand(phrase))
            for key, phrases in (
                *rules.themes.items(),
                (_FAULT, rules.faults),
                (_SYMPTOM, rules.symptoms),
                (_REQUEST, rules.requests),
            )
        }
        every = [phrase for phrases in keyed.values() for phrase in phrases]
        # Without word starts (Japanese) a plain alternation lets the engine skip, at C speed,
        # every character no phrase begins with; a lookahead would try each one.
        found = _trie(every)
        self.anywhere = re.compile(r"\b(?=" + found + ")" if rules.word_starts else found, flags)
        at = {key: re.compile(_trie(list(phrases)), flags) for key, phrases in keyed.items()}
        self.theme_count = len(rules.themes) + 1  # and "crashes"
        # Which keys can match at a place, by its first three letters (a shorter head counts for
        # every longer start it begins): most places are tried against one key, not all.
        by_start: dict[str, set[str]] = {}
        for key, phrases in keyed.items():
            for phrase in phrases:
                by_start.setdefault(_split_literal(phrase)[0][:3], set()).add(key)
        self.by_start = {
            start: tuple(
                (key, at[key])
                for key in keyed
                if any(key in by_start.get(start[:size], ()) for size in (1, 2, 3))
            )
            for start in by_start
        }
        self.symptom_before = re.compile(rules.symptom_before + r"\Z", flags)
        self.symptom_after = re.compile(rules.symptom_after.removeprefix("^"), flags)
        self.fault_before = re.compile(rules.fault_before + r"\Z", flags)
        self.fault_after = re.compile(rules.fault_after.removeprefix("^"), flags)
        self.request_before = re.compile(rules.request_before + r"\Z", flags)
        self.request_after = re.compile(rules.request_after.removeprefix("^"), flags)

    def scan(self, lowered: str) -> tuple[dict[str, int], int | None]:
        """The themes raised (key → where first) and where a request is made, if one is."""
        found: dict[str, int] = {}
        request: int | None = None
        for place in self.anywhere.finditer(lowered):
            where = place.start()
            starts = self.by_start
            candidates = (
                starts.get(lowered[where : where + 3])
                or starts.get(lowered[where : where + 2])
                or starts.get(lowered[where], ())
            )
            for key, pattern in candidates:
                if key in found or (key == _REQUEST and request is not None):
                    continue
                match = pattern.match(lowered, where)
                if match is None:
                    continue
                if key == _REQUEST:
                    if self._stands(lowered, where, match.end(), self.request_before,
                                    self.request_after):
                        request = where
                elif key in (_FAULT, _SYMPTOM):
                    if "crashes" not in found and self._reports_fault(key, lowered, where,
                                                                      match.end()):
                        found["crashes"] = where
                else:
                    found[key] = where
            if request is not None and len(found) == self.theme_count:
                break
        return found, request

    def _reports_fault(self, key: str, lowered: str, where: int, end: int) -> bool:
        if key == _SYMPTOM:
            return self._stands(lowered, where, end, self.symptom_before, self.symptom_after)
        return self._stands(lowered, where, end, self.fault_before, self.fault_after)

    @staticmethod
    def _stands(
        lowered: str, where: int, end: int, before: re.Pattern[str], after: re.Pattern[str]
    ) -> bool:
        """Whether nothing in the same sentence right before or after a phrase cancels it."""
        start = max(0, where - _CLAUSE)
        for stop in _SENTENCE_END.finditer(lowered, start, where):
            start = stop.end()
        if before.search(lowered, start, where):
            return False
        following = _SENTENCE_END.search(lowered, end, end + _CLAUSE)
        return not after.match(lowered, end, following.start() if following else end + _CLAUSE)


@cache
def _scanner(language: str) -> _Scanner:
    return _Scanner(RULES[language])


def sentence_around(text: str, at: int) -> str:
    """The sentence of `text` that holds position `at`."""
    start = 0
    for end in _SENTENCE_END.finditer(text, 0, at):
        start = end.end()
    following = _SENTENCE_END.search(text, at)
    stop = following.end() if following else len(text)
    return text[start:stop].strip()


__all__ = [
    "THEMES",
    "ReviewReading",
    "ThemeRule",
    "is_english",
    "passage",
    "read_review",
    "request_sentence",
    "review_language",
    "sentence_around",
    "theme_rule",
    "themes_in",
]
