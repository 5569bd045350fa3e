"""Benchmark: two worker processes on one Discord token, each mention answered once.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/discord_workers_bench.py
[--mentions 60]`.

Two real `python -m bot discord` processes share one database (SQLite in one DATA_DIR: the
shared claim) and connect to one fake Discord, first with no shard variables (both sessions get
every event: the claim decides), then as shards 0 and 1 of 2 (each guild's events reach one
worker). `--mentions` mentions go out at once, spread over the fake's guilds and channels; the
fake's records say how many replies each mention got, how many second interaction responses
Discord refused (40060), and how long each final reply took.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live_bench import start_bot, start_router, wait_until  # noqa: E402
from bench.service_bench import percentile  # noqa: E402
from tests.fake_discord import BOT_ID, CHANNEL_IDS, FakeDiscord  # noqa: E402
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN  # noqa: E402
from tests.fake_discord_payloads import GUILD_IDS  # noqa: E402


def run(router_url: str, mentions: int, plans: list[dict[str, str]]) -> None:
    data_dir = tempfile.mkdtemp(prefix="scout-workers-")
    with FakeDiscord() as fake:
        env = {
            "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DATA_DIR": data_dir,
        }
        workers = [start_bot("discord", True, router_url, **env, **plan) for plan in plans]
        try:
            wait_until(lambda: len(fake.sessions) >= len(plans), 30)
            time.sleep(1.5)  # READY and GUILD_CREATE processed (nothing is logged at WARNING)
            sent: dict[str, float] = {}
            for i in range(mentions):
                guild = GUILD_IDS[i % len(GUILD_IDS)]
                channel = CHANNEL_IDS[i % len(CHANNEL_IDS)]
                message = fake.message(
                    f"<@{BOT_ID}> Benchmark app {i}", channel_id=channel, guild_id=guild
                )
                sent[message["id"]] = time.monotonic()
                fake.dispatch("MESSAGE_CREATE", message)

            def finished() -> bool:
                final = [m for m in fake.sent if "Benchmark app" in m.all_text()]
                working = any("Working…" in m.all_text() for m in fake.sent)
                return len(final) >= mentions and not working

            wait_until(finished, 120)
            time.sleep(2.0)  # a second answer, if there were one, would come now
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.communicate(timeout=30)
        replies: dict[str, int] = {}
        final_at: dict[str, float] = {}
        posted_at: dict[str, float] = {}
        for request in fake.requests:
            body = request.body if isinstance(request.body, dict) else {}
            reference = (body.get("message_reference") or {}).get("message_id")
            if request.path.endswith("/messages") and reference:
                replies[str(reference)] = replies.get(str(reference), 0) + 1
                posted_at[str(reference)] = request.at
        edited = {edit.message_id: edit.at for edit in fake.edits}  # the last edit of each
        for message in fake.sent:
            reference = (message.payload.get("message_reference") or {}).get("message_id")
            if reference:
                final_at[str(reference)] = edited.get(message.message_id, posted_at[str(reference)])
    counts = [replies.get(key, 0) for key in sent]
    latency = sorted(final_at[key] - sent[key] for key in sent if key in final_at)
    name = " and ".join(
        f"shards {plan['DISCORD_SHARD_IDS']}/{plan['DISCORD_SHARD_COUNT']}" if plan else "unsharded"
        for plan in plans
    )
    print(f"{len(plans)} workers ({name}), {mentions} mentions over {len(GUILD_IDS)} guilds:")
    print(f"  answered once {counts.count(1)}, twice or more {sum(c > 1 for c in counts)},")
    print(f"  never {counts.count(0)}; 40060 refusals {len(fake.refusals)}")
    if latency:
        print(
            f"  final reply p50 {percentile(latency, 50):.2f} s, "
            f"p99 {percentile(latency, 99):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=60)
    args = parser.parse_args()
    router, url = start_router(first_token=0.2, rate=200, words=60, latency=0.0)
    try:
        run(url, args.mentions, [{}, {}])
        run(
            url,
            args.mentions,
            [
                {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0"},
                {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1"},
            ],
        )
    finally:
        router.terminate()


if __name__ == "__main__":
    main()
