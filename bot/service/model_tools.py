"""Trend Scout's own App Store look-ups, offered to the model as tools: find an app, read its
review evidence, a category's top apps, several apps compared, and a category's market scanned
for its best opportunities (the `/scout find` scan, shared and cached with the command's).

Each runs through the same catalog, rate limit, review cache and request scope as a command (its
App Store calls count in the command's), and each shows as a plan step ("Looking up PCalc…").
Arguments come from the model and results from the App Store: both are untrusted — arguments are
parsed with the `/scout` grammar (never evaluated; an app argument is always an app, never a verb
or an option), results go back to the model as JSON data, and a bad call gets an error the model
can read, never an exception. `ModelTools.call` runs one look-up by name outside a model
conversation too (the MCP server's tools are these same look-ups).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from bot.advice import CloneScore, clone_score
from bot.ai import ToolCall, ToolSpec
from bot.appstore import (
    GENRE_IDS,
    AppInfo,
    LookupStatus,
    category_list,
    category_named,
    is_storefront,
    normalise_subject,
)
from bot.commands import (
    MAX_COMPARED,
    MAX_NAME_CHARS,
    Command,
    CommandKind,
    ParsedCommand,
    UsageError,
    app_command,
    clean_text,
)
from bot.progress import ProgressFeed, StepStatus
from bot.prompts import app_facts, opportunity_data, review_data
from bot.scout import category_suggestions
from bot.service.facts import FactFinder, Facts
from bot.service.market import SHOWN, cost_note

MAX_TOOL_ROUNDS = 3  # rounds of look-ups before the model must answer with what it has

_COUNTRY = {"type": "string", "description": "two-letter App Store country; default the user's"}
_ONE_APP = {
    "type": "object",
    "properties": {
        "app": {"type": "string", "description": "a name, an id (id:123) or an App Store link"},
        "country": _COUNTRY,
    },
    "required": ["app"],
}
FIND_APP = ToolSpec("find_app", "Find an App Store app: its facts and clone score.", _ONE_APP)
APP_REVIEWS = ToolSpec(
    "app_reviews",
    "What an app's users say in their App Store reviews: complaint and praise themes with "
    "counts, feature requests, ratings by version.",
    _ONE_APP,
)
TOP_APPS = ToolSpec(
    "top_apps",
    "A category's current top free apps in the App Store.",
    {
        "type": "object",
        "properties": {"category": {"type": "string"}, "country": _COUNTRY},
        "required": ["category"],
    },
)
COMPARE_APPS = ToolSpec(
    "compare_apps",
    "2 to 5 apps side by side: facts, clone scores and each one's top review complaint.",
    {
        "type": "object",
        "properties": {
            "apps": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 5},
            "country": _COUNTRY,
        },
        "required": ["apps"],
    },
)
FIND_OPPORTUNITIES = ToolSpec(
    "find_opportunities",
    "Scan an App Store category's market (top free, paid and grossing charts) for the best apps "
    "to build a better competitor to: the top 5 by opportunity score (0-100) with its parts, "
    "why, and what their users complain about.",
    {
        "type": "object",
        "properties": {
            "category": {"type": "string", "description": "an App Store category, e.g. Finance"},
            "price": {
                "type": "string",
                "enum": ["free", "paid"],
                "description": "only free or only paid apps; leave out for both",
            },
            "country": _COUNTRY,
        },
        "required": ["category"],
    },
)
TOOLS = (FIND_APP, APP_REVIEWS, TOP_APPS, COMPARE_APPS, FIND_OPPORTUNITIES)
# The caller's per-user limit: seconds to wait before another look-up, 0 when it may run.
Admit = Callable[[], Awaitable[float]]


class ModelTools:
    """Runs the model's tool calls for one conversation turn, or one look-up by name (`call`)."""

    def __init__(
        self,
        facts: FactFinder,
        country: str,
        today: Callable[[], date],
        admit: Admit | None = None,
    ) -> None:
        self.facts = facts
        self.country = country
        self._today = today
        self._admit = admit
        self._handlers: dict[str, Handler] = {
            "find_app": self._find_app,
            "app_reviews": self._app_reviews,
            "top_apps": self._top_apps,
            "compare_apps": self._compare_apps,
            "find_opportunities": self._find_opportunities,
        }

    async def run(self, call: ToolCall, feed: ProgressFeed) -> dict[str, Any]:
        """The call's result as data for the model; a plan step shows it while it runs."""
        arguments = call.parsed()
        if arguments is None:
            return {"error": "the arguments were not a JSON object"}
        return await self.call(call.name, arguments, feed, f"lookup:{call.id}")

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any],
        feed: ProgressFeed | None = None,
        key: str = "lookup",
    ) -> dict[str, Any]:
        """The look-up `name` with `arguments` (as the tools' schemas describe them): its result
        as data, or `{"error": one sentence}` — never an exception. Asks `admit` first; `feed`
        shows it as a plan step while it runs."""
        handler = self._handlers.get(name)
        if handler is None:
            names = ", ".join(tool.name for tool in TOOLS)
            return {"error": f"there is no tool named {str(name)[:40]!r}; the tools are {names}"}
        try:
            country = _country(arguments.get("country"))
        except _BadArguments as exc:
            return {"error": str(exc)}
        if self._admit is not None and (wait := await self._admit()):
            return {"error": f"the user's per-minute limit is reached; try again in {wait:.0f} s"}
        feed = feed or ProgressFeed()
        feed.step(key, _title(name, arguments))
        try:
            result = await handler(arguments, country)
        except _BadArguments as exc:
            result = {"error": str(exc)}
        failed = "error" in result
        feed.finish(key, StepStatus.UNAVAILABLE if failed else StepStatus.DONE, _outcome(result))
        return result

    async def _facts(self, command: Command, country: str | None) -> Facts | dict[str, Any]:
        # A feed of its own: the look-up's inner steps are not the conversation's plan.
        found = await self.facts.gather(
            command, command.country or country or self.country, ProgressFeed()
        )
        if not isinstance(found, Facts):
            return {"error": found.text}
        if not found.complete:
            return {"error": "the App Store could not be reached"}
        return found

    async def _find_app(self, arguments: Mapping[str, Any], country: str | None) -> dict[str, Any]:
        found = await self._facts(_app(arguments.get("app"), country), country)
        if isinstance(found, dict):
            return found
        assert found.app is not None
        result: dict[str, Any] = {"app": self._app_data(found.app, found.score)}
        if found.competitors:
            result["competitors"] = [other.name for other in found.competitors]
        return result

    async def _app_reviews(
        self, arguments: Mapping[str, Any], country: str | None
    ) -> dict[str, Any]:
        found = await self._facts(_app(arguments.get("app"), country), country)
        if isinstance(found, dict):
            return found
        assert found.app is not None
        if found.reviews is None:
            return {"app": found.app.name, "reviews": None, "note": ", ".join(found.notes)}
        return {"app": found.app.name, "reviews": review_data(found.reviews)}

    async def _top_apps(self, arguments: Mapping[str, Any], country: str | None) -> dict[str, Any]:
        category = category_named(_text(arguments.get("category"), "category"))
        if category is None:
            raise _BadArguments(f"not an App Store category; the categories are {category_list()}")
        catalog = self.facts.catalog
        if catalog is None:
            return {"error": "the App Store is not available here"}
        chart = await catalog.top_apps(GENRE_IDS[category], country or self.country)
        if chart.status is LookupStatus.UNAVAILABLE:
            return {"error": "the App Store could not be reached"}
        today = self._today()
        return {
            "category": category,
            "top_apps": [self._app_data(app, clone_score(app, today)) for app in chart.apps],
        }

    async def _compare_apps(
        self, arguments: Mapping[str, Any], country: str | None
    ) -> dict[str, Any]:
        found = await self._facts(_comparison(arguments.get("apps"), country), country)
        if isinstance(found, dict):
            return found
        rows = [
            {
                **self._app_data(row.app, row.score),
                "top_complaint": row.top_complaint.label if row.top_complaint else None,
            }
            for row in found.comparison
        ]
        return {"apps": rows, "notes": list(found.notes)}

    async def _find_opportunities(
        self, arguments: Mapping[str, Any], country: str | None
    ) -> dict[str, Any]:
        """The market scan of `/scout find`: an unknown category is answered with the nearest
        categories (before any call), a scan with nothing to rank with its notes."""
        price = arguments.get("price")
        if price is not None and price not in ("free", "paid"):
            raise _BadArguments('price must be "free" or "paid", or left out for both')
        name = _text(arguments.get("category"), "category")
        category = category_named(name)
        if category is None:
            suggestions = category_suggestions(name)
            if not suggestions:
                raise _BadArguments(
                    f"not an App Store category; the categories are {category_list()}"
                )
            return {"error": "not an App Store category", "suggestions": list(suggestions)}
        scanner = self.facts.scanner
        if scanner is None:
            return {"error": "market scans are unavailable here (no App Store catalog)"}
        # A feed of its own: the scan's inner steps are not the conversation's plan.
        scan = await scanner.scan(category, country or self.country, price, ProgressFeed())
        if scan.suggestions:
            return {"error": "not an App Store category", "suggestions": list(scan.suggestions)}
        if not scan.opportunities:
            return {"error": " ".join(scan.notes) or f"no {category} apps in the charts"}
        today = self._today()
        return {
            "category": scan.category,
            "country": scan.country,
            "price": price or "free and paid",
            "apps_scanned": scan.candidates,
            "opportunities": [
                self._app_data(found.app, None) | opportunity_data(found, today)
                for found in scan.top(SHOWN)
            ],
            "notes": [*scan.notes, cost_note(scan)],
            "appstore_calls": scan.calls.total,
        }

    def _app_data(self, app: AppInfo, score: CloneScore | None) -> dict[str, Any]:
        """An app's facts as the prompts have them, with its id (for a next look-up) and link."""
        facts = {"id": app.track_id, **app_facts(app, score, self._today())}
        return facts | ({"url": app.url} if app.url else {})


