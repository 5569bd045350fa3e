"""Slack's AI-app experience (the assistant pane and the Messages tab): a new assistant thread is
greeted with suggested prompts (`assistant.threads.setSuggestedPrompts`); a question in a DM
thread titles the thread after it (`assistant.threads.setTitle`, once per thread across
workers) and shows a status while the answer is made (`assistant.threads.setStatus`; Slack
clears it when the streamed reply arrives). The question itself takes the DM path every direct
message takes (`SlackAdapter._on_message` → a streamed `ThreadReply`), journalled and answered
once.

Bolt's `Assistant` middleware is not used: it claims every DM-thread message for its own
`user_message` listener, around the one path (claims, journal, streaming) DMs already take, and
these three calls are all it would add. Each is best-effort: a workspace without the assistant
feature refuses them, and the answer comes all the same.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.clients import WorkspaceClients
from bot.cache import DeliveryLedger
from bot.views import cut

log = logging.getLogger(__name__)

PROMPTS = (
    {"title": "Scout an app", "message": "Calculator Pro"},
    {"title": "Find opportunities in a category", "message": "find Finance"},
    {"title": "Compare two apps", "message": "compare PCalc, Soulver"},
    {"title": "Watch an app", "message": "watch Calculator Pro"},
)
GREETING = "What shall I scout?"
STATUS = "is scouting the App Store…"
TITLE_MAX = 60


class SlackAssistant:
    def __init__(self, clients: WorkspaceClients, claims: DeliveryLedger) -> None:
        self.clients = clients
        self.claims = claims

    async def on_thread_started(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread") or {}
        channel, ts = thread.get("channel_id"), thread.get("thread_ts")
        if not (channel and ts):
            return
        client = self.clients.for_team(body.get("team_id"))
        await _best_effort(
            client.assistant_threads_setSuggestedPrompts(
                channel_id=channel, thread_ts=ts, title=GREETING, prompts=list(PROMPTS)
            ),
            "suggested prompts",
        )

    async def on_context_changed(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The user moved to another channel with the pane open: nothing to keep (a question
        names its app; the channel's context is not read)."""

    async def working(self, team: str | None, channel: str, thread: str, question: str) -> None:
        """A question in a DM thread: its title (the first question) and the working status."""
        client = self.clients.for_team(team)
        await _best_effort(  # first: Slack clears it when the reply arrives, never before
            client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread, status=STATUS),
            "status",
        )
        if await self.claims.first_time(f"slack-title:{channel}:{thread}"):
            title = cut(" ".join(question.split()), TITLE_MAX) or "Trend Scout"
            await _best_effort(
                client.assistant_threads_setTitle(
                    channel_id=channel, thread_ts=thread, title=title
                ),
                "thread title",
            )


async def _best_effort(call: Any, what: str) -> None:
    try:
        await call
    except SlackApiError as exc:
        log.info("Slack did not take the assistant %s (%s)", what, exc.response.get("error"))
    except Exception as exc:
        log.info("Slack did not take the assistant %s (%s)", what, type(exc).__name__)
