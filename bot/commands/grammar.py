"""The `/scout` grammar: untrusted chat text in, a `Command` or a `UsageError` out.

`parse` is pure and total: whatever the text, it returns a value and never raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum

from bot.appstore import is_storefront, normalise_subject
from bot.commands.languages import LANGUAGES

MAX_INPUT_CHARS = 500  # a whole command line; anything longer is not a real request
MAX_NAME_CHARS = 100  # app and category names

USAGE = (
    "**How to use Trend Scout**\n"
    "• `/scout Calculator Pro` — opportunity analysis of an app\n"
    "• `/scout https://apps.apple.com/us/app/…/id284882215` or `/scout id:284882215` — the same, "
    "by exact app\n"
    "• `/scout gaps Utilities` — market gaps in an App Store category\n"
    "• `/scout build Calculator Pro` — technical build guidance\n"
    "• `/scout find Finance` (`--free` or `--paid`) — the category's charts scanned, every app "
    "scored, the best opportunities ranked with the evidence behind each\n"
    "• `/scout compare PCalc, Soulver` (or `compare PCalc vs Soulver`; 2–5 apps) — side by "
    "side, with a verdict\n"
    "• `/scout watch Calculator Pro` / `/scout watch gaps Utilities` — alerts in this channel "
    "when the app or the category's charts move, and a weekly digest; `/scout unwatch …`, "
    "`/scout watching` (and `/scout watching Calculator Pro`: its history, charted)\n"
    "• `/scout help` — this message; `/scout stats` — usage since start (admins)\n"
    "Options: `--deep` (think harder), `--fresh` (skip the cached answer), "
    "`--country=gb` (another App Store country), `--lang=ja` (answer in another language)"
)


class CommandKind(Enum):
    ANALYSIS = "analysis"
    GAPS = "gaps"
    BUILD = "build"
    COMPARE = "compare"
    FIND = "find"  # a category's charts scanned, the best opportunities ranked
    WATCH = "watch"  # an app, in this channel
    WATCH_GAPS = "watch gaps"  # a category's charts, in this channel
    UNWATCH = "unwatch"
    UNWATCH_GAPS = "unwatch gaps"
    WATCHING = "watching"
    WATCH_HISTORY = "watch history"  # `watching <app>`: a watched app's history, with its chart
    HELP = "help"
    STATS = "stats"


_BARE_KINDS = frozenset({CommandKind.HELP, CommandKind.STATS, CommandKind.WATCHING})
# Trend watch: answered after the acknowledgement (they read and write the database).
WATCH_KINDS = frozenset(
    {
        CommandKind.WATCH,
        CommandKind.WATCH_GAPS,
        CommandKind.UNWATCH,
        CommandKind.UNWATCH_GAPS,
        CommandKind.WATCHING,
        CommandKind.WATCH_HISTORY,
    }
)
# The kinds that look things up and ask the model; they count against per-user limits.
LOOKUP_KINDS = frozenset(
    {
        CommandKind.ANALYSIS,
        CommandKind.GAPS,
        CommandKind.BUILD,
        CommandKind.COMPARE,
        CommandKind.FIND,
    }
)
PRICES = ("free", "paid")  # find's filters: --free, --paid
MIN_COMPARED, MAX_COMPARED = 2, 5


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    subject: str = ""  # app name or category, cleaned; "" for help
    track_id: int | None = None  # set when the user named an exact App Store app
    country: str | None = None  # None: the configured default
    deep: bool = False
    fresh: bool = False
    items: tuple[Command, ...] = ()  # compare: the apps, each as its own analysis command
    price: str | None = None  # find: "free" or "paid" apps only
    language: str | None = None  # the answer's language (`--lang=xx`); None: the user's or English

    @property
    def is_lookup(self) -> bool:
        return self.kind in LOOKUP_KINDS

    @property
    def is_watch(self) -> bool:
        return self.kind in WATCH_KINDS

    def as_text(self) -> str:
        """The command as it would be typed, normalised: `parse(c.as_text()) == c`. Buttons
        carry this, never the raw text a user typed."""
        verb = {
            CommandKind.GAPS: "gaps ",
            CommandKind.BUILD: "build ",
            CommandKind.COMPARE: "compare ",
            CommandKind.FIND: "find ",
            CommandKind.WATCH: "watch ",
            CommandKind.WATCH_GAPS: "watch gaps ",
            CommandKind.UNWATCH: "unwatch ",
            CommandKind.UNWATCH_GAPS: "unwatch gaps ",
            CommandKind.WATCH_HISTORY: "watching ",
        }.get(self.kind, "")
        words = [self.kind.value if self.kind in _BARE_KINDS else verb + self.subject]
        if self.country is not None:
            words.append(f"--country={self.country}")
        if self.price is not None:
            words.append(f"--{self.price}")
        if self.language is not None:
            words.append(f"--lang={self.language}")
        words += ["--deep"] * self.deep + ["--fresh"] * self.fresh
        return " ".join(words)


@dataclass(frozen=True)
class UsageError:
    problem: str  # one sentence saying what was wrong with the input


ParsedCommand = Command | UsageError

_APP_URL = re.compile(
    r"^https?://(?:apps|itunes)\.apple\.com/(?:(?P<cc>[a-z]{2})/)?app/(?:[^/?#]+/)?id(?P<id>\d+)",
    re.IGNORECASE,
)
_TRACK_ID = re.compile(r"^id:\s*(\d+)$", re.IGNORECASE)
MAX_ID_DIGITS = 12  # Apple's ids have 9 or 10 digits today
_COUNTRY = re.compile(r"^[a-z]{2}$")
_SLACK_LINK = re.compile(r"<(https?://[^>|\s]+)(?:\|[^>]*)?>")
_KNOWN_FLAGS = ("--deep", "--fresh", "--country=xx", "--lang=xx", "--free", "--paid")
_LANG_OPTION = re.compile(r"(?:^|\s)--lang=(\S*)", re.IGNORECASE)
# The words that begin a command other than an analysis; `parse` dispatches on exactly these.
VERBS = frozenset(
    {"help", "stats", "gaps", "build", "compare", "find", "watch", "unwatch", "watching"}
)


def starts_with_verb(text: str) -> bool:
    """Whether `text` begins with one of the grammar's verbs (`/scout` or not): a command
    wherever it is written, never a follow-up question."""
    words = text.strip().lower().split()
    if words and words[0] == "/scout":
        words = words[1:]
    return bool(words) and words[0] in VERBS


def clean_text(text: str) -> str:
    """Drop control and format characters, fold every run of white space to one space."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def parse(text: str) -> ParsedCommand:
    """Parse one command as typed after `/scout` (a leading `/scout` is accepted too)."""
    if not isinstance(text, str):
        return UsageError("That command is empty.")
    language: str | None = None
    if len(text) <= MAX_INPUT_CHARS * 4 and (option := _LANG_OPTION.search(text)):
        code = option.group(1).lower()
        if code not in LANGUAGES:
            return UsageError(
                f"`{_quote(option.group(0).strip())}` is not a language we answer in; use a "
                "two-letter code like `--lang=ja`, `--lang=de` or `--lang=pt`."
            )
        language = code
        text = text[: option.start()] + " " + text[option.end() :]
    parsed = _parse(text)
    if language is not None and isinstance(parsed, Command):
        return replace(parsed, language=language)
    return parsed


