"""The one conversation path every platform takes: a caller and their text in, what to post out.

`Conversation.begin` parses the text and decides at once whether the command is taken (allowed
workspace, per-user limit) — fast enough for Slack's 3-second acknowledgement. `answer` then
produces the one final `Report`: the refusal, or the service's answer. Adapters only translate
their platform's events into `Caller`s and text, and render what comes back.

Conversations: a message in a place where the bot answered before (a thread of its answer, a
reply to it, a DM, the console) is a follow-up question when that place has a context — unless it
is a command (`/scout …`, or a line starting with one of the grammar's verbs), which always
starts a new conversation. In a DM (`plain_language`), plain
language is a question even before any answer. After a reply is posted, `remember` keeps the
report (a new conversation) or the exchange (a follow-up) under the place the reply went to.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.cache import (
    ConversationContext,
    ConversationKey,
    ConversationStore,
    Exchange,
    MemoryConversationStore,
    UserLimiter,
    limit_message,
)
from bot.commands import Command, CommandKind, ParsedCommand, parse, starts_with_verb
from bot.progress import ProgressListener
from bot.report import Report, ReportKind, Source
from bot.runtime import Caller
from bot.service import FollowUps, RecommendationService
from bot.watch import WatchChannel, Watchlist

log = logging.getLogger(__name__)

# What a platform calls the place a bot is installed in, for "not enabled for this …".
WORKSPACE_NOUNS = {"slack": "workspace", "discord": "server"}


# Reports a conversation can start from (not help, stats, errors or refusals).
_STARTERS = frozenset(
    {ReportKind.ANALYSIS, ReportKind.GAPS, ReportKind.BUILD, ReportKind.COMPARE, ReportKind.ANSWER}
)
NEW_CONVERSATION = "/scout new"
# Watch commands that ask the App Store count against the per-user limit like look-ups.
_LOOKING_UP = frozenset({CommandKind.WATCH, CommandKind.WATCH_GAPS})
CONVERSATION_TTL_SECONDS = 86_400


@dataclass(frozen=True)
class Turn:
    """One message from a user, parsed, with the verdict on whether it is taken."""

    caller: Caller
    command: ParsedCommand
    refusal: Report | None = None
    question: str | None = None  # a follow-up: the question, asked in `place`'s conversation
    place: ConversationKey | None = None  # the conversation this message was written in
    channel: WatchChannel | None = None  # where trend watch commands apply

    @property
    def needs_work(self) -> bool:
        """Look-ups and questions are answered after an acknowledgement; help, stats, usage
        errors and refusals at once."""
        if self.refusal is not None:
            return False
        if self.question is not None:
            return True
        command = self.command
        return isinstance(command, Command) and (command.is_lookup or command.is_watch)

    @property
    def refresh_text(self) -> str:
        """The command again, skipping the cache (what a Refresh button sends); "" if none."""
        if not self.needs_work or self.question is not None:
            return ""
        assert isinstance(self.command, Command)
        if self.command.is_watch:
            return ""
        return replace(self.command, fresh=True).as_text()

    @property
    def subject(self) -> str:
        """What is being scouted, for "Scouting …" (unsanitised: the renderer escapes it)."""
        command = self.command
        if self.question is not None:
            return "your question"
        if not isinstance(command, Command) or not command.subject:
            return "it"
        if command.kind is CommandKind.GAPS:
            return f"gaps in {command.subject}"
        return command.subject


class Conversation:
    def __init__(
        self,
        service: RecommendationService,
        limiter: UserLimiter,
        allowed_workspaces: Mapping[str, frozenset[str]] | None = None,
        admin_ids: frozenset[str] = frozenset(),
        store: ConversationStore | None = None,
        watchlist: Watchlist | None = None,
    ) -> None:
        self.service = service
        self.watchlist = watchlist  # trend watch commands; None where there is no database
        self.limiter = limiter
        self.store = store or MemoryConversationStore(CONVERSATION_TTL_SECONDS)
        self.follow_ups = FollowUps(
            service.router,
            service.facts,
            service.default_country,
            service.today,
            service.stopping,
            service.account,
        )
        self.admin_ids = admin_ids  # Slack and Discord user ids that may see `/scout stats`
        # platform → the workspaces it may answer in; a platform not named (or empty) allows all
        self._allowed = dict(allowed_workspaces or {})

    def place(self, caller: Caller, where: str) -> ConversationKey:
        """The conversation key of a place on the caller's platform and workspace."""
        return ConversationKey(caller.platform, caller.workspace or "", where)

    async def begin(
        self,
        caller: Caller,
        text: str,
        where: str | None = None,
        plain_language: bool = False,
        channel: str | None = None,
        admitted: bool = False,
    ) -> Turn:
        """`where` names the place the message was written in, when a conversation can go on
        there (a thread, a reply chain, a DM, the console); `plain_language` makes plain language a
        question even without an earlier answer (DMs); `channel` is the channel or DM it was
        written in (trend watch). `admitted`: taken before (a journalled command answered again
        after a crash), so not counted against the per-user limit a second time."""
        turn = await self._begin(caller, text, where, plain_language, admitted)
        if channel is None:
            return turn
        watch_channel = WatchChannel(caller.platform, caller.workspace or "", channel)
        return replace(turn, channel=watch_channel)

    async def _begin(
        self, caller: Caller, text: str, where: str | None, plain_language: bool, admitted: bool
    ) -> Turn:
        if caller.user_id in self.admin_ids and not caller.is_admin:
            caller = replace(caller, is_admin=True)
        place = self.place(caller, where) if where is not None else None
        explicit = text.strip().lower().startswith("/scout") or starts_with_verb(text)
        if place is not None and text.strip().lower() == NEW_CONVERSATION:
            await self.store.forget(place)
            notice = Report(ReportKind.HELP, "", "New conversation: ask away.")
            return Turn(caller, parse("help"), notice, None, place)
        if place is not None and not explicit and text.strip():  # nothing asked: help
            context = await self.store.get(place)
            if context is not None or plain_language:
                refusal = await self._refusal(caller, None, admitted)
                return Turn(caller, parse(""), refusal, text.strip(), place)
        command = parse(text)
        refusal = await self._refusal(caller, command, admitted)
        return Turn(caller, command, refusal, None, place)

    async def answer(self, turn: Turn, listener: ProgressListener | None = None) -> Report:
        """The one final reply of a turn; `listener` follows its progress while it is made.
        Never raises (the service labels its own failures)."""
        if turn.refusal is not None:
            return turn.refusal
        if turn.question is not None:
            context = await self.store.get(turn.place) if turn.place is not None else None
            key = turn.caller.limit_key
            return await self.follow_ups.ask(
                turn.question, context, listener, turn.caller, lambda: self.limiter.admit(key)
            )
        command = turn.command
        if isinstance(command, Command) and command.is_watch:
            watch = command
            return await self.service.account.run(
                turn.caller,
                watch.kind.value,
                lambda: self._watch(watch, turn),
                subject=watch.subject or None,
                answered=False,
            )
        return await self.service.handle(command, turn.caller, listener)

    async def _watch(self, command: Command, turn: Turn) -> Report:
        if self.watchlist is None:
            return _refused("Trend watch needs the database, which this process does not have.")
        try:
            return await self.watchlist.handle(command, turn.caller, turn.channel)
        except Exception:
            log.exception("trend watch command failed")
            return _refused("Sorry, trend watch could not do that just now. Please try again.")

    async def remember(self, turn: Turn, report: Report, where: str | None) -> None:
        """Keep the conversation for its next message: after a command, its report (a new
        conversation); after a question, the exchange. `where` is the place the reply went
        (Discord: the reply message itself), which a follow-up will name."""
        if where is None or report.kind not in _STARTERS or turn.refusal is not None:
            return
        if turn.question is not None and report.source is not Source.AI:
            return  # "the model is unavailable" is not part of the conversation
        key = self.place(turn.caller, where)
        if turn.question is None:
            await self.store.put(key, ConversationContext(report))
            return
        context = await self.store.get(turn.place) if turn.place is not None else None
        exchange = (Exchange("user", turn.question), Exchange("assistant", report.text))
        context = (context or ConversationContext(report)).with_exchanges(*exchange)
        await self.store.put(key, context)

    async def _refusal(
        self, caller: Caller, command: ParsedCommand | None, admitted: bool = False
    ) -> Report | None:
        """Why this command (None: a question) is not taken, or None. Help and usage do not
        count as commands; questions do."""
        if not caller.user_id.strip():  # a platform payload without its sender: not trusted
            return _refused("Trend Scout could not tell who sent this, so it was not run.")
        allowed = self._allowed.get(caller.platform)
        if allowed and caller.workspace not in allowed:
            noun = WORKSPACE_NOUNS.get(caller.platform, "workspace")
            return _refused(f"Trend Scout is not enabled for this {noun}.")
        counted = command is None or (
            isinstance(command, Command) and (command.is_lookup or command.kind in _LOOKING_UP)
        )
        if counted and not admitted and (wait := await self.limiter.admit(caller.limit_key)):
            return _refused(limit_message(self.limiter.per_minute, wait))
        return None


def _refused(text: str) -> Report:
    return Report(ReportKind.ERROR, "", text)
