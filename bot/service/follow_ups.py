"""One turn of a conversation: a question about an earlier report (or, in a DM, about anything
App Store), answered by the model with Trend Scout's look-ups as tools.

The model sees the conversation's first report as data, its last exchanges, and the question;
it may call the look-ups for at most `MAX_TOOL_ROUNDS` rounds, within the command's deadline,
each call a plan step while it runs; then it must answer with what it has. A provider that
refuses tools gets the question without them. Without the model a follow-up says plainly that
only commands work now, and which ones would help.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.ai import Completion, FailureKind, Message, RouterClient, RouterFailure, TokenUsage
from bot.cache import ConversationContext
from bot.commands import MAX_INPUT_CHARS, clean_text
from bot.progress import ProgressFeed, ProgressListener, StepKey, StepStatus
from bot.prompts import FOLLOW_UP_PROMPT, report_data
from bot.report import FallbackReason, Report, ReportKind, Source
from bot.runtime import Caller, Cutoff, ServiceStats
from bot.service.account import CommandAccount
from bot.service.facts import FactFinder
from bot.service.model_tools import MAX_TOOL_ROUNDS, TOOLS, Admit, ModelTools

log = logging.getLogger(__name__)

COMMANDS_THAT_HELP = (
    "`/scout <app>` (an analysis), `/scout compare <app>, <app>`, `/scout gaps <category>` and "
    "`/scout build <app>`"
)
TOOLS_REFUSED = "Answered without App Store look-ups: the AI provider does not take tools"
ANONYMOUS = Caller("unknown")


class FollowUps:
    def __init__(
        self,
        router: RouterClient,
        facts: FactFinder,
        country: str = "us",
        today: Callable[[], date] = date.today,
        stopping: Cutoff | None = None,
        account: CommandAccount | None = None,
    ) -> None:
        self.router = router
        self.account = account or CommandAccount(ServiceStats())
        self.facts = facts
        self.country = country
        self._today = today
        self._stopping = stopping or Cutoff()

    async def ask(
        self,
        question: str,
        context: ConversationContext | None,
        listener: ProgressListener | None = None,
        caller: Caller = ANONYMOUS,
        admit: Admit | None = None,
    ) -> Report:
        """The answer to `question` in `context` (None: a conversation without a report yet).
        `admit` is asked before each look-up: tool calls count against the caller's limit."""
        return await self.account.run(
            caller, "follow_up", lambda: self._ask(question, context, listener, admit)
        )

    async def _ask(
        self,
        question: str,
        context: ConversationContext | None,
        listener: ProgressListener | None,
        admit: Admit | None,
    ) -> Report:
        feed = ProgressFeed()
        if listener is not None:
            feed.subscribe(listener)
        question = clean_text(question)[:MAX_INPUT_CHARS]
        messages = self._messages(question, context)
        feed.step(StepKey.MODEL, "Asking the AI model")
        try:
            async with self._stopping.bound(), asyncio.timeout(self.router.settings.timeout):
                completion = await self._answer(messages, feed, admit)  # one deadline per turn
        except TimeoutError:
            stopping = self._stopping.is_set
            reason = FallbackReason.RESTARTING if stopping else FallbackReason.TIMED_OUT
            return self._without_model(context, reason, feed)
        except RouterFailure as exc:
            log.info("follow-up without the model (%s): %s", exc.kind.value, exc.detail)
            return self._without_model(context, FallbackReason(exc.kind.value), feed)
        feed.finish(StepKey.MODEL, StepStatus.DONE)
        notes = [TOOLS_REFUSED] if completion.tools_refused else []
        if completion.cut_note:
            notes.append(completion.cut_note)
        return Report(
            ReportKind.ANSWER,
            _subject(context),
            completion.text,
            Source.AI,
            model=completion.model,
            provider=completion.provider,
            usage=completion.usage,
            notes=tuple(notes),
        )

    def _without_model(
        self,
        context: ConversationContext | None,
        reason: FallbackReason,
        feed: ProgressFeed,
    ) -> Report:
        feed.finish(StepKey.MODEL, StepStatus.UNAVAILABLE, reason.label)
        text = (
            f"{reason.label}, so follow-up questions cannot be answered right now. "
            f"Commands still work: {COMMANDS_THAT_HELP}."
        )
        return Report(
            ReportKind.ANSWER,
            _subject(context),
            text,
            Source.FALLBACK,
            fallback_reason=reason,
        )

    def _messages(self, question: str, context: ConversationContext | None) -> list[Message]:
        data = report_data(context.report, self._today()) if context else {"report": None}
        messages = [
            Message("system", FOLLOW_UP_PROMPT),
            Message("user", "DATA:\n" + json.dumps(data, ensure_ascii=False)),
        ]
        for exchange in context.exchanges if context else ():
            messages.append(Message(exchange.role, exchange.text))
        messages.append(Message("user", question))
        return messages

    async def _answer(
        self, messages: list[Message], feed: ProgressFeed, admit: Admit | None
    ) -> Completion:
        """The model's answer after at most `MAX_TOOL_ROUNDS` rounds of look-ups."""
        lookups = ModelTools(self.facts, self.country, self._today, admit)
        usage = TokenUsage()
        tools = TOOLS
        for rounds in range(MAX_TOOL_ROUNDS + 1):
            offered = tools if rounds < MAX_TOOL_ROUNDS else ()
            if self.router.settings.stream:
                completion = await self.router.stream(messages, feed.write, tools=offered)
            else:
                completion = await self.router.complete(messages, tools=offered)
            usage = _add(usage, completion.usage)
            if completion.tools_refused:
                tools = ()
            if not (completion.tool_calls and offered):
                break
            results = await asyncio.gather(
                *(lookups.run(call, feed) for call in completion.tool_calls)
            )
            calls = completion.tool_calls
            answered = zip(calls, results, strict=True)
            messages = [
                *messages,
                Message.calls(calls),
                *(Message.tool_result(call, result) for call, result in answered),
            ]
        if not completion.text:
            raise RouterFailure(FailureKind.EMPTY_ANSWER, "no answer after the look-ups", rounds)
        refused = completion.tools_refused or tools == ()
        return replace(completion, usage=usage, tools_refused=refused)


def _add(a: TokenUsage, b: TokenUsage) -> TokenUsage:
    return TokenUsage(
        a.prompt_tokens + b.prompt_tokens,
        a.completion_tokens + b.completion_tokens,
        a.reasoning_tokens + b.reasoning_tokens,
    )


def _subject(context: ConversationContext | None) -> str:
    return context.report.subject if context else "Trend Scout"
