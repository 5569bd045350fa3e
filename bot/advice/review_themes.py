"""What English reviews talk about: themes matched by keyword and phrase rules, and explicit
feature requests. Rules, not a model, so that the same reviews always give the same evidence and
the fallback advice has it too. A review can count for several themes.

Each theme also says what a competitor should do about it, for the rule-based advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeRule:
    key: str
    label: str  # what users talk about, short: "log-in & accounts"
    advice: str  # what a better app does about it, for the fallback advice
    phrases: tuple[str, ...]  # regex fragments, matched at word starts in lower-cased text


def _rule(key: str, label: str, advice: str, *phrases: str) -> ThemeRule:
    return ThemeRule(key, label, advice, phrases)


THEMES: tuple[ThemeRule, ...] = (
    _rule(
        "login",
        "log-in & accounts",
        "make signing in fast and reliable (Face ID that works, sessions that last)",
        r"log ?in", r"log-in", r"logg(?:ing|ed) (?:in|into|out)", r"log (?:back )?in",
        r"sign(?:ing)? ?in", r"passwords?", r"pass ?code", r"face ?id", r"touch ?id",
        r"fingerprint", r"user ?names?", r"locked out", r"two.factor", r"verification code",
        r"authenticat", r"bad request", r"can'?t (?:get|log) (?:in|into)",
    ),
    _rule(
        "crashes",
        "crashes & bugs",
        "ship a stable app first: no crash, freeze or error screen on the main paths",
        r"crash", r"freez", r"froze", r"glitch", r"bugs?\b", r"buggy", r"errors?\b",
        r"(?:does|did|do)(?:n'?t| not) work", r"not working", r"stopped working", r"broken",
        r"won'?t (?:open|load|launch)", r"would not open", r"locked up", r"force (?:close|quit)",
        r"reinstall",
    ),
    _rule(
        "speed",
        "speed & loading",
        "make it fast: open in under a second and never make users wait on a spinner",
        r"slow", r"loads?\b", r"loading", r"load time", r"takes? (?:forever|ages|minutes)",
        r"lag", r"time[sd]? ?out", r"timed out", r"timeout", r"responsive", r"fast\b",
        r"quick", r"waiting",
    ),
    _rule(
        "ads",
        "ads",
        "keep ads out of the core flow (or offer an ad-free tier)",
        r"ads\b", r"advert", r"commercials?", r"pop ?-?ups?",
    ),
    _rule(
        "price",
        "price & subscriptions",
        "price fairly and plainly: a clear free tier, no surprise charges",
        r"price", r"pricing", r"expensive", r"subscri", r"paywall", r"pay (?:for|to)",
        r"charg(?:e|ed|es|ing)", r"fees?\b", r"refund", r"premium", r"costs?\b", r"free trial",
        r"overpriced", r"money back",
    ),
    _rule(
        "sync",
        "sync & lost data",
        "never lose data: reliable sync and updates that show up at once",
        r"sync", r"lost (?:my|all)", r"data loss", r"deleted (?:my|all)", r"disappear",
        r"back ?up", r"restore", r"icloud", r"(?:does|did)(?:n'?t| not) save", r"not sav",
        r"(?:won'?t|doesn'?t|does not) (?:remember|update)", r"log out and log back in",
        r"pending", r"delay in",
    ),
    _rule(
        "missing",
        "missing features",
        "cover what users miss in the incumbent (see their requests)",
        r"missing", r"lacks?\b", r"lack of", r"no (?:option|way) to", r"(?:does|do)(?:n'?t| not) "
        r"(?:allow|let|have|support)", r"not able to", r"unable to", r"can'?t (?:even )?(?:view|"
        r"see|use|find|add|change|export)", r"should (?:have|be able)", r"need(?:s)? (?:a|an|to "
        r"be able)",
    ),
    _rule(
        "support",
        "customer support",
        "answer users fast, in the app, by people who can fix things",
        r"customer (?:service|support|care)", r"support\b", r"staff", r"help ?desk",
        r"representatives?", r"(?:branch )?manager", r"call(?:ed|ing)? (?:you|them|the)",
        r"tellers?", r"helpful", r"friendly",
    ),
    _rule(
        "usability",
        "ease of use & design",
        "keep it simple and readable: large type, clear contrast, few taps",
        r"easy to (?:use|navigate)", r"easy\b", r"intuitive", r"interface", r"design",
        r"layout", r"\bui\b", r"confusing", r"hard to (?:use|see|read|navigate|find)",
        r"difficult to", r"fonts?\b", r"colou?rs?\b", r"landscape", r"navigat", r"user.friendly",
        r"simple", r"visual", r"convenient", r"clunky",
    ),
    _rule(
        "notifications",
        "notifications",
        "send only notifications users asked for, and let them tune them",
        r"notifications?", r"alerts?\b", r"push\b", r"reminders?",
    ),
    _rule(
        "privacy",
        "privacy & security",
        "collect little, explain it, and make security visible but not in the way",
        r"privacy", r"track(?:ing|s me)", r"data sharing", r"permissions?", r"personal data",
        r"sell(?:s|ing)? (?:my|your) data", r"spy", r"security", r"secure\b", r"fraud", r"scam",
    ),
    _rule(
        "updates",
        "changes in recent updates",
        "change carefully: keep what users rely on working across updates",
        r"(?:new|latest|recent|last) (?:update|version|app)", r"(?:since|after) (?:the|this|"
        r"their|its)? ?(?:new |last |latest |most recent )?(?:update|upgrade|redesign)",
        r"upgrade", r"previous (?:version|app)", r"old (?:app|version)", r"redesign",
        r"changed? (?:the|it|what)",
    ),
    _rule(
        "payments",
        "payments, transfers & deposits",
        "make money movement dependable: deposits, transfers and payments that go through",
        r"deposits?", r"endorse", r"transfer", r"payments?", r"bill ?pay", r"zelle",
        r"checks\b", r"balances?", r"statements?", r"atms?\b", r"cards?\b",
    ),
)

# Every phrase of every theme in one flat alternation, so that the regex engine can skip, at C
# speed, each phrase whose first letter does not match (it cannot when phrases sit in named
# groups): one scan finds the places where some theme is raised, and each theme's own pattern
# then says which at those few places.
_QUANTIFIERS = "?*+{"
_LITERAL = set("abcdefghijklmnopqrstuvwxyz0123456789 '-")


def _split_literal(phrase: str) -> tuple[str, str]:
    """A phrase's leading plain characters (none followed by a quantifier), and the rest."""
    end = 0
    while (
        end < len(phrase)
        and phrase[end] in _LITERAL
        and (end + 1 == len(phrase) or phrase[end + 1] not in _QUANTIFIERS)
    ):
        end += 1
    return phrase[:end], phrase[end:]


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


