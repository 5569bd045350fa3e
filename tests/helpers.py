"""What many test modules share: waiting on a condition, a manual clock, free ports, and running
`python -m bot` as a real subprocess. Test modules import from here, never from each other."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NOWHERE = "http://127.0.0.1:9/v1"  # the discard port: any request would fail loudly

__all__ = [
    "NOWHERE",
    "PYTHON",
    "ROOT",
    "BotProcess",
    "ManualClock",
    "bot_process",
    "clean_env",
    "free_port",
    "health",
    "run_bot",
    "settle",
    "stop_cleanly",
    "wait_for",
    "wait_until",
]


async def wait_for(condition: Callable[[], Any], within: float = 10, what: str = "it") -> None:
    """Poll until `condition()` is true (awaiting it when it is a coroutine); fail naming
    `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while not await _truth(condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _truth(value: Any) -> bool:
    return bool(await value) if asyncio.iscoroutine(value) else bool(value)


def wait_until(condition: Callable[[], Any], within: float = 20, what: str = "it") -> None:
    """`wait_for` for synchronous tests (subprocesses, servers in their own threads)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class ManualClock:
    """A clock that moves only when a test says so (start at 1000 s). Set `now` to move it
    silently; `await advance(...)` to move it and wake, in deadline order, whatever waits in
    `sleep_until` (an `adapters.port.live.Clock`), letting each run before time moves on."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap
        self._order = itertools.count()  # ties wake in the order they went to sleep

    def __call__(self) -> float:
        return self.now

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self.now:
            return
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), woken))
        await woken

    @property
    def sleepers(self) -> list[float]:
        """The deadlines something is waiting for, soonest first."""
        return sorted(deadline for deadline, _, woken in self._sleepers if not woken.done())

    async def advance(self, seconds: float) -> None:
        """Move `seconds` on: each sleeper wakes at its own deadline (the clock reads that
        deadline while it runs), then the clock stops at the end. What is ready to run now
        runs first, at the time it was made ready."""
        await settle()
        end = self.now + seconds
        while self._sleepers and self._sleepers[0][0] <= end:
            deadline, _, woken = heapq.heappop(self._sleepers)
            if woken.done():  # cancelled: its waiter moved on
                continue
            self.now = max(self.now, deadline)
            woken.set_result(None)
            await settle()
        self.now = end
        await settle()


async def settle(rounds: int = 50) -> None:
    """Let every task that can run without time passing or I/O run (a few event-loop turns:
    deterministic, no real time)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a bot subprocess: none of the developer's settings, every upstream
    pointed nowhere unless `extra` says otherwise."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUGGING", "HF_", "AI_", "SLACK", "DISCORD", "LOG_", "APPSTORE"))
        and k not in ("LC_ALL", "LC_MESSAGES")
    }
    env["LANG"] = "C.UTF-8"  # no language of the developer's: answers in English
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "AI_BASE_URL": NOWHERE,
            "APPSTORE_BASE_URL": NOWHERE.removesuffix("/v1"),
            **extra,
        }
    )
    return env


def run_bot(stdin: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` fed `stdin`, run to its end."""
    return subprocess.run(
        [PYTHON, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no stray .env
        env=clean_env(**env),
        timeout=60,
    )


class BotProcess:
    """`python -m bot` in a subprocess, its output (logs and all) collected as it comes, so a
    test can wait for a line instead of sleeping."""

    def __init__(
        self, tmp_path: Path, *args: str, open_files: int | None = None, **env: str
    ) -> None:
        def limit_files() -> None:  # in the child, before it runs: like a host's ulimit -n
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.popen = subprocess.Popen(
            [PYTHON, "-m", "bot", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one stream: logs go to stdout, crashes to stderr
            text=True,
            cwd=tmp_path,
            env=clean_env(**env),
            preexec_fn=limit_files,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)

    def wait_for_output(self, text: str, within: float = 20) -> None:
        wait_until(lambda: any(text in line for line in self.lines), within, repr(text))

    def output(self) -> str:
        """Everything the process wrote (complete once it has exited)."""
        if self.popen.poll() is not None:
            self._reader.join(10)
        return "".join(self.lines)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


@contextmanager
def bot_process(
    tmp_path: Path, *args: str, open_files: int | None = None, **env: str
) -> Iterator[BotProcess]:
    """`python -m bot` running for the block; killed if the block leaves it running."""
    bot = BotProcess(tmp_path, *args, open_files=open_files, **env)
    try:
        yield bot
    finally:
        bot.kill()


def stop_cleanly(bot: BotProcess, signal_number: int) -> str:
    """Signal the bot, require exit status 0 within Heroku's 30 s, and return its output."""
    bot.popen.send_signal(signal_number)
    assert bot.popen.wait(30) == 0
    return bot.output()


def health(port: int) -> httpx.Response | None:
    """`GET /healthz` on a bot's port; None while nothing answers there."""
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz")
    except httpx.TransportError:
        return None
