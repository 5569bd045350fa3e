"""Trend Scout's own App Store look-ups, offered to the model as tools: find an app, read its
review evidence, a category's top apps, several apps compared, and a category's market scanned
for its best opportunities (the `/scout find` scan, shared and cached with the command's).

Each runs through the same catalog, rate limit, review cache and request scope as a command (its
App Store calls count in the command's), and each shows as a plan step ("Looking up PCalc…").
Arguments come from the model and results from the App Store: both are untrusted — arguments are
parsed with the `/scout` grammar (never evaluated), results go back to the model as JSON data, and
a bad call gets an error the model can read, never an exception.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from bot.advice import clone_score
from bot.ai import ToolCall, ToolSpec
from bot.appstore import GENRE_IDS, LookupStatus, category_list, category_named
from bot.commands import Command, CommandKind, parse
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
    """Runs the model's tool calls for one conversation turn."""

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

    async def run(self, call: ToolCall, feed: ProgressFeed) -> dict[str, Any]:
        """The call's result as data for the model; a plan step shows it while it runs."""
        arguments = call.parsed()
        key = f"lookup:{call.id}"
        if arguments is None:
            return {"error": "the arguments were not a JSON object"}
        handler = {
            "find_app": self._find_app,
            "app_reviews": self._app_reviews,
            "top_apps": self._top_apps,
            "compare_apps": self._compare_apps,
            "find_opportunities": self._find_opportunities,
        }.get(call.name)
        if handler is None:
            names = ", ".join(tool.name for tool in TOOLS)
            return {"error": f"there is no tool named {call.name!r}; the tools are {names}"}
        country = str(arguments.get("country") or self.country).lower()[:2]
        if self._admit is not None and (wait := await self._admit()):
            return {"error": f"the user's per-minute limit is reached; try again in {wait:.0f} s"}
        feed.step(key, _title(call.name, arguments))
        try:
            result = await handler(arguments, country)
        except _BadArguments as exc:
            result = {"error": str(exc)}
        failed = "error" in result
        feed.finish(key, StepStatus.UNAVAILABLE if failed else StepStatus.DONE, _outcome(result))
        return result

    def _command(self, text: Any, verb: str = "") -> Command:
        parsed = parse(f"{verb}{text}" if isinstance(text, str) else "")
        if not isinstance(parsed, Command) or parsed.kind in (CommandKind.HELP, CommandKind.STATS):
            reason = parsed.problem if not isinstance(parsed, Command) else "nothing to look up"
            raise _BadArguments(reason)
        return parsed

    async def _facts(self, command: Command, country: str) -> Facts | dict[str, Any]:
        # A feed of its own: the look-up's inner steps are not the conversation's plan.
        found = await self.facts.gather(command, command.country or country, ProgressFeed())
        if not isinstance(found, Facts):
            return {"error": found.text}
        if not found.complete:
            return {"error": "the App Store could not be reached"}
        return found

    async def _find_app(self, arguments: dict[str, Any], country: str) -> dict[str, Any]:
        found = await self._facts(self._command(arguments.get("app")), country)
        if isinstance(found, dict):
            return found
        assert found.app is not None
        result: dict[str, Any] = {"app": app_facts(found.app, found.score, self._today())}
        if found.competitors:
            result["competitors"] = [other.name for other in found.competitors]
        return result

    async def _app_reviews(self, arguments: dict[str, Any], country: str) -> dict[str, Any]:
        found = await self._facts(self._command(arguments.get("app")), country)
        if isinstance(found, dict):
            return found
        assert found.app is not None
        if found.reviews is None:
            return {"app": found.app.name, "reviews": None, "note": ", ".join(found.notes)}
        return {"app": found.app.name, "reviews": review_data(found.reviews)}

    async def _top_apps(self, arguments: dict[str, Any], country: str) -> dict[str, Any]:
        name = arguments.get("category")
        category = category_named(name) if isinstance(name, str) else None
        if category is None:
            raise _BadArguments(f"not an App Store category; the categories are {category_list()}")
        catalog = self.facts.catalog
        if catalog is None:
            return {"error": "the App Store is not available here"}
        chart = await catalog.top_apps(GENRE_IDS[category], country)
        if chart.status is LookupStatus.UNAVAILABLE:
            return {"error": "the App Store could not be reached"}
        today = self._today()
        return {
            "category": category,
            "top_apps": [app_facts(app, clone_score(app, today), today) for app in chart.apps],
        }

    async def _compare_apps(self, arguments: dict[str, Any], country: str) -> dict[str, Any]:
        apps = arguments.get("apps")
        if not isinstance(apps, list) or not all(isinstance(app, str) for app in apps):
            raise _BadArguments("apps must be a list of app names")
        command = self._command(", ".join(apps), "compare ")
        found = await self._facts(command, country)
        if isinstance(found, dict):
            return found
        today = self._today()
        rows = [
            {
                **app_facts(row.app, row.score, today),
                "top_complaint": row.top_complaint.label if row.top_complaint else None,
            }
            for row in found.comparison
        ]
        return {"apps": rows, "notes": list(found.notes)}

    async def _find_opportunities(self, arguments: dict[str, Any], country: str) -> dict[str, Any]:
        """The market scan of `/scout find`: an unknown category is answered with the nearest
        categories (before any call), a scan with nothing to rank with its notes."""
        name, price = arguments.get("category"), arguments.get("price")
        if price is not None and price not in ("free", "paid"):
            raise _BadArguments('price must be "free" or "paid", or left out for both')
        category = category_named(name) if isinstance(name, str) else None
        if category is None:
            suggestions = category_suggestions(name) if isinstance(name, str) else ()
            if not suggestions:
                raise _BadArguments(
                    f"not an App Store category; the categories are {category_list()}"
                )
            return {"error": "not an App Store category", "suggestions": list(suggestions)}
        scanner = self.facts.scanner
        if scanner is None:
            return {"error": "market scans are unavailable here (no App Store catalog)"}
        # A feed of its own: the scan's inner steps are not the conversation's plan.
        scan = await scanner.scan(category, country, price, ProgressFeed())
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
            "opportunities": [opportunity_data(found, today) for found in scan.top(SHOWN)],
            "notes": [*scan.notes, cost_note(scan)],
            "appstore_calls": scan.calls.total,
        }


class _BadArguments(ValueError):
    """The model's arguments cannot be used; the message tells it why."""


def _title(name: str, arguments: dict[str, Any]) -> str:
    what = (
        arguments.get("app") or arguments.get("category") or ", ".join(arguments.get("apps") or [])
    )
    what = str(what)[:80]
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
