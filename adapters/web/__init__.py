"""The public port: the HTTP server for Slack's requests and `/healthz`."""

from adapters.web.server import WebServer

__all__ = ["WebServer"]