Handler = Callable[[Mapping[str, Any], str | None], Awaitable[dict[str, Any]]]
MIN_COMPARED = 2


class _BadArguments(ValueError):
    """The arguments cannot be used; the message says why in one sentence."""


def _text(value: Any, what: str) -> str:
    """An argument's text, cleaned of control characters; `_BadArguments` when it is no text,
    empty or longer than any name."""
    if value is None:
        raise _BadArguments(f"{what} is required")
    if not isinstance(value, str):
        raise _BadArguments(f"{what} must be a string")
    if len(value) > MAX_NAME_CHARS * 4:
        raise _BadArguments(f"{what} is too long (the limit is {MAX_NAME_CHARS} characters)")
    text = clean_text(value)
    if not text:
        raise _BadArguments(f"{what} is empty")
    if len(text) > MAX_NAME_CHARS:
        raise _BadArguments(f"{what} is too long (the limit is {MAX_NAME_CHARS} characters)")
    return text


def _country(value: Any) -> str | None:
    """A two-letter App Store country, lower-cased; None when left out."""
    if value is None or value == "":
        return None
    code = value.strip().lower() if isinstance(value, str) else ""
    if len(code) != 2 or not code.isalpha() or not is_storefront(code):
        shown = str(value)[:20]
        raise _BadArguments(
            f"there is no App Store for {shown!r}; use a two-letter country code such as us, "
            "gb or jp"
        )
    return code


