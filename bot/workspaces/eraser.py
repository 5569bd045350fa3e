"""`WorkspaceEraser`: what the bot forgets when an app is uninstalled from a workspace.

Gone: the workspace's watches (with their alerts and digest marks), its conversations (memory
and Redis), its journalled commands, its scout history, and its voters' and askers' identities
on feedback. Kept: the votes and the answers themselves, anonymous (they teach the model), and
the App Store's public facts (snapshots, app history), shared by every workspace. Each part is
erased on its own: one that fails is logged (by type) and the others still go.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)


class WorkspaceForgetter(Protocol):
    async def forget_workspace(self, platform: str, workspace: str) -> object: ...


@dataclass(frozen=True)
class ErasedWorkspace:
    """What went, part by part (a count, or what the part's store returned), and what failed."""

    erased: dict[str, object] = field(default_factory=dict)
    failed: tuple[str, ...] = ()


class WorkspaceEraser:
    def __init__(self, parts: Mapping[str, WorkspaceForgetter | None]) -> None:
        """`parts` by name (watches, conversations, journal, history, feedback); None: that
        part is not kept in this process."""
        self._parts = dict(parts)

    async def forget(self, platform: str, workspace: str) -> ErasedWorkspace:
        erased: dict[str, object] = {}
        failed: list[str] = []
        for name, store in self._parts.items():
            if store is None:
                continue
            try:
                erased[name] = await store.forget_workspace(platform, workspace)
            except Exception as exc:
                failed.append(name)
                log.warning("could not erase a workspace's %s (%s)", name, type(exc).__name__)
        log.info("forgot an uninstalled %s workspace: %s", platform, _counts(erased))
        return ErasedWorkspace(erased, tuple(failed))


def _counts(erased: dict[str, object]) -> str:
    return ", ".join(f"{name} {value}" for name, value in erased.items()) or "nothing kept"
