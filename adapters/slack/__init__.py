"""Slack: Bolt"s events → `Incoming`, replies as Block Kit (streamed where Slack allows)."""

from adapters.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]
