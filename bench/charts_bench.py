"""Benchmark: charts. Prints figures; asserts nothing.

Run: `.venv/bin/python bench/charts_bench.py [--rounds 30] [--starts 5]`

1. Time to draw each chart (PNG bytes, matplotlib Agg), warm: p50 and p95 milliseconds over
   `--rounds` draws (goal: ≤ 200 ms each), and the first draw in a fresh process (it pays for
   importing matplotlib).
2. A worker's start-up: importing what a worker loads (`bot.app` and every adapter) in a fresh
   process — time and resident memory (RSS) — then the same process after drawing one chart:
   what the first chart adds (matplotlib is imported only then). Medians of `--starts` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advice import (  # noqa: E402
    ChartRanks,
    ComparedApp,
    Opportunity,
    ReviewEvidence,
    VersionStats,
    clone_score,
    opportunity_score,
)
from bot.appstore import AppInfo  # noqa: E402
from bot.charts import Chart, app_history, opportunity_map, parts_comparison, review_mix  # noqa: E402
from bot.report import HistoryPoint  # noqa: E402

TODAY = date(2026, 11, 23)

START_UP = """
import json, resource, sys, time
started = time.perf_counter()
import bot.app, bot.charts, bot.views, adapters.slack, adapters.discord, adapters.console
imported = time.perf_counter() - started
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
idle = rss()
loaded = "matplotlib" in sys.modules
figures = {"import_s": imported, "idle_rss_mb": idle, "matplotlib_at_start": loaded}
if sys.argv[1] == "chart":
    sys.path.insert(0, "bench")
    from charts_bench import charts
    from bot.charts import render_png
    started = time.perf_counter()
    render_png(charts()["opportunity map"])
    figures["first_chart_s"] = time.perf_counter() - started
    figures["rss_after_chart_mb"] = rss()
print(json.dumps(figures))
"""


def app(n: int) -> AppInfo:
    return AppInfo(
        track_id=100 + n,
        name=f"Ledger Pro {n}",
        seller="Someone",
        category="Finance",
        rating=3.0 + n / 6,
        rating_count=900 * (n + 1) ** 2,
        current_version_rating=2.6 + n / 5,
        price=0.0 if n % 2 else 4.99,
        last_update=date(2023 + n % 3, 1 + n, 1),
    )


def charts() -> dict[str, Chart]:
    """One chart of each kind, at the size replies carry: 5 picks, 3 apps, 8 versions, 12
    weekly checks."""
    ranked = []
    for n in range(5):
        score = opportunity_score(app(n), TODAY, grossing_rank=n * 9 + 2)
        ranked.append(Opportunity(app(n), score, None, ChartRanks(free=n + 1), "why"))
    rows = [ComparedApp(app(n), clone_score(app(n), TODAY)) for n in range(3)]
    versions = tuple(
        VersionStats(f"8.{n}", 10 + n, 4.4 - n / 5, regressed=n == 6) for n in range(8)
    )
    stars = (31, 9, 7, 18, 85)
    evidence = ReviewEvidence(
        sum(stars), sum(stars), sum(stars), None, None, 3.6, 4.2, stars, versions, (), (), (), ()
    )
    weeks = [
        HistoryPoint(
            f"2026-{9 + w // 4:02d}-{1 + 7 * (w % 4):02d}",
            4.3 - w / 40,
            4.1 - w / 20,
            20 + 3 * w,
            None if w % 5 == 4 else 40 - 2 * w,
        )
        for w in range(12)
    ]
    return {
        "opportunity map": opportunity_map("Finance", ranked),
        "compare": parts_comparison(rows),
        "review evidence": review_mix("Ledger Pro 1", evidence),
        "watch history": app_history("Ledger Pro 1", weeks),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def draw_times(rounds: int) -> None:
    from bot.charts import render_png
    from bot.runtime import tune_garbage_collection

    # As a worker draws them: with its garbage-collector settings (CPython's defaults collect
    # matplotlib's many small objects mid-draw, which alone makes the slowest draws).
    tune_garbage_collection()
    print(f"1. Drawing each chart ({rounds} warm draws, a worker's GC settings; goal ≤ 200 ms)")
    for name, chart in charts().items():
        render_png(chart)  # warm: fonts and this chart's code paths
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            png = render_png(chart)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"   {name:<16} p50 {statistics.median(times):6.1f} ms   p95 "
            f"{percentile(times, 0.95):6.1f} ms   {len(png) / 1024:5.1f} KB"
        )


def start_ups(runs: int) -> None:
    print(f"2. A worker's start-up (median of {runs} fresh processes)")
    results: dict[str, list[dict[str, float]]] = {"idle": [], "chart": []}
    for _ in range(runs):
        for mode in results:
            out = subprocess.run(
                [sys.executable, "-c", START_UP, mode],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            results[mode].append(json.loads(out.stdout))

    def median(mode: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in results[mode])

    loaded = any(r["matplotlib_at_start"] for rs in results.values() for r in rs)
    print(f"   matplotlib imported at start-up: {'yes' if loaded else 'no'}")
    print(
        f"   without a chart: import {median('idle', 'import_s') * 1000:6.0f} ms, "
        f"idle RSS {median('idle', 'idle_rss_mb'):6.1f} MB"
    )
    first = median("chart", "first_chart_s") * 1000
    after = median("chart", "rss_after_chart_mb")
    print(
        f"   with a chart:    first chart {first:6.0f} ms (imports matplotlib), "
        f"RSS after it {after:6.1f} MB (+{after - median('chart', 'idle_rss_mb'):.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5)
    arguments = parser.parse_args()
    draw_times(arguments.rounds)
    start_ups(arguments.starts)


if __name__ == "__main__":
    main()
