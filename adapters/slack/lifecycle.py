"""A workspace leaving: `app_uninstalled`, or `tokens_revoked` with the bot's token among them.
Its installation is deleted and its client forgotten (so its token is never sent again), then
everything the bot kept about it is erased (`bot.workspaces.WorkspaceEraser`: watches,
conversations, journalled commands, scout history, feedback identities). Slack sends these events
after the token is gone, so Bolt lets them through without authorization; the work runs after
the acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from adapters.port import Adapter
from adapters.slack.clients import WorkspaceClients
from adapters.slack.installations import DatabaseInstallationStore
from bot.workspaces import WorkspaceEraser

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], object]


class WorkspaceDepartures:
    def __init__(
        self,
        clients: WorkspaceClients,
        installations: DatabaseInstallationStore | None,
        eraser: WorkspaceEraser,
        spawn: Spawn,
    ) -> None:
        self.clients = clients
        self.installations = installations
        self.eraser = eraser
        self._spawn = spawn

    async def on_uninstalled(self, body: dict[str, Any]) -> None:
        self._spawn(self.leave(str(body.get("team_id") or "")))

    async def on_tokens_revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):  # user tokens alone do not concern a bot-only app
            self._spawn(self.leave(str(body.get("team_id") or "")))

    async def leave(self, team: str) -> None:
        if not team:
            return
        if self.installations is not None:
            await self.installations.remove(team)
        self.clients.forget(team)
        log.info("Trend Scout was uninstalled from workspace %s", team)
        await self.eraser.forget("slack", team)


class JournalPart:
    """The adapter's journal (set by the composition root after construction), for erasing."""

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter

    async def forget_workspace(self, platform: str, workspace: str) -> int:
        journal = self._adapter.journal
        return await journal.forget_workspace(platform, workspace) if journal is not None else 0
