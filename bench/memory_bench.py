"""Benchmark: memory of a worker process (`python -m bot worker`), Slack Socket Mode and Discord
both connected to the loopback fakes.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/memory_bench.py [--answers 10000]`.

1. the interpreter with the bot's libraries imported and nothing running (the floor);
2. the idle worker, both adapters connected: VmRSS and peak (VmHWM) from /proc;
3. after N distinct /scout commands over Socket Mode, each answered by the (fake) model with a
   realistic ~1,600-character analysis and kept in the cache (CACHE_MAX_ENTRIES=N): the same
   figures, and how many answers the worker holds (from `/scout stats`, as an admin sees it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_appstore import FakeAppStore, fixture  # noqa: E402
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402
from tests.fake_router import DEFAULT_KEY, FakeRouter  # noqa: E402
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack  # noqa: E402
from tests.helpers import wait_until  # noqa: E402

ANALYSIS = (
    "**Improvements**\n"
    + "".join(f"- Improvement {i}: a concrete change users ask for in reviews, explained.\n"
              for i in range(8))
    + "\n**Monetization**\n"
    + "".join(f"- Option {i}: a price point and what it unlocks, with the reasoning behind.\n"
              for i in range(6))
    + "\n**Build estimate**\n"
    + "".join(f"- Phase {i}: two weeks for one developer covering one slice of the app.\n"
              for i in range(5))
)  # fmt: skip


class AnyAppStore(FakeAppStore):
    """Every search finds one app named as asked (the Facebook record, renamed)."""

    def __init__(self) -> None:
        super().__init__()
        self._template = fixture("lookup-facebook.json")["results"][0]

    async def _search(self, request: web.Request) -> web.StreamResponse:
        term = request.query.get("term", "")
        record: dict[str, Any] = dict(self._template)
        record.update(trackName=term, trackId=10_000_000 + abs(hash(term)) % 10_000_000)
        self.apps[record["trackId"]] = record
        return web.json_response({"resultCount": 1, "results": [record]})


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def imports_only() -> float:
    code = (
        "import bot.__main__, adapters.slack.adapter, adapters.discord.adapter, pathlib;"
        "print([l for l in pathlib.Path('/proc/self/status').read_text().splitlines()"
        " if l.startswith('VmHWM')][0].split()[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="commands in flight at once")
    args = parser.parse_args()

    print(f"libraries imported, nothing running: peak {imports_only():.1f} MB")
    with (
        FakeSlack() as slack,
        FakeDiscord() as discord_api,
        FakeRouter(answer=ANALYSIS) as router,
        AnyAppStore() as appstore,
    ):
        env = {
            "DATA_DIR": tempfile.mkdtemp(prefix="scout-bench-"),  # a database of its own
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
            "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
            "DISCORD_API_URL": discord_api.api_url,
            "DISCORD_GATEWAY_URL": discord_api.gateway_url,
            "AI_BASE_URL": router.url,
            "HUGGING_FACE_API_KEY": DEFAULT_KEY,
            "APPSTORE_BASE_URL": appstore.base_url,
            "APPSTORE_CALLS_PER_MINUTE": "100000",
            "CACHE_MAX_ENTRIES": str(args.answers),
            "USER_COMMANDS_PER_MINUTE": "1000",
            "SCOUT_ADMIN_IDS": "UADMIN",
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], cwd="/tmp", env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(slack.socket_connected.is_set, 30, "Socket Mode")
            wait_until(lambda: discord_api.synced_commands, 30, "the Discord command sync")
            time.sleep(5)  # discord.py's guild wait, then settle
            rss, peak = memory(worker.pid)
            print(f"idle worker, Slack Socket Mode + Discord connected: "
                  f"RSS {rss:.1f} MB, peak {peak:.1f} MB")  # fmt: skip

            started = time.monotonic()
            for first in range(0, args.answers, args.batch):
                count = min(args.batch, args.answers - first)
                for i in range(first, first + count):
                    slack.deliver("slash_commands", slack.slash_command(f"App {i}", user=f"U{i}"))
                wait_until(lambda n=first + count: len(slack.posted) >= n, 120, "the replies")
            took = time.monotonic() - started
            slack.deliver("slash_commands", slack.slash_command("stats", user="UADMIN"))
            time.sleep(1)
            rss, peak = memory(worker.pid)
            stats = [a for a in slack.acks if "Trend Scout stats" in str(a)]
            print(f"after {args.answers:,} answered commands ({took:.0f} s, "
                  f"{len(router.completion_calls()):,} model calls): "
                  f"RSS {rss:.1f} MB, peak {peak:.1f} MB")  # fmt: skip
            if stats:
                text = str(stats[-1]["payload"]["blocks"][0]["text"]["text"])
                for line in text.splitlines()[1:]:
                    print("  /scout stats", line)
        finally:
            worker.terminate()
            worker.wait(30)


if __name__ == "__main__":
    main()
