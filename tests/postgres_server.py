"""A real PostgreSQL server on loopback for the tests: a fresh cluster in a temporary directory, TCP
with a password (as Heroku Postgres is reached), stopped and removed after.

Which server: `initdb`/`postgres` from PATH (or Debian's /usr/lib/postgresql/*/bin) first, else
the ones the test extras install (the `pgserver` wheel, Linux x86_64). PostgreSQL refuses to run as
root, so as root the cluster belongs to `nobody`. Where no server exists the database tests fail
with one line saying what to install — never a skip.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.redis_server import free_port

NO_SERVER = (
    "no PostgreSQL server: install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew "
    "install postgresql), or run on Linux x86_64 where the test extras bring pgserver"
)
PASSWORD = "scout-db-secret-4417"  # the tests check it never appears in logs or replies


def binaries() -> Path | None:
    """The directory holding `initdb` and `postgres`."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    # The wheel's binaries, found without importing it (its import warns about XDG dirs).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    return None


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="scout-pg-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._user: str | None = "nobody" if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://scout:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def _run(self, *arguments: str) -> None:
        subprocess.run(
            arguments, check=True, capture_output=True, user=self._user, group=self._group()
        )

    def _group(self) -> str | None:
        return "nogroup" if self._user is not None else None

    def start(self) -> PostgresServer:
        directory = binaries()
        if directory is None:
            pytest.fail(NO_SERVER)
        data = self.directory / "data"
        password_file = self.directory / "password"
        password_file.write_text(PASSWORD)
        if self._user is not None:
            shutil.chown(self.directory, self._user, self._group())
            shutil.chown(password_file, self._user, self._group())
        self._run(
            str(directory / "initdb"),
            "-D", str(data),
            "-U", "scout",
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip
        self._process = subprocess.Popen(
            [
                str(directory / "postgres"),
                "-D", str(data),
                "-p", str(self.port),
                "-h", "127.0.0.1",
                "-k", str(self.directory),
                "-c", "fsync=off",
                "-c", "max_connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self._user,
            group=self._group(),
        )
        deadline = time.monotonic() + 30
        while not (data / "postmaster.pid").is_file() or not self._accepts():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"PostgreSQL did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def _accepts(self) -> bool:
        ready = binaries()
        assert ready is not None
        result = subprocess.run(
            [str(ready / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            capture_output=True,
        )
        return result.returncode == 0

    def create_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        ready = binaries()
        assert ready is not None
        subprocess.run(
            [str(ready / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "scout", name],
            check=True,
            capture_output=True,
            env={**os.environ, "PGPASSWORD": PASSWORD},
        )
        return self.url(name)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(20)
        self._process = None
        shutil.rmtree(self.directory, ignore_errors=True)
