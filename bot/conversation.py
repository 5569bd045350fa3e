"""The one conversation path every platform takes: a caller and their text in, what to post out.

`Conversation.begin` parses the text and decides at once whether the command is taken (allowed
workspace, per-user limit) — fast enough for Slack's 3-second acknowledgement. `answer` then
produces the one final `Report`: the refusal, or the service's answer. Adapters only translate
their platform's events into `Caller`s and text, and render what comes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.commands import Command, CommandKind, ParsedCommand, parse
from bot.progress import ProgressListener
from bot.report import Report, ReportKind
from bot.runtime.request_scope import Caller
from bot.service import RecommendationService
from bot.state.user_limits import UserLimiter, limit_message

# What a platform calls the place a bot is installed in, for "not enabled for this …".
WORKSPACE_NOUNS = {"slack": "workspace", "discord": "server"}


@dataclass(frozen=True)
class Turn:
    """One message from a user, parsed, with the verdict on whether it is taken."""

    caller: Caller
    command: ParsedCommand
    refusal: Report | None = None

    @property
    def needs_work(self) -> bool:
        """Look-ups are answered after an acknowledgement; help, stats, usage errors and
        refusals at once."""
        return self.refusal is None and isinstance(self.command, Command) and (
            self.command.is_lookup
        )

    @property
    def refresh_text(self) -> str:
        """The command again, skipping the cache (what a Refresh button sends); "" if none."""
        if not self.needs_work:
            return ""
        assert isinstance(self.command, Command)
        return replace(self.command, fresh=True).as_text()

    @property
    def subject(self) -> str:
        """What is being scouted, for "Scouting …" (unsanitised: the renderer escapes it)."""
        command = self.command
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
    ) -> None:
        self.service = service
        self.limiter = limiter
        self.admin_ids = admin_ids  # Slack and Discord user ids that may see `/scout stats`
        # platform → the workspaces it may answer in; a platform not named (or empty) allows all
        self._allowed = dict(allowed_workspaces or {})

    async def begin(self, caller: Caller, text: str) -> Turn:
        if caller.user_id in self.admin_ids and not caller.is_admin:
            caller = replace(caller, is_admin=True)
        command = parse(text)
        refusal = await self._refusal(caller, command)
        return Turn(caller, command, refusal)

    async def answer(self, turn: Turn, listener: ProgressListener | None = None) -> Report:
        """The one final reply of a turn; `listener` follows its progress while it is made.
        Never raises (the service labels its own failures)."""
        if turn.refusal is not None:
            return turn.refusal
        return await self.service.handle(turn.command, turn.caller, listener)

    async def _refusal(self, caller: Caller, command: ParsedCommand) -> Report | None:
        """Why this command is not taken, or None. Help and usage do not count as commands."""
        if not caller.user_id.strip():  # a platform payload without its sender: not trusted
            return _refused("Trend Scout could not tell who sent this, so it was not run.")
        allowed = self._allowed.get(caller.platform)
        if allowed and caller.workspace not in allowed:
            noun = WORKSPACE_NOUNS.get(caller.platform, "workspace")
            return _refused(f"Trend Scout is not enabled for this {noun}.")
        is_lookup = isinstance(command, Command) and command.is_lookup
        if is_lookup and (wait := await self.limiter.admit(caller.limit_key)):
            return _refused(limit_message(self.limiter.per_minute, wait))
        return None


def _refused(text: str) -> Report:
    return Report(ReportKind.ERROR, "", text)
