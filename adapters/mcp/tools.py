"""The MCP server's tools: Trend Scout's App Store look-ups — the very `ModelTools` the model
calls in a conversation (find an app, its reviews, a category's top apps, apps compared, a
market's best opportunities) — and the full opportunity analysis of an app, which is the
`/scout <app>` command answered by the service (cache, model, labelled rule-based advice).

Every call goes through the process's one service (its catalog and Apple's rate limit, its
caches and single-flight), counts against the caller's per-user limit (USER_COMMANDS_PER_MINUTE,
as a chat command does) and is accounted like a command: one `command answered` line in its own
request scope, caller platform `mcp`. Each answer is data (a JSON object) and the same answer as
readable text. Arguments are untrusted: checked, never evaluated; a bad call is an error answer
with one sentence, never an exception.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.mcp.text import analysis_text, error_sentence, lookup_text, printable
from bot.ai import ToolSpec
from bot.cache import UserLimiter
from bot.commands import CommandKind, UsageError, clean_text
from bot.report import Report, ReportKind
from bot.runtime import Caller
from bot.service import TOOLS, ModelTools, RecommendationService, app_named

_COUNTRY = {
    "type": "string",
    "description": "two-letter App Store country code, e.g. us, gb, jp; default the server's",
    "pattern": "^[A-Za-z]{2}$",
}
_APP = {
    "type": "string",
    "description": "the app: its name (Calculator Pro), its id (284882215 or id:284882215) or "
    "its App Store link (https://apps.apple.com/us/app/…/id284882215)",
    "minLength": 1,
    "maxLength": 400,
}
ANALYSE_APP = ToolSpec(
    "analyse_app",
    "The full opportunity analysis of one App Store app, as Trend Scout's `/scout <app>` gives "
    "it: its App Store facts, its clone score (0-100, how attractive building a better "
    "competitor is) with its parts, what its users say in their reviews, its competitors, and "
    "the analysis itself (improvements, monetization, build estimate) from the AI model — or "
    "clearly labelled rule-based advice when the model cannot answer. Slower than the "
    "look-ups: it asks the model (answers are cached).",
    {
        "type": "object",
        "properties": {"app": _APP, "country": _COUNTRY},
        "required": ["app"],
    },
)
TITLES = {
    "find_app": "Find an App Store app",
    "app_reviews": "What an app's users say",
    "top_apps": "A category's top apps",
    "compare_apps": "Compare apps",
    "find_opportunities": "Find opportunities in a market",
    "analyse_app": "Analyse an app",
}
LOOKUPS = frozenset(tool.name for tool in TOOLS)


def tool_specs() -> tuple[ToolSpec, ...]:
    """Every tool: the model's look-ups with their schemas tightened for any client (country
    codes, lengths, 2-5 apps), then the analysis."""
    return (*(_tightened(tool) for tool in TOOLS), ANALYSE_APP)


def _tightened(tool: ToolSpec) -> ToolSpec:
    properties = dict(tool.parameters["properties"])
    properties["country"] = _COUNTRY
    if "app" in properties:
        properties["app"] = _APP
    if "category" in properties:
        properties["category"] = {
            "type": "string",
            "description": "an App Store category, e.g. Finance, Utilities, Health & Fitness",
            "minLength": 1,
            "maxLength": 100,
        }
    if "apps" in properties:
        properties["apps"] = {**properties["apps"], "items": _APP, "description": "2 to 5 apps"}
    return ToolSpec(tool.name, tool.description, {**tool.parameters, "properties": properties})


@dataclass(frozen=True)
class ToolAnswer:
    """One call's answer: `data` (a JSON object), the same as readable `text`, and whether it
    is an error (then `data` is `{"error": …}` and `text` one sentence)."""

    data: dict[str, Any]
    text: str
    is_error: bool = False

    @classmethod
    def error(cls, problem: str, **more: Any) -> ToolAnswer:
        sentence = error_sentence(problem, more.get("suggestions"))
        return cls({"error": sentence, **more}, sentence, is_error=True)


class ScoutTools:
    """Answers tool calls for one caller (`Caller("mcp", "stdio")`, `Caller("mcp", "http")`)."""

    def __init__(
        self,
        service: RecommendationService,
        caller: Caller,
        limiter: UserLimiter | None = None,
    ) -> None:
        self.service = service
        self.caller = caller
        self._limiter = limiter
        self._lookups = ModelTools(service.facts, service.default_country, service.today)

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> ToolAnswer:
        arguments = arguments or {}
        if name == ANALYSE_APP.name:
            return await self._analyse(arguments)
        if name not in LOOKUPS:
            names = ", ".join(tool.name for tool in tool_specs())
            shown = printable(str(name))[:40]
            problem = f"there is no tool named {shown!r}; the tools are {names}"
            return await self._account("usage_error", None, _ready(ToolAnswer.error(problem)))
        return await self._lookup(name, arguments)

    async def _lookup(self, name: str, arguments: Mapping[str, Any]) -> ToolAnswer:
        async def answer() -> ToolAnswer:
            if wait := await self._wait():
                return self._limited(wait)
            data = await self._lookups.call(name, arguments)
            if "error" in data:
                return ToolAnswer.error(str(data["error"]), **_extra(data))
            return ToolAnswer(data, lookup_text(name, data))

        return await self._account(name, _subject(arguments), answer)

    async def _analyse(self, arguments: Mapping[str, Any]) -> ToolAnswer:
        command = app_named(arguments, CommandKind.ANALYSIS)
        if isinstance(command, UsageError):
            refusal = ToolAnswer.error(command.problem)
            return await self._account("usage_error", None, _ready(refusal))
        if wait := await self._wait():
            return await self._account("analysis", command.subject, _ready(self._limited(wait)))
        report = await self.service.handle(command, self.caller)  # accounted by the service
        if report.kind is ReportKind.ERROR:
            return ToolAnswer.error(report.text)
        return ToolAnswer(report.to_dict(), analysis_text(report))

    async def _account(
        self, kind: str, subject: str | None, answer: Callable[[], Awaitable[ToolAnswer]]
    ) -> ToolAnswer:
        """`answer` in a command's own scope (its App Store calls counted in it), accounted
        like one: its `command answered` line and the worker's stats."""
        answered: list[ToolAnswer] = []

        async def produce() -> Report:
            found = await answer()
            answered.append(found)
            reply = ReportKind.ERROR if found.is_error else ReportKind.ANSWER
            return Report(reply, subject or "", found.text)

        await self.service.account.run(self.caller, kind, produce, subject, answered=False)
        return answered[0]

    async def _wait(self) -> float:
        """Seconds before this caller may make another call (0: now, and it is counted)."""
        if self._limiter is None:
            return 0
        return await self._limiter.admit(self.caller.limit_key)

    def _limited(self, wait: float) -> ToolAnswer:
        per_minute = self._limiter.per_minute if self._limiter is not None else 0
        return ToolAnswer.error(
            f"the limit of {per_minute} calls a minute is reached; try again in {wait:.0f} s",
            retry_after_seconds=round(wait),
        )


def _ready(answer: ToolAnswer) -> Callable[[], Awaitable[ToolAnswer]]:
    async def ready() -> ToolAnswer:
        return answer

    return ready


def _subject(arguments: Mapping[str, Any]) -> str | None:
    """What the call is about, for its log line: short and printable."""
    what = arguments.get("app") or arguments.get("category")
    apps = arguments.get("apps")
    if what is None and isinstance(apps, list):
        what = ", ".join(str(app) for app in apps[:5])
    if what is None:
        return None
    return clean_text(str(what)[:200])[:100] or None


def _extra(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "error"}