def _parse(text: str) -> ParsedCommand:
    if len(text) > MAX_INPUT_CHARS * 4:
        return UsageError(f"That command is too long (the limit is {MAX_INPUT_CHARS} characters).")
    cleaned = clean_text(_SLACK_LINK.sub(r"\1", text))
    if len(cleaned) > MAX_INPUT_CHARS:
        return UsageError(f"That command is too long (the limit is {MAX_INPUT_CHARS} characters).")

    words = cleaned.split(" ") if cleaned else []
    if words and words[0].lower() == "/scout":
        words = words[1:]

    deep = fresh = False
    country: str | None = None
    price: str | None = None
    rest: list[str] = []
    for word in words:
        lowered = word.lower()
        if not lowered.startswith("--") or lowered == "--":
            rest.append(word)
        elif lowered == "--deep":
            deep = True
        elif lowered == "--fresh":
            fresh = True
        elif lowered.removeprefix("--") in PRICES:
            price = lowered.removeprefix("--")
        elif lowered.startswith("--country="):
            code = lowered.removeprefix("--country=")
            if not _COUNTRY.fullmatch(code):
                return UsageError(
                    f"`{_quote(word)}` is not a country; use a two-letter code like `--country=gb`."
                )
            if not is_storefront(code):
                return _no_storefront(code)
            country = code
        else:
            return UsageError(
                f"Unknown option `{_quote(word)}`; the options are {', '.join(_KNOWN_FLAGS)}."
            )

    if not rest or (len(rest) == 1 and rest[0].lower() in ("help", "?", "-h")):
        return Command(CommandKind.HELP)

    verb = rest[0].lower()
    if price is not None and verb != "find":
        return UsageError("`--free` and `--paid` go with `/scout find <category>`.")
    if verb not in VERBS:
        return _named(CommandKind.ANALYSIS, rest, "app", country, deep, fresh)
    if verb == "gaps":
        return _named(CommandKind.GAPS, rest[1:], "category", country, deep, fresh)
    if verb == "build":
        return _named(CommandKind.BUILD, rest[1:], "app", country, deep, fresh)
    if verb == "compare":  # only after the verb: "Plants vs. Zombies" is one app
        return _compare(rest[1:], country, deep, fresh)
    if verb == "find":
        found = _named(CommandKind.FIND, rest[1:], "category", country, deep, fresh)
        return replace(found, price=price) if isinstance(found, Command) else found
    if verb in ("watch", "unwatch"):
        return _watch(verb, rest[1:], country)
    if verb == "watching" and len(rest) == 1:
        return Command(CommandKind.WATCHING, country=country)
    if verb == "watching":  # `watching <app>`: how a watched app has been doing
        return _named(CommandKind.WATCH_HISTORY, rest[1:], "app", country, False, False)
    if verb == "help":
        return Command(CommandKind.HELP)
    if verb == "stats" and len(rest) == 1:
        return Command(CommandKind.STATS)
    return _named(CommandKind.ANALYSIS, rest, "app", country, deep, fresh)


