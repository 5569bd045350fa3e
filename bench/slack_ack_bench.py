"""Benchmark: Slack slash commands over HTTP against the real bot process.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/slack_ack_bench.py [--commands 200]
[--model-latency 5]`.

Starts the fake router (in its own process, answering after `--model-latency` seconds), a fake
Slack (response_url endpoints) and `python -m bot` in Slack HTTP mode; then sends `--commands`
distinct, correctly signed `/scout` commands at once and reports the acknowledgement latency
(Slack's limit is 3 s; the goal is p99 ≤ 100 ms) and how many final replies reached Slack.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_bench import free_port, percentile, start_fake_router  # noqa: E402
from tests.fake_router import DEFAULT_KEY  # noqa: E402
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, form_body, sign  # noqa: E402


def start_bot(
    slack: FakeSlack,
    router_url: str,
    port: int,
    profile: str | None = None,
    open_files: int | None = None,
) -> subprocess.Popen[bytes]:
    """`python -m bot slack` in HTTP mode on `port`, against the fake Slack and router; with
    `open_files`, under that limit on open files (soft and hard, like a host's ulimit -n)."""

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HUGGING", "HF_", "SLACK", "AI_"))
    }
    env.update(
        DATA_DIR=tempfile.mkdtemp(prefix="scout-bench-"),  # a database of its own
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        AI_BASE_URL=router_url,
        AI_TIMEOUT="60",
        HUGGING_FACE_API_KEY=DEFAULT_KEY,
        APPSTORE_BASE_URL="http://127.0.0.1:9",  # no App Store: measure Slack and the model
        USER_COMMANDS_PER_MINUTE="1000",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    return subprocess.Popen(
        [sys.executable, *profiler, "-m", "bot", "slack"],
        cwd="/tmp",
        env=env,
        stdout=subprocess.DEVNULL,  # the bot's log lines
        stderr=subprocess.DEVNULL,
        preexec_fn=limit_files,
    )


async def wait_healthy(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the bot did not come up")


def http_request(port: int, body: bytes) -> bytes:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        **sign(body),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + body


def exchange(sockets: list[socket.socket], requests: list[bytes]) -> list[tuple[float, int]]:
    """Write every request at once, then time each response as it arrives.

    A lean client on purpose: Python client libraries spend tens of milliseconds of their own
    CPU sending 200 requests, which would be timed as the bot's latency."""
    selector = selectors.DefaultSelector()
    buffers = {sock: b"" for sock in sockets}
    started: dict[socket.socket, float] = {}
    for sock, request in zip(sockets, requests, strict=True):
        started[sock] = time.perf_counter()
        sock.sendall(request)
        selector.register(sock, selectors.EVENT_READ)
    results: list[tuple[float, int]] = []
    while len(results) < len(sockets):
        for key, _ in selector.select(timeout=30):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            buffers[sock] += sock.recv(65536)
            head, separator, body = buffers[sock].partition(b"\r\n\r\n")
            if not separator:
                continue
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            if len(body) >= length:
                results.append((time.perf_counter() - started[sock], int(head.split()[1])))
                selector.unregister(sock)
                buffers[sock] = b""
    return results


def load(slack: FakeSlack, port: int, commands: int) -> list[float]:
    """Keep-alive connections warmed by a burst of `help` (answered in the ack, starting no
    work), as Slack's would be warm; then the timed burst of distinct commands."""
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(commands)]
    try:
        warm = [http_request(port, form_body(slack.slash_command("help"))) for _ in sockets]
        assert all(status == 200 for _, status in exchange(sockets, warm))
        timed = [
            http_request(port, form_body(slack.slash_command(f"Benchmark app {i}", user=f"U{i}")))
            for i in range(commands)
        ]
        results = exchange(sockets, timed)
        assert all(status == 200 for _, status in results), results
        return [latency for latency, _ in results]
    finally:
        for sock in sockets:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--model-latency", type=float, default=5.0)
    parser.add_argument("--profile", help="write a cProfile of the bot process to this file")
    args = parser.parse_args()

    router, router_url = start_fake_router(args.model_latency)
    port = free_port()
    with FakeSlack() as slack:
        bot = start_bot(slack, router_url, port, args.profile)
        url = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(wait_healthy(url))
            started = time.monotonic()
            latencies = load(slack, port, args.commands)
            while len(slack.posted) < args.commands and time.monotonic() - started < 90:
                time.sleep(0.1)
            all_replies = time.monotonic() - started
            replies = [p for p in slack.posted if "Benchmark app" in p.all_text()]
            rule_based = sum("Rule-based advice" in p.all_text() for p in replies)
        finally:
            bot.terminate()
            bot.wait(30)
            router.terminate()
            router.wait(10)

    print(
        f"{args.commands} concurrent signed /scout commands over HTTP; "
        f"model answers after {args.model_latency:g} s"
    )
    print(
        f"  ack latency: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.1f} ms (goal p99 ≤ 100 ms)"
    )
    print(
        f"  final replies delivered: {len(replies)}/{args.commands} "
        f"({rule_based} rule-based) within {all_replies:.1f} s"
    )


if __name__ == "__main__":
    main()
