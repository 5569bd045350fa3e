"""Benchmark: the web process ($PORT) under a burst and under idle connections, on loopback.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/load_bench.py [--burst 2000]
[--burst-open-files 1024] [--idle 600] [--open-files 512] [--model-latency 5]`.

Starts the fake router and a fake Slack, and `python -m bot slack` in HTTP mode (the setup of
bench/slack_ack_bench.py), then measures:
(a) `--burst` distinct signed `/scout` slash commands, each on a new connection, all at once:
    how many got 200, 503 (with Retry-After) or another status, were reset, closed unanswered
    or never answered; ack latency from connect to the whole response (Slack's limit is 3 s).
    Run on a fresh bot with the host's limits and again under `--burst-open-files`;
(b) `--idle` keep-alive connections that each sent one request and stay open, then a new
    client's `GET /healthz` and a signed slash command on new connections: their status and
    latency, and how many idle connections the bot closed (oldest first). Run on a fresh bot
    with the host's limits and again under `--open-files` (a cap the idle ones exceed).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import resource
import selectors
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_bench import free_port, percentile, start_fake_router  # noqa: E402
from bench.slack_ack_bench import http_request, start_bot, wait_healthy  # noqa: E402
from tests.fake_slack import FakeSlack, form_body  # noqa: E402

ANSWER_SECONDS = 30.0  # a client waits this long for its response before counting it lost


@dataclass
class Client:
    """One raw client connection: its request, what came back, and when."""

    request: bytes
    sock: socket.socket = field(default_factory=socket.socket)
    started: float = 0.0
    sent: int = 0
    received: bytes = b""
    outcome: str = ""  # "200", "503", … or "reset", "closed unanswered", "no answer"
    latency: float = 0.0
    retry_after: bool = False

    def response_complete(self) -> bool:
        head, separator, body = self.received.partition(b"\r\n\r\n")
        if not separator:
            return False
        lines = head.decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
        if len(body) < int(fields.get("content-length", "0")):
            return False
        self.outcome = lines[0].split()[1]
        self.retry_after = "retry-after" in fields
        return True


def run_clients(port: int, clients: list[Client], within: float = ANSWER_SECONDS) -> None:
    """Connect every client at once (non-blocking), send each request as its connection is
    up, and read each response; every client ends with an outcome by `within` seconds."""
    selector = selectors.DefaultSelector()
    for client in clients:
        client.sock.setblocking(False)
        client.started = time.perf_counter()
        client.sock.connect_ex(("127.0.0.1", port))
        selector.register(client.sock, selectors.EVENT_WRITE, client)
    open_clients = len(clients)
    deadline = time.monotonic() + within
    while open_clients and time.monotonic() < deadline:
        for key, events in selector.select(timeout=1):
            client = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    client.sent += client.sock.send(client.request[client.sent :])
                    if client.sent == len(client.request):
                        selector.modify(client.sock, selectors.EVENT_READ, client)
                    continue
                data = client.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                reset = exc.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNREFUSED)
                client.outcome = "reset" if reset else f"error {exc.errno}"
            else:
                client.received += data
                if not data:
                    client.outcome = "closed unanswered"
                elif not client.response_complete():
                    continue
            client.latency = time.perf_counter() - client.started
            selector.unregister(client.sock)
            open_clients -= 1
    for client in clients:
        if not client.outcome:
            client.outcome = "no answer"
    selector.close()


def slash(slack: FakeSlack, port: int, text: str, user: str) -> bytes:
    return http_request(port, form_body(slack.slash_command(text, user=user)))


def healthz(port: int, keep_alive: bool = False) -> bytes:
    connection = "keep-alive" if keep_alive else "close"
    head = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: {connection}\r\n"
    return head.encode() + b"\r\n"


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def burst(slack: FakeSlack, port: int, count: int, label: str) -> None:
    clients = [Client(slash(slack, port, f"Benchmark app {i}", user=f"U{i}")) for i in range(count)]
    run_clients(port, clients)
    outcomes = Counter(client.outcome for client in clients)
    answered = [c.latency for c in clients if c.outcome.isdigit()]
    acked = [c.latency for c in clients if c.outcome == "200"]
    print(f"(a) {label}: {count} signed slash commands at once, one new connection each")
    print("    outcomes: " + ", ".join(f"{n} × {what}" for what, n in outcomes.most_common()))
    if any(c.outcome == "503" for c in clients):
        print(f"    503s with Retry-After: {sum(c.retry_after for c in clients)}")
    for name, samples in (("200 acks", acked), ("all answers", answered)):
        if samples:
            print(
                f"    {name}: p50 {percentile(samples, 50) * 1000:.0f} ms, "
                f"p99 {percentile(samples, 99) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms; "
                f"{sum(s <= 3 for s in samples)}/{count} within Slack's 3 s"
            )


def idle_then_newcomer(slack: FakeSlack, port: int, count: int, label: str) -> None:
    idle = [Client(healthz(port, keep_alive=True)) for _ in range(count)]
    for start in range(0, count, 100):  # in waves, oldest first, like clients arriving
        run_clients(port, idle[start : start + 100])
    kept = sum(c.outcome == "200" for c in idle)
    newcomers = [Client(healthz(port)), Client(slash(slack, port, "help", user="U-new"))]
    for client in newcomers:  # one after the other, each on a new connection
        run_clients(port, [client], within=10)
    closed = [closed_by_server(c.sock) for c in idle]
    first_open = closed.index(False) if False in closed else len(closed)
    oldest_first = all(closed[:first_open]) and not any(closed[first_open:])
    print(f"(b) {label}: {count} idle keep-alive connections ({kept} answered 200 and held)")
    for name, client in zip(("GET /healthz", "signed slash command"), newcomers, strict=True):
        print(f"    new client's {name}: {client.outcome} in {client.latency * 1000:.1f} ms")
    order = " (the oldest ones)" if oldest_first else " (not strictly oldest first)"
    print(f"    idle connections closed by the bot: {sum(closed)}{order if any(closed) else ''}")
    for client in idle + newcomers:
        client.sock.close()


def with_bot(
    slack: FakeSlack, router_url: str, open_files: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    bot = start_bot(slack, router_url, port, open_files=open_files)
    asyncio.run(wait_healthy(f"http://127.0.0.1:{port}"))
    return bot, port


def stop(bot: subprocess.Popen[bytes]) -> None:
    bot.terminate()
    try:
        bot.wait(30)
    except subprocess.TimeoutExpired:
        bot.kill()
        bot.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--burst-open-files", type=int, default=1024, help="0: skip that run")
    parser.add_argument("--idle", type=int, default=600)
    parser.add_argument("--open-files", type=int, default=512)
    parser.add_argument("--model-latency", type=float, default=5.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # this process holds the clients
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    somaxconn = Path("/proc/sys/net/core/somaxconn").read_text().strip()
    print(f"loopback; {len(os.sched_getaffinity(0))} CPUs; net.core.somaxconn {somaxconn}")

    router, router_url = start_fake_router(args.model_latency)
    try:
        with FakeSlack() as slack:
            bot, port = with_bot(slack, router_url)
            try:
                burst(slack, port, args.burst, "host's open-file limit")
            finally:
                stop(bot)
            if args.burst_open_files:
                bot, port = with_bot(slack, router_url, open_files=args.burst_open_files)
                try:
                    burst(slack, port, args.burst, f"{args.burst_open_files} open files")
                finally:
                    stop(bot)
            bot, port = with_bot(slack, router_url)
            try:
                idle_then_newcomer(slack, port, args.idle, "host's open-file limit")
            finally:
                stop(bot)
            bot, port = with_bot(slack, router_url, open_files=args.open_files)
            try:
                idle_then_newcomer(slack, port, args.idle, f"{args.open_files} open files")
            finally:
                stop(bot)
    finally:
        router.terminate()
        router.wait(10)


if __name__ == "__main__":
    main()
