"""Workspaces the bot is installed in, platform-free: who asked what there (`ScoutHistory`, the
Home tab's recent scouts) and erasing what a workspace left behind when it uninstalls
(`WorkspaceEraser`)."""

from bot.workspaces.eraser import ErasedWorkspace, WorkspaceEraser
from bot.workspaces.history import Scout, ScoutHistory, scout_of

__all__ = ["ErasedWorkspace", "Scout", "ScoutHistory", "WorkspaceEraser", "scout_of"]