_ANY_THEME = re.compile(
    r"\b" + _trie([phrase for rule in THEMES for phrase in rule.phrases]), re.ASCII
)
_THEME_AT = tuple((rule.key, re.compile(_trie(list(rule.phrases)), re.ASCII)) for rule in THEMES)


def _themes_starting_with(letter: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The themes with a phrase that can start with `letter` (or with anything)."""
    keys = {
        rule.key
        for rule in THEMES
        for phrase in rule.phrases
        if _split_literal(phrase)[0][:1] in ("", letter)
    }
    return tuple((key, pattern) for key, pattern in _THEME_AT if key in keys)


_THEMES_BY_LETTER = {letter: _themes_starting_with(letter) for letter in sorted(_LITERAL)}
_BY_KEY = {rule.key: rule for rule in THEMES}

REQUEST_PATTERN = re.compile(
    r"\b(?:i wish|wish (?:it|there|they|you|the app)|please (?:add|bring|make|let|include|"
    r"give)|would (?:be (?:nice|great|awesome|helpful)|love|like to see)|i'?d (?:love|like)|"
    r"should (?:add|include)|hope (?:they|you) (?:add|bring)|could (?:really )?use|"
    r"add (?:a|an|the|more|some|support)\b|needs? (?:an? )?(?:option|feature|way)|if only)"
)


def themes_in(lowered: str) -> dict[str, int]:
    """The themes a lower-cased English text raises: theme key → where it is first raised."""
    found: dict[str, int] = {}
    for match in _ANY_THEME.finditer(lowered):
        where = match.start()
        for key, pattern in _THEMES_BY_LETTER.get(lowered[where], _THEME_AT):
            if key not in found and pattern.match(lowered, where):
                found[key] = where
        if len(found) == len(_THEME_AT):
            break
    return found


def theme_rule(key: str) -> ThemeRule:
    return _BY_KEY[key]


# Letters past Latin Extended (CJK, Cyrillic, Arabic…); punctuation and emoji do not count.
_FOREIGN_LETTER = re.compile(r"[^\W\d_\u0000-\u02ff]")


def is_english(text: str) -> bool:
    """Mostly plain Latin text: English rules apply. Other languages are counted, not themed."""
    return text.isascii() or len(_FOREIGN_LETTER.findall(text)) * 10 < len(text)


def request_sentence(text: str, lowered: str | None = None) -> str | None:
    """The sentence of a review that asks for something, if any (`lowered`: the text already
    lower-cased, when the caller has it)."""
    match = REQUEST_PATTERN.search(text.lower() if lowered is None else lowered)
    if match is None:
        return None
    return sentence_around(text, match.start())


_SENTENCE_END = re.compile(r"[.!?。！？\n]")


def sentence_around(text: str, at: int) -> str:
    """The sentence of `text` that holds position `at`."""
    start = 0
    for end in _SENTENCE_END.finditer(text, 0, at):
        start = end.end()
    following = _SENTENCE_END.search(text, at)
    stop = following.end() if following else len(text)
    return text[start:stop].strip()
