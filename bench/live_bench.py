"""Benchmark: live replies on Slack and Discord, against the real bot process.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/live_bench.py [--commands 50]
[--first-token 1] [--tokens-per-second 30] [--words 300]`.

For each platform, the bot (`python -m bot slack` / `discord`) runs against the fake Slack or
Discord and the fake App Store (in this process; every app is found, without Apple's rate
limit) and the fake router (its own process: `--first-token` seconds to the
first token, then `--tokens-per-second`). `--commands` distinct commands are sent at once —
Slack mentions over signed HTTP in one workspace; Discord mentions, one per channel of one
guild — and the fakes' own records (times taken on the shared monotonic clock) say what users
saw: the first visible progress, the first visible model text, the final reply, how many
appends/edits each answer took, and whether any call was rate-limited. Then the same commands
with `AI_STREAM=false` (the router answering whole after as long as the stream takes) give the
end-to-end time without streaming.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_bench import free_port, percentile  # noqa: E402
from bench.slack_ack_bench import wait_healthy  # noqa: E402
from tests.fake_appstore import FakeAppStore  # noqa: E402
from tests.fake_discord import BOT_ID, CHANNEL_IDS, FakeDiscord  # noqa: E402
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN  # noqa: E402
from tests.fake_router import DEFAULT_KEY  # noqa: E402
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign  # noqa: E402

APPSTORE = FakeAppStore()
APPSTORE.any_app = True
TEXT_MARK = "Improvements"  # the answer's first words (tests.fake_router.long_answer)


@dataclass
class Seen:
    """One command, as its user saw it (seconds after it was sent)."""

    progress: float
    text: float | None
    final: float
    updates: int  # appends or edits before the final reply


def start_router(
    first_token: float, rate: float, words: int, latency: float
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fake_router",
            "--port",
            str(port),
            "--latency",
            str(latency),
            "--first-token-delay",
            str(first_token),
            "--tokens-per-second",
            str(rate),
            "--answer-words",
            str(words),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}/v1"


def start_bot(mode: str, stream: bool, router_url: str, **env: str) -> subprocess.Popen[bytes]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUGGING", "HF_", "SLACK", "DISCORD", "AI_", "APPSTORE"))
    }
    base.update(
        DATA_DIR=tempfile.mkdtemp(prefix="scout-bench-"),  # a database of its own
        PYTHONPATH=str(ROOT),
        AI_BASE_URL=router_url,
        AI_TIMEOUT="120",
        AI_MAX_TOKENS="4096",
        AI_STREAM="true" if stream else "false",
        HUGGING_FACE_API_KEY=DEFAULT_KEY,
        APPSTORE_BASE_URL=APPSTORE.base_url,  # finds every app at once
        APPSTORE_CALLS_PER_MINUTE="100000",  # no wait for Apple's rate limit: not measured here
        USER_COMMANDS_PER_MINUTE="1000",
        LOG_LEVEL="WARNING",
    )
    base.update(env)  # e.g. a DATA_DIR that several workers share
    return subprocess.Popen(
        [sys.executable, "-m", "bot", mode],
        cwd="/tmp",
        env=base,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(done: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)


async def send_mentions(slack: FakeSlack, port: int, commands: int) -> dict[str, float]:
    """All mentions at once; thread ts → when it was sent."""
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            event = slack.mention(f"Benchmark app {i}", event_id=f"EvBench{i}", user=f"U{i}")
            ts = event["event"]["ts"] = f"1700000000.{i:06d}"
            body = json.dumps(event).encode()
            headers = {"Content-Type": "application/json", **sign(body)}
            sent[ts] = time.monotonic()
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
            ) as response:
                assert response.status == 200

        await asyncio.gather(*(one(i) for i in range(commands)))
    return sent


def slack_run(router_url: str, commands: int, stream: bool) -> tuple[list[Seen], int, str]:
    port = free_port()
    with FakeSlack() as slack:
        bot = start_bot(
            "slack",
            stream,
            router_url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
        )
        try:
            asyncio.run(wait_healthy(f"http://127.0.0.1:{port}"))
            sent = asyncio.run(send_mentions(slack, port, commands))
            wait_until(lambda: len(slack.posted) >= commands, 180)
        finally:
            bot.terminate()
            _, err = bot.communicate(timeout=30)
        seen = []
        for message in slack.live.messages.values():
            start = sent[message.thread_ts or ""]
            changes = message.history
            texts = [c.at for c in changes if TEXT_MARK in c.text + json.dumps(c.blocks)]
            updates = message.calls("chat.appendStream") + message.calls("chat.update")
            seen.append(
                Seen(
                    changes[0].at - start,
                    texts[0] - start if texts else None,
                    changes[-1].at - start,
                    updates - (message.kind == "message"),  # the last update is the reply
                )
            )
        limited = len(slack.live.tiers.limited)
    return seen, limited, err.decode()


def discord_run(router_url: str, commands: int, stream: bool) -> tuple[list[Seen], int, str]:
    with FakeDiscord() as discord_api:
        bot = start_bot(
            "discord",
            stream,
            router_url,
            DISCORD_BOT_TOKEN=DISCORD_TOKEN,
            DISCORD_API_URL=discord_api.api_url,
            DISCORD_GATEWAY_URL=discord_api.gateway_url,
        )
        try:
            wait_until(discord_api.identified.is_set, 30)
            time.sleep(1.0)  # READY and GUILD_CREATE processed (the bot logs nothing at WARNING)
            sent: dict[str, float] = {}
            for i, channel in enumerate(CHANNEL_IDS[:commands]):
                message = discord_api.message(f"<@{BOT_ID}> Benchmark app {i}", channel_id=channel)
                sent[message["id"]] = time.monotonic()
                discord_api.dispatch("MESSAGE_CREATE", message)

            def finished() -> bool:
                final = [m for m in discord_api.sent if "Benchmark app" in m.all_text()]
                return len(final) >= commands and not any(
                    "Working…" in m.all_text() for m in discord_api.sent
                )

            wait_until(finished, 180)
        finally:
            bot.terminate()
            _, err = bot.communicate(timeout=30)
        posts = {
            str(r.body["message_reference"]["message_id"]): r.at
            for r in discord_api.requests
            if r.path.endswith("/messages")
            and isinstance(r.body, dict)
            and r.body.get("message_reference")
        }
        seen = []
        for reply in discord_api.sent:
            reference = str(reply.payload.get("message_reference", {}).get("message_id"))
            if reference not in sent:
                continue
            start = sent[reference]
            edits = [e for e in discord_api.edits if e.message_id == reply.message_id]
            texts = [e.at for e in edits if TEXT_MARK in json.dumps(e.payload)]
            final = edits[-1].at if edits else posts[reference]
            seen.append(
                Seen(
                    posts[reference] - start,
                    texts[0] - start if texts else None,
                    final - start,
                    max(0, len(edits) - 1),
                )
            )
        limited = len(discord_api.buckets.limited) + err.decode().count("being rate limited")
    return seen, limited, err.decode()


def report(name: str, streamed: list[Seen], whole: list[Seen], limited: int, args: object) -> None:
    def ms(values: list[float], pct: float) -> str:
        return f"{percentile(values, pct) * 1000:7.0f} ms"

    progress = [s.progress for s in streamed]
    texts = [s.text for s in streamed if s.text is not None]
    finals = [s.final for s in streamed]
    whole_finals = [s.final for s in whole]
    updates = [s.updates for s in streamed]
    ttft = args.first_token  # type: ignore[attr-defined]
    print(f"{name}: {len(streamed)} streamed answers, {len(whole)} whole")
    print(
        f"  first visible progress    p50 {ms(progress, 50)}  p99 {ms(progress, 99)}"
        "  (goal p99 ≤ 300 ms)"
    )
    if texts:
        print(
            f"  first visible model text  p50 {ms(texts, 50)}  p99 {ms(texts, 99)}"
            f"  (goal p99 ≤ {ttft * 1000 + 400:.0f} ms; {len(texts)}/{len(streamed)} showed text)"
        )
    print(f"  final reply, streamed     p50 {ms(finals, 50)}  p99 {ms(finals, 99)}")
    print(
        f"  final reply, not streamed p50 {ms(whole_finals, 50)}  p99 {ms(whole_finals, 99)}"
        f"  (streamed/whole p50 {percentile(finals, 50) / percentile(whole_finals, 50):.3f})"
    )
    median = sorted(updates)[len(updates) // 2]
    print(
        f"  appends/edits per answer  min {min(updates)}  median {median}  max {max(updates)}; "
        f"rate-limited calls (429s): {limited}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--first-token", type=float, default=1.0)
    parser.add_argument("--tokens-per-second", type=float, default=30.0)
    parser.add_argument("--words", type=int, default=300, help="answer length in tokens")
    parser.add_argument("--platform", choices=("slack", "discord", "both"), default="both")
    args = parser.parse_args()
    words = args.words // 12 * 12 + 1  # what long_answer makes of it: lines of 12, and a title
    writing = args.first_token + words / args.tokens_per_second
    print(
        f"fake router: first token after {args.first_token:g} s, {args.tokens_per_second:g} "
        f"tokens/s, ~{words} tokens (≈{writing:.1f} s); not streamed: whole after {writing:.1f} s"
    )
    streaming, stream_url = start_router(args.first_token, args.tokens_per_second, args.words, 0)
    whole, whole_url = start_router(0, 0, args.words, writing)
    APPSTORE.start()
    time.sleep(1.0)
    runs = {"slack": slack_run, "discord": discord_run}
    try:
        for name in ("slack", "discord") if args.platform == "both" else (args.platform,):
            streamed, limited, err = runs[name](stream_url, args.commands, True)
            plain, _, _ = runs[name](whole_url, args.commands, False)
            report(name.capitalize(), streamed, plain, limited, args)
            if "Traceback" in err:
                print(err)
    finally:
        for process in (streaming, whole):
            process.terminate()
            process.wait(10)
        APPSTORE.stop()


if __name__ == "__main__":
    main()
