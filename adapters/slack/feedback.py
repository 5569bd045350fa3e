"""👍/👎 on Slack: the `feedback_buttons` under a model's answer (`markup.feedback_block`). A
click is acknowledged at once; the vote is stored (`FeedbackStore.vote`: one per user per
answer, changeable) and the voter alone is told what it did — through the click's
`response_url` as an ephemeral message, else `chat.postEphemeral` with the workspace's token."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.clients import WorkspaceClients
from bot.feedback import FeedbackStore, Vote, receipt

log = logging.getLogger(__name__)

UNREADABLE = "That vote could not be read — please try again."
NOT_KEPT = "Your vote could not be recorded just now — please try again in a minute."

Spawn = Callable[[Coroutine[Any, Any, None]], object]


def parse_vote(value: Any) -> tuple[Vote, str] | None:
    """`up:<answer id>` or `down:<answer id>` → the vote and the id; None for anything else."""
    kind, _, answer_id = str(value or "").partition(":")
    if kind not in ("up", "down") or not answer_id:
        return None
    return Vote(kind), answer_id


class SlackVotes:
    def __init__(self, store: FeedbackStore, clients: WorkspaceClients, spawn: Spawn) -> None:
        self.store = store
        self.clients = clients
        self._spawn = spawn  # the work runs after the click's acknowledgement

    async def on_click(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        self._spawn(self._vote(body, action, respond))

    async def _vote(self, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        team, user = _id(body.get("team")), _id(body.get("user"))
        parsed = parse_vote(action.get("value"))
        if parsed is None or not user:
            await self._tell(body, respond, UNREADABLE)
            return
        vote, answer_id = parsed
        try:
            result = await self.store.vote(answer_id, "slack", team, str(user), vote)
        except Exception as exc:
            log.warning("a vote was not recorded (%s)", type(exc).__name__)
            await self._tell(body, respond, NOT_KEPT)
            return
        log.info("vote %s on an answer: %s", vote.value, result.value)
        await self._tell(body, respond, receipt(result, vote))

    async def _tell(self, body: dict[str, Any], respond: Any, text: str) -> None:
        """Only the voter sees it."""
        try:
            if body.get("response_url"):
                await respond(text=text, response_type="ephemeral", replace_original=False)
                return
            container = body.get("container") or {}
            channel = _id(body.get("channel")) or container.get("channel_id")
            client = self.clients.for_team(_id(body.get("team")))
            await client.chat_postEphemeral(
                channel=channel,
                user=_id(body.get("user")),
                text=text,
                thread_ts=container.get("thread_ts"),
            )
        except (SlackApiError, OSError) as exc:
            log.info("could not tell a voter what their vote did (%s)", type(exc).__name__)


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else None
