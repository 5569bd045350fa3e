"""MCP, the protocol assistants call tools with: Trend Scout's look-ups and analysis as MCP
tools on the official SDK — `python -m bot mcp` over stdio (`arguments`, `log_level`, `run`), and
`/mcp` on the web process's port with MCP_TOKEN (`McpAdapter`, streamable HTTP through an ASGI
bridge). Both answer through the process's one service, like every other way in."""

from adapters.mcp.asgi import AsgiBridge
from adapters.mcp.cli import arguments, log_level, run
from adapters.mcp.http import PATH, McpAdapter, McpHttpEndpoint
from adapters.mcp.server import build_server
from adapters.mcp.tools import ScoutTools, ToolAnswer, tool_specs

__all__ = [
    "PATH",
    "AsgiBridge",
    "McpAdapter",
    "McpHttpEndpoint",
    "ScoutTools",
    "ToolAnswer",
    "arguments",
    "build_server",
    "log_level",
    "run",
    "tool_specs",
]
