"""Benchmark: RecommendationService against the fake router in its own process.

Prints figures; asserts nothing. Run: `make bench` or
`.venv/bin/python bench/service_bench.py [--latency 0.5] [--concurrency 200] [--commands 500]`.

Phases, each against the same fake router (fixed upstream latency):
1. bare aiohttp client: the floor this machine allows;
2. plain httpx.AsyncClient (httpcore transport): why the project does not use it;
3. httpx on bot.runtime.transport.AiohttpTransport: the transport the bot uses;
4. the service, distinct commands: end-to-end p50/p99, overhead over the floor, upstream calls;
5. the service, identical concurrent commands: upstream calls (single-flight);
6. cache hits: service time per command;
and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ai.router import RouterClient, RouterSettings  # noqa: E402
from bot.cache.answer_cache import MemoryAnswerCache  # noqa: E402
from bot.commands.grammar import Command, parse  # noqa: E402
from bot.prompts.builder import build_messages  # noqa: E402
from bot.report.report import Source  # noqa: E402
from bot.runtime import tune_garbage_collection  # noqa: E402
from bot.runtime.transport import AiohttpTransport, http_client  # noqa: E402
from bot.service.recommendations import RecommendationService  # noqa: E402
from tests.fake_router import DEFAULT_KEY  # noqa: E402

STREAM = False  # --stream: every phase asks for server-sent events, as the bot does by default


def request_body(i: int) -> dict[str, object]:
    """The same request the service sends for command i, so every phase loads the fake alike."""
    command = parse(f"App number {i}")
    assert isinstance(command, Command)
    body: dict[str, object] = {
        "model": "openai/gpt-oss-120b",
        "messages": [m.as_dict() for m in build_messages(command)],
        "max_tokens": 400,
        "temperature": 0.7,
        "top_p": 0.9,
        "stream": STREAM,
    }
    if STREAM:
        body["stream_options"] = {"include_usage": True}
    return body


def read_events(lines: list[bytes | str]) -> str:
    """What a bare client does with a stream: parse each event, keep the content."""
    text = []
    for line in lines:
        line = line.decode() if isinstance(line, bytes) else line
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            event = json.loads(line[5:])
            for choice in event.get("choices") or []:
                text.append(choice.get("delta", {}).get("content") or "")
    return "".join(text)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


async def timed_load(
    count: int, concurrency: int, one: Callable[[int], Awaitable[None]]
) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    cpu_started = time.process_time()

    async def run(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(run(i) for i in range(count)))
    CPU_MS_PER_REQUEST.append((time.process_time() - cpu_started) * 1000 / count)
    return latencies


CPU_MS_PER_REQUEST: list[float] = []  # client-side CPU of the latest load, per request


async def warm(concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    """One untimed burst, so that every client is measured with a warm connection pool, as a
    long-running worker is; connection set-up would otherwise be timed as latency."""
    await asyncio.gather(*(one(-1 - i) for i in range(concurrency)))


def line(name: str, latencies: list[float], extra: str = "") -> None:
    p50 = percentile(latencies, 50)
    p99 = percentile(latencies, 99)
    cpu = CPU_MS_PER_REQUEST[-1]
    print(
        f"  {name:<40} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
        f"cpu {cpu:5.2f} ms/req  {extra}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake_router(latency: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_router", "--port", str(port), "--latency", str(latency)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("fake router did not start")


async def bare_aiohttp(url: str, n: int, concurrency: int) -> list[float]:
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with session.post(
                f"{url}/chat/completions",
                json=request_body(i),
                headers={"Authorization": f"Bearer {DEFAULT_KEY}"},
            ) as response:
                assert response.status == 200
                if STREAM:
                    assert read_events([line async for line in response.content])
                else:
                    json.loads(await response.read())  # a real client must read the answer

        await warm(concurrency, one)
        return await timed_load(n, concurrency, one)


async def httpx_load(client: httpx.AsyncClient, url: str, n: int, concurrency: int) -> list[float]:
    async def one(i: int) -> None:
        async with client.stream(
            "POST",
            f"{url}/chat/completions",
            json=request_body(i),
            headers={"Authorization": f"Bearer {DEFAULT_KEY}"},
        ) as response:
            assert response.status_code == 200
            if STREAM:
                assert read_events([line async for line in response.aiter_lines()])
            else:
                json.loads(await response.aread())

    await warm(concurrency, one)
    try:
        return await timed_load(n, concurrency, one)
    finally:
        await client.aclose()


def new_service(url: str, transport: AiohttpTransport) -> RecommendationService:
    settings = RouterSettings(
        base_url=url,
        api_key=DEFAULT_KEY,
        models=("openai/gpt-oss-120b",),
        timeout=60,
        stream=STREAM,
    )
    return RecommendationService(
        RouterClient(settings, transport), MemoryAnswerCache(ttl_seconds=3600, max_entries=20_000)
    )


async def service_load(url: str, n: int, concurrency: int, tag: str) -> tuple[list[float], int]:
    """Distinct commands through a fresh service: (latencies, upstream calls)."""
    transport = AiohttpTransport()
    try:
        service = new_service(url, transport)

        async def warm_up(i: int) -> None:
            await service.handle(parse(f"Warm up {tag} {i}"))

        await warm(concurrency, warm_up)
        service.router.upstream_calls = 0

        async def distinct(i: int) -> None:
            report = await service.handle(parse(f"App {tag} number {i}"))
            assert report.source is Source.AI, report.notes

        latencies = await timed_load(n, concurrency, distinct)
        return latencies, service.router.upstream_calls
    finally:
        await transport.aclose()


async def single_flight_and_hits(url: str, concurrency: int, hits: int) -> dict[str, float]:
    transport = AiohttpTransport()
    try:
        service = new_service(url, transport)
        reports = await asyncio.gather(
            *(service.handle(parse("Calculator Pro")) for _ in range(concurrency))
        )
        assert all(r.source is Source.AI for r in reports)
        print(
            f"  {concurrency} identical concurrent commands: "
            f"{service.router.upstream_calls} upstream call(s)"
        )
        cached = parse("Calculator Pro")
        samples = []
        for _ in range(hits):
            started = time.perf_counter()
            report = await service.handle(cached)
            samples.append(time.perf_counter() - started)
            assert report.source is Source.CACHE
        figures = {
            "identical_calls": float(service.router.upstream_calls),
            "hit_p50": percentile(samples, 50),
            "hit_p99": percentile(samples, 99),
        }
        print(
            f"  cache-hit service time over {hits:,} commands: "
            f"p50 {figures['hit_p50'] * 1e6:.1f} µs, p99 {figures['hit_p99'] * 1e6:.1f} µs"
        )
        return figures
    finally:
        await transport.aclose()


async def main_async(args: argparse.Namespace) -> dict[str, float]:
    process, url = start_fake_router(args.latency)
    n, concurrency = args.commands, args.concurrency
    try:
        print(
            f"fake router: {args.latency * 1000:.0f} ms upstream latency"
            f"{', streamed' if STREAM else ''}; "
            f"{n} requests at concurrency {concurrency}; {args.rounds} rounds"
        )
        p99s: dict[str, list[float]] = {"bare": [], "transport": [], "service": []}
        p50s: list[float] = []
        ratios: list[float] = []
        cpu_ratios: list[float] = []  # the service's CPU per request over the bare client's
        for round_no in range(1, args.rounds + 1):
            print(f" round {round_no}")
            gc.collect()
            bare = await bare_aiohttp(url, n, concurrency)
            line("bare aiohttp client (floor)", bare)
            bare_cpu = CPU_MS_PER_REQUEST[-1]
            gc.collect()
            ours = await httpx_load(http_client(AiohttpTransport(), 60), url, n, concurrency)
            line("httpx on bot.runtime.transport.AiohttpTransport", ours)
            gc.collect()
            service, calls = await service_load(url, n, concurrency, str(round_no))
            line(f"service, {n} distinct commands", service, f"upstream calls {calls}")
            cpu_ratios.append(CPU_MS_PER_REQUEST[-1] / bare_cpu)
            p99s["bare"].append(percentile(bare, 99))
            p99s["transport"].append(percentile(ours, 99))
            p99s["service"].append(percentile(service, 99))
            p50s.append(percentile(service, 50))
            ratios.append(p99s["service"][-1] / p99s["bare"][-1])
        figures = {f"{name}_p99": statistics.median(values) for name, values in p99s.items()}
        figures["service_p50"] = statistics.median(p50s)
        figures["service_over_bare_p99"] = statistics.median(ratios)
        figures["service_over_bare_cpu"] = statistics.median(cpu_ratios)
        print(
            " median over rounds: p99 bare {bare:.0f} ms, transport {transport:.0f} ms, "
            "service {service:.0f} ms; service/bare p99 ratios {ratios}".format(
                bare=figures["bare_p99"] * 1000,
                transport=figures["transport_p99"] * 1000,
                service=figures["service_p99"] * 1000,
                ratios=", ".join(f"{r:.3f}" for r in ratios),
            )
        )
        figures.update(await single_flight_and_hits(url, concurrency, args.hits))
        # Last: its backlog and garbage must not disturb the rounds above.
        if not args.skip_plain_httpx:
            plain = await httpx_load(
                httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency)),
                url,
                n,
                concurrency,
            )
            line("plain httpx.AsyncClient (httpcore)", plain)
        return figures
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="upstream latency, seconds")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hits", type=int, default=10_000, help="cache-hit commands to time")
    parser.add_argument("--skip-plain-httpx", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--stream", action="store_true", help="server-sent events everywhere")
    args = parser.parse_args()
    global STREAM
    STREAM = args.stream
    tune_garbage_collection()  # as the bot does at start: every phase runs under it

    figures = asyncio.run(main_async(args))
    ratio = figures["service_over_bare_p99"]
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    overhead_ms = (figures["service_p50"] - args.latency) * 1000
    print(f" service p50 overhead over the upstream latency: {overhead_ms:.1f} ms")
    print(f" peak RSS of this process: {figures['peak_rss_mb']:.1f} MB")
    goal = 1.10 if args.concurrency <= 200 else 1.3
    cpu = figures["service_over_bare_cpu"]
    print(
        f" goals: p99 within {goal:.2f}× of bare: "
        + ("met" if ratio <= goal else "MISSED")
        + f" ({ratio:.3f}); CPU per request within 1.5× of bare: "
        + ("met" if cpu <= 1.5 else "MISSED")
        + f" ({cpu:.2f}); identical → 1 call: "
        + ("met" if figures["identical_calls"] == 1 else "MISSED")
        + "; cache-hit p99 ≤ 1 ms: "
        + ("met" if figures["hit_p99"] <= 0.001 else "MISSED")
    )
    if args.json:
        print(json.dumps({k: round(v, 6) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
