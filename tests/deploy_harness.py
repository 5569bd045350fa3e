"""Procfile processes against every loopback fake at once: what the deploy and restart tests
run (a Heroku app's config vars pointing every upstream at a fake)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fake_appstore import FakeAppStore
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fake_discord import FakeDiscord
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.helpers import ROOT, bot_process


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def procfile_process(name: str, tmp_path: Path, **env: str) -> Any:
    """The Procfile's command for `name`, run as the buildpack would (with this interpreter)."""
    command = procfile()[name]
    assert command[:3] == ["python", "-m", "bot"]
    return bot_process(tmp_path, *command[3:], **env)


@dataclass
class Fakes:
    slack: FakeSlack
    discord: FakeDiscord
    router: FakeRouter
    env: dict[str, str]  # a Heroku app's config vars: every process type sees all of them
    appstore: FakeAppStore


@contextmanager
def every_fake(router_latency: float = 0.0) -> Iterator[Fakes]:
    with (
        FakeSlack() as slack,
        FakeDiscord() as discord_api,
        FakeRouter(latency=router_latency) as router,
        FakeAppStore() as appstore,
    ):
        yield Fakes(
            slack,
            discord_api,
            router,
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": APP_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.api_url,
                "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
                "DISCORD_API_URL": discord_api.api_url,
                "DISCORD_GATEWAY_URL": discord_api.gateway_url,
                "AI_BASE_URL": router.url,
                "APPSTORE_BASE_URL": appstore.base_url,
                "HUGGING_FACE_API_KEY": DEFAULT_KEY,
            },
            appstore,
        )
