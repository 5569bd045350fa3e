"""Benchmark: `python -m bot batch` against the console fed the same apps one line at a time.

Prints figures; asserts nothing. Run:
`.venv/bin/python bench/batch_bench.py [--apps 100] [--latency 1.0] [--concurrency 8]`

Both run as a user runs them (subprocesses) against the fake router (every answer takes
`--latency` seconds) and the fake App Store (any name is an app). The App Store's rate limit is
lifted (`--appstore-per-minute`, default 100000) so the model's latency is what is measured: at
Apple's real 20 calls a minute both are bounded by Apple (about 2–3 calls an app), and the batch
waits for its turn where the console would answer without the facts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_appstore import FakeAppStore  # noqa: E402
from tests.fake_router import DEFAULT_KEY, FakeRouter  # noqa: E402
from tests.helpers import PYTHON, clean_env  # noqa: E402


def timed(command: list[str], stdin: str, env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=3600
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[3:5]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--latency", type=float, default=1.0, help="the model's seconds")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--appstore-per-minute", type=int, default=100_000)
    parser.add_argument("--skip-console", action="store_true", help="only the batch")
    args = parser.parse_args()

    names = [f"Bench App {i:03d}" for i in range(args.apps)]
    with tempfile.TemporaryDirectory() as scratch, FakeRouter(latency=args.latency) as router:
        work = Path(scratch)
        (work / "apps.txt").write_text("\n".join(names) + "\n")
        figures: dict[str, tuple[float, int, int]] = {}
        runs = [("batch", [PYTHON, "-m", "bot", "batch", "apps.txt", "--out", "r.jsonl"])]
        if not args.skip_console:
            runs.append(("console pipe", [PYTHON, "-m", "bot"]))
        for label, command in runs:
            with FakeAppStore() as appstore:
                appstore.any_app = True
                env = clean_env(
                    AI_BASE_URL=router.url,
                    APPSTORE_BASE_URL=appstore.base_url,
                    HUGGING_FACE_API_KEY=DEFAULT_KEY,
                    APPSTORE_CALLS_PER_MINUTE=str(args.appstore_per_minute),
                    USER_COMMANDS_PER_MINUTE="1000",  # the console counts one user's commands
                    DATA_DIR=str(work / label.replace(" ", "-")),
                )
                if label == "batch":
                    command = [*command, "--concurrency", str(args.concurrency)]
                stdin = "".join(f"/scout {name}\n" for name in names) if label != "batch" else ""
                before = len(router.completion_calls())
                elapsed, _out = timed(command, stdin, env, work)
                calls = appstore.call_counts()
                figures[label] = (
                    elapsed,
                    sum(calls.values()),
                    len(router.completion_calls()) - before,
                )
            print(
                f"{label:>13}: {args.apps} apps in {elapsed:6.1f} s "
                f"({args.apps / elapsed:5.2f} apps/s); App Store calls {figures[label][1]} "
                f"({figures[label][1] / args.apps:.1f} an app); model calls {figures[label][2]}",
                flush=True,
            )
        if "console pipe" in figures:
            speedup = figures["console pipe"][0] / figures["batch"][0]
            print(f"      speedup: {speedup:.1f}x (goal: at least 5x)")


if __name__ == "__main__":
    main()
