"""What every Slack reply carries beyond its report: 👍/👎 under a model's answer when votes can
be kept, and, once it is delivered, its scout kept in the history and — after a watch changed —
the user's Home tab published again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.slack.home import SlackHome
from adapters.slack.outbox import SlackReply
from bot.commands import CommandKind
from bot.intake import Turn
from bot.report import Report
from bot.workspaces import ScoutHistory, scout_of

WATCH_CHANGES = frozenset(
    {CommandKind.WATCH, CommandKind.WATCH_GAPS, CommandKind.UNWATCH, CommandKind.UNWATCH_GAPS}
)


def dress_reply(
    reply: SlackReply,
    turn: Turn,
    *,
    votes: bool,  # votes can be kept: offer 👍/👎
    history: ScoutHistory | None,
    home: SlackHome,
    spawn: Callable[[Any], object],
) -> SlackReply:
    reply.feedback = votes

    def sent(report: Report) -> None:
        caller = turn.caller
        scout = scout_of(caller, turn.refresh_text, report, home.clock())
        if scout is not None and history is not None:
            history.record(scout)
        kind = getattr(turn.command, "kind", None)
        if kind in WATCH_CHANGES and caller.workspace:
            spawn(home.publish(caller.workspace, caller.user_id))

    reply.on_sent = sent
    return reply
