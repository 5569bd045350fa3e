"""Which platforms a process runs, from its arguments and credentials, and their adapters (each
platform's SDK imported only when it is chosen).

With MCP_TOKEN set, `/mcp` (`mcp-http`) is served on the port of the process that has one: the
`web` process (Slack HTTP mode, or /mcp alone when Slack's HTTP credentials are not set), a
process running Slack HTTP mode, or a process left to choose its platforms itself. A `worker`,
or a process told to run only socket platforms, serves no port: it says so in one line."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.port import Adapter
from bot.cache import DeliveryLedger
from bot.config import Settings
from bot.database import Database
from bot.feedback import FeedbackStore
from bot.intake import Conversation
from bot.watch import WatchStore
from bot.workspaces import ScoutHistory

log = logging.getLogger(__name__)

ADAPTERS = ("console", "slack", "slack-socket", "slack-http", "discord", "web", "worker")


class PlatformProblem(Exception):
    """The chosen adapters lack credentials; the message is the one line shown."""


@dataclass(frozen=True)
class WorkspaceParts:
    """The database-backed parts the chat adapters use beyond the conversation: where votes go,
    what channels watch (the Home tab; erased on uninstall), who asked what, and the database
    itself (Slack installations and OAuth states). None where a process has none."""

    database: Database | None = None
    feedback: FeedbackStore | None = None
    watches: WatchStore | None = None
    history: ScoutHistory | None = None


def build_adapters(
    platforms: list[str],
    settings: Settings,
    conversation: Conversation,
    claims: DeliveryLedger,
    json_output: bool = False,
    parts: WorkspaceParts | None = None,
) -> list[Adapter]:
    """The adapters for `platforms` (SDKs are imported only for the platforms chosen); `claims`
    is the process's one claim on incoming events, shared with the other workers; `parts` the
    database-backed ones (votes, watches, history, installations)."""
    parts = parts or WorkspaceParts()
    adapters: list[Adapter] = []
    if platforms == ["console"]:
        from adapters.console import ConsoleAdapter

        charts = settings.storage.data_dir / "charts"  # the console's PNGs, beside the database
        return [ConsoleAdapter(conversation, json_output=json_output, charts_dir=charts)]
    socket_mode, http = "slack-socket" in platforms, "slack-http" in platforms
    if socket_mode or http:
        from adapters.slack import SlackAdapter

        adapters.append(
            SlackAdapter(
                conversation,
                settings.slack,
                claims,
                socket_mode=socket_mode,
                http_port=settings.port if http else None,
                database=parts.database,
                feedback=parts.feedback,
                watches=parts.watches,
                history=parts.history,
            )
        )
    if "discord" in platforms:
        from adapters.discord import DiscordAdapter

        adapters.append(
            DiscordAdapter(conversation, settings.discord, claims=claims, feedback=parts.feedback)
        )
    if "mcp-http" in platforms and settings.mcp_token:
        from adapters.mcp import McpAdapter

        grace = settings.shutdown_grace_seconds
        adapters.append(McpAdapter(conversation, settings.mcp_token, settings.port, grace))
    elif settings.mcp_token:
        log.info("MCP_TOKEN is set; /mcp is served by the web process (python -m bot web)")
    return adapters


def choose_platforms(chosen: list[str], settings: Settings) -> list[str]:
    """The platforms to run: `console`, or some of `slack-socket`, `slack-http`, `discord` and
    `mcp-http` (/mcp, with MCP_TOKEN); `PlatformProblem` when the chosen ones lack credentials."""
    slack, discord = settings.slack, settings.discord
    socket_ready, http_ready = slack.socket_mode_ready, slack.http_ready
    chose_itself = not chosen
    if not chosen:
        if not (slack.has_tokens or discord.bot_token):
            return ["console"]
        chosen = ["slack"] * slack.has_tokens + ["discord"] * bool(discord.bot_token)
    platforms: list[str] = []
    for name in chosen:
        if name == "console":
            platforms.append("console")
        elif name == "slack":
            if not slack.has_tokens:
                raise PlatformProblem(
                    "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is not set"
                )
            if not (socket_ready or http_ready):
                raise PlatformProblem(
                    "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                    "nor SLACK_SIGNING_SECRET (HTTP mode) is"
                )
            platforms += ["slack-socket"] * socket_ready + ["slack-http"] * http_ready
        elif name == "slack-socket":
            if not socket_ready:
                raise PlatformProblem("Slack Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
            platforms.append(name)
        elif name == "web" and settings.mcp_token and not http_ready:
            platforms.append("mcp-http")  # the web process serves /mcp alone
        elif name in ("slack-http", "web"):
            if not http_ready:
                raise PlatformProblem(
                    "Slack HTTP mode (web) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
                )
            platforms.append("slack-http")
        elif name == "discord":
            if not discord.bot_token:
                raise PlatformProblem("DISCORD_BOT_TOKEN is not set")
            platforms.append(name)
        elif name == "worker":
            found = ["slack-socket"] * socket_ready + ["discord"] * bool(discord.bot_token)
            if not found:
                raise PlatformProblem(
                    "the worker needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN, or DISCORD_BOT_TOKEN"
                )
            platforms += found
    platforms = list(dict.fromkeys(platforms))
    if "console" in platforms and len(platforms) > 1:
        raise PlatformProblem("the console runs alone; choose it or chat platforms, not both")
    has_port = chose_itself or "web" in chosen or "slack-http" in platforms
    if settings.mcp_token and has_port and platforms != ["console"]:
        platforms = list(dict.fromkeys([*platforms, "mcp-http"]))
    return platforms