def app_command(
    text: str, kind: CommandKind = CommandKind.ANALYSIS, country: str | None = None
) -> ParsedCommand:
    """An app named outside chat (the Python API, a batch file): `text` is the app itself — a
    name, `id:123`, an id or an App Store link — never a verb or an option, so "Find My" is an
    app and `--deep` in a name is part of it."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS * 4:
        return UsageError(f"That app name is too long (the limit is {MAX_NAME_CHARS} characters).")
    cleaned = clean_text(text)
    if cleaned.isdigit():
        cleaned = f"id:{cleaned}"
    if country is not None and not is_storefront(country):
        return _no_storefront(country)
    return _named(kind, cleaned.split(" ") if cleaned else [], "app", country, False, False)


def _named(
    kind: CommandKind,
    words: list[str],
    what: str,
    country: str | None,
    deep: bool,
    fresh: bool,
) -> ParsedCommand:
    subject = " ".join(words).strip()
    if not subject:
        example = {
            CommandKind.FIND: "`/scout find Finance`",
            CommandKind.GAPS: "`/scout gaps Utilities`",
        }.get(kind, "`/scout build Calculator Pro`")
        return UsageError(f"Which {what}? For example {example}.")

    track_id: int | None = None
    if what == "app":
        if match := _APP_URL.match(subject) or _TRACK_ID.match(subject):
            digits = match.group("id") if match.re is _APP_URL else match.group(1)
            if len(digits) > MAX_ID_DIGITS:
                return UsageError(
                    f"That App Store id is too long (ids have at most {MAX_ID_DIGITS} digits)."
                )
            link_country = match.group("cc") if match.re is _APP_URL else None
            if link_country:
                if not is_storefront(link_country):
                    return _no_storefront(link_country.lower())
                country = country or link_country.lower()
            track_id = int(digits)
            subject = f"id:{track_id}"
        elif re.match(r"^https?://", subject, re.IGNORECASE):
            return UsageError(
                "That link is not an App Store app link; "
                "use one like `https://apps.apple.com/us/app/…/id284882215`."
            )

    if len(subject) > MAX_NAME_CHARS:
        return UsageError(
            f"That {what} name is too long (the limit is {MAX_NAME_CHARS} characters)."
        )
    return Command(kind, subject, track_id, country, deep, fresh)


def _watch(verb: str, words: list[str], country: str | None) -> ParsedCommand:
    """`watch <app>`, `watch gaps <category>`, and the same after `unwatch`."""
    if words and words[0].lower() == "gaps":
        kind = CommandKind.WATCH_GAPS if verb == "watch" else CommandKind.UNWATCH_GAPS
        if not words[1:]:
            return UsageError(f"Which category? For example `/scout {verb} gaps Utilities`.")
        return _named(kind, words[1:], "category", country, False, False)
    kind = CommandKind.WATCH if verb == "watch" else CommandKind.UNWATCH
    if not words:
        return UsageError(
            f"Which app? For example `/scout {verb} Calculator Pro` or "
            f"`/scout {verb} gaps Utilities`."
        )
    return _named(kind, words, "app", country, False, False)


_VERSUS = re.compile(r"\s(?:vs\.?|versus)\s", re.IGNORECASE)
_COMPARE_EXAMPLE = (
    "For example `/scout compare PCalc, Soulver` or `/scout compare PCalc vs Soulver`."
)


def _compare(words: list[str], country: str | None, deep: bool, fresh: bool) -> ParsedCommand:
    """2–5 apps, split at commas or "vs"; each a name, an id or a link, as in an analysis."""
    text = _VERSUS.sub(",", f" {' '.join(words)} ")
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not MIN_COMPARED <= len(names) <= MAX_COMPARED:
        return UsageError(
            f"Compare takes {MIN_COMPARED} to {MAX_COMPARED} apps, not {len(names)}. "
            + _COMPARE_EXAMPLE
        )
    items: list[Command] = []
    seen: set[object] = set()
    for name in names:
        item = _named(CommandKind.ANALYSIS, name.split(" "), "app", country, deep, fresh)
        if isinstance(item, UsageError):
            return item
        if item.track_id is not None and item.country != country:
            # A link's own store, kept in the text a Refresh button sends.
            link = f"https://apps.apple.com/{item.country}/app/id{item.track_id}"
            item = Command(CommandKind.ANALYSIS, link, item.track_id, item.country, deep, fresh)
        identity = item.track_id or normalise_subject(item.subject)
        if identity not in seen:  # the same app twice is compared once
            seen.add(identity)
            items.append(item)
    if len(items) < MIN_COMPARED:
        return UsageError("Those are the same app twice. " + _COMPARE_EXAMPLE)
    subject = ", ".join(item.subject for item in items)
    return Command(CommandKind.COMPARE, subject, None, country, deep, fresh, tuple(items))


def _no_storefront(code: str) -> UsageError:
    return UsageError(
        f"`{_quote(code)}` is not an App Store country; use one like `us`, `gb` or `jp` "
        "(`--country=gb`)."
    )


def _quote(word: str) -> str:
    """Echo user input back safely: short, and without backticks that would break formatting."""
    word = word.replace("`", "'")
    return word if len(word) <= 30 else word[:29] + "…"


__all__ = [
    "USAGE",
    "Command",
    "CommandKind",
    "ParsedCommand",
    "UsageError",
    "clean_text",
    "normalise_subject",
    "parse",
    "starts_with_verb",
]