def _app(value: Any, country: str | None, kind: CommandKind = CommandKind.ANALYSIS) -> Command:
    """An app named by the caller: a name, `id:123`, an id or an App Store link — the app itself,
    never a verb or an option."""
    whole_number = isinstance(value, int) and not isinstance(value, bool)
    text = str(value) if whole_number else _text(value, "app")
    command = app_command(text, kind, country)
    if isinstance(command, UsageError):
        raise _BadArguments(command.problem)
    return command


def app_named(
    arguments: Mapping[str, Any], kind: CommandKind = CommandKind.ANALYSIS
) -> ParsedCommand:
    """The command of `kind` for the app that tool `arguments` name (`app`, and `country`
    optionally), checked as the look-ups check them; a `UsageError` saying what is wrong."""
    try:
        return _app(arguments.get("app"), _country(arguments.get("country")), kind)
    except _BadArguments as exc:
        return UsageError(str(exc))


def _comparison(value: Any, country: str | None) -> Command:
    """2 to 5 different apps, each named as `_app` takes it."""
    if not isinstance(value, list) or not all(isinstance(app, str) for app in value):
        raise _BadArguments("apps must be a list of app names")
    if not MIN_COMPARED <= len(value) <= MAX_COMPARED:
        raise _BadArguments(
            f"compare takes {MIN_COMPARED} to {MAX_COMPARED} apps, not {len(value)}"
        )
    items: list[Command] = []
    seen: set[object] = set()
    for app in value:
        item = _app(app, country)
        identity = item.track_id or normalise_subject(item.subject)
        if identity not in seen:  # the same app twice is compared once
            seen.add(identity)
            items.append(item)
    if len(items) < MIN_COMPARED:
        raise _BadArguments("those are the same app twice; name 2 to 5 different apps")
    subject = ", ".join(item.subject for item in items)
    return Command(CommandKind.COMPARE, subject, None, country, items=tuple(items))


def _title(name: str, arguments: Mapping[str, Any]) -> str:
    apps = arguments.get("apps")
    what = (
        arguments.get("app")
        or arguments.get("category")
        or (", ".join(str(app) for app in apps) if isinstance(apps, list) else "")
    )
    what = clean_text(str(what)[:200])[:80]
    if name == "find_opportunities":
        return f"Scanning the {category_named(what) or what} market"
    return {
        "find_app": f"Looking up {what}",
        "app_reviews": f"Reading the reviews of {what}",
        "top_apps": f"Reading the top {what} apps",
        "compare_apps": f"Comparing {what}",
    }[name]


def _outcome(result: dict[str, Any]) -> str:
    if "error" in result:
        return str(result["error"])[:120]
    app = result.get("app")
    if isinstance(app, dict):
        return f"found {app.get('name')}"
    if "opportunities" in result:
        best = result["opportunities"][0]
        total = best["opportunity_score"]["total"]
        return f"{result['apps_scanned']} apps scanned; best {best['name']} ({total}/100)"
    if "top_apps" in result:
        return f"{len(result['top_apps'])} apps"
    if "apps" in result:
        return f"{len(result['apps'])} apps compared"
    reviews = result.get("reviews")
    return f"{reviews.get('reviews_read', 0)} reviews" if isinstance(reviews, dict) else "none"
