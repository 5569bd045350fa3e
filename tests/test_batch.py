"""`python -m bot batch`: a file of apps answered as `/scout <app>` would be — run as a user runs
it, a subprocess against the fake App Store and the fake router — and the pieces it is made of
(reading the file, the results file, the progress, the summary)."""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import subprocess
from pathlib import Path

import pytest

from adapters.batch import ResultFile, parse_batch
from adapters.batch.progress import BatchProgress
from tests.fake_appstore import FakeAppStore
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.helpers import PYTHON, ManualClock, clean_env, run_bot, wait_until
from tests.loopback import Reply

FACEBOOK, WEBSTER, WHATSAPP = 284882215, 1321994487, 310633997


def batch(tmp_path: Path, router: FakeRouter, appstore: FakeAppStore, *args: str, stdin: str = ""):
    return run_bot(
        stdin,
        tmp_path,
        "batch",
        *args,
        AI_BASE_URL=router.url,
        APPSTORE_BASE_URL=appstore.base_url,
        HUGGING_FACE_API_KEY=DEFAULT_KEY,
        DATA_DIR=str(tmp_path / "data"),
    )


def ranked(summary: str) -> list[str]:
    """The summary's ranked lines: rank, score, app, rating, source."""
    return [line for line in summary.splitlines() if re.match(r"^\s+\d+\s+\d+\s", line)]


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- reading the file ------------------------------------------------------------------------


def test_lines_name_ids_and_links_and_the_same_app_is_listed_once() -> None:
    text = (
        "# my list\nFacebook\n\n  facebook  \n284882215\nid:284882215\n"
        "https://apps.apple.com/gb/app/facebook/id284882215\nFind My iPhone\nCalc --deep\n"
    )
    read = parse_batch(text)
    assert [(item.line, item.given) for item in read.items] == [
        (2, "Facebook"),
        (5, "284882215"),
        (7, "https://apps.apple.com/gb/app/facebook/id284882215"),
        (8, "Find My iPhone"),
        (9, "Calc --deep"),
    ]
    assert read.repeats == 2  # "facebook" and "id:284882215"
    # The app itself, never a verb or an option: "Find My iPhone" is not `find`.
    assert [item.command.kind.value for item in read.items] == ["analysis"] * 5
    assert read.items[3].command.subject == "Find My iPhone"
    assert read.items[2].command.country == "gb"  # a link's store is kept: another app
    assert read.bad == []


def test_bad_lines_are_reported_with_their_line_and_never_stop_the_rest() -> None:
    text = "Facebook\n" + "x" * 300 + "\nhttps://example.com/app\nWebster\x1b[31m Bank\n"
    read = parse_batch(text, "lines")
    assert [item.given for item in read.items] == ["Facebook", "Webster\x1b[31m Bank"]
    assert read.items[1].command.subject == "Webster[31m Bank"  # control characters dropped
    assert [(bad.line, bad.problem) for bad in read.bad] == [
        (2, "That app name is too long (the limit is 100 characters)."),
        (
            3,
            "That link is not an App Store app link; use one like "
            "`https://apps.apple.com/us/app/…/id284882215`.",
        ),
    ]
    assert read.bad[0].given.endswith("…") and len(read.bad[0].given) == 60


def test_csv_with_a_header_takes_the_name_or_id_column_and_the_seeds_fields() -> None:
    text = (
        "Name,Category,rating_avg,total,country\n"
        "Facebook,Social Networking,3.5,100,\n"
        "My Scraped App,Utilities,2.1,40,gb\n"
        ",Utilities,,,\n"
        '"Plants, Zombies and Me",Games,4.0,9,\n'
    )
    read = parse_batch(text)
    assert [item.given for item in read.items] == [
        "Facebook",
        "My Scraped App",
        "Plants, Zombies and Me",
    ]
    assert read.items[1].record == {
        "name": "My Scraped App",
        "category": "Utilities",
        "rating_avg": "2.1",
        "total": "40",
    }
    assert read.items[1].command.country == "gb"
    assert [(bad.line, bad.problem) for bad in read.bad] == [
        (4, "no name, id or link in this row")
    ]


def test_csv_without_a_known_header_reads_its_first_column() -> None:
    read = parse_batch("Facebook,whatever\nWebster Bank,x\n", "csv")
    assert [item.given for item in read.items] == ["Facebook", "Webster Bank"]


def test_json_lists_objects_and_json_lines_with_a_broken_line() -> None:
    listed = parse_batch('{"apps": ["Facebook", 1321994487, {"trackId": 310633997}, [1]]}')
    assert [item.given for item in listed.items] == ["Facebook", "1321994487", "310633997"]
    assert [(bad.line, bad.problem) for bad in listed.bad] == [
        (4, "neither an app name nor an object")
    ]
    lines = parse_batch('{"name": "Facebook"}\n{"name": \n"Webster Bank"\n', "jsonl")
    assert [item.given for item in lines.items] == ["Facebook", "Webster Bank"]
    assert [bad.line for bad in lines.bad] == [2]
    broken = parse_batch('[{"name": "Facebook"},', "json")
    assert broken.items == [] and broken.bad[0].problem.startswith("not valid JSON")


# -- end to end ------------------------------------------------------------------------------


def test_a_file_of_apps_is_answered_once_each_into_results_in_the_json_shape(
    tmp_path: Path,
) -> None:
    apps = tmp_path / "apps.txt"
    apps.write_text("Facebook\nWebster Bank\nfacebook\nNo Such App Anywhere\n" + "y" * 200 + "\n")
    out = tmp_path / "results.jsonl"
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = batch(tmp_path, router, appstore, str(apps), "--out", str(out))
        model_calls = len(router.completion_calls())
        env = {"APPSTORE_BASE_URL": appstore.base_url}
        console = run_bot("/scout Facebook\n", tmp_path, "--json", **env)
    assert result.returncode == 0, result.stderr
    saved = records(out)
    assert [record["input"] for record in saved] == sorted(
        ["Facebook", "Webster Bank", "No Such App Anywhere"],
        key=[r["input"] for r in saved].index,
    )
    assert model_calls == 2  # the repeat asked once, the unknown app never reaches the model
    by_input = {record["input"]: record for record in saved}
    facebook = by_input["Facebook"]
    # The console's --json shape, with the input line first.
    shape = json.loads(console.stdout.splitlines()[0])
    assert list(facebook)[:2] == ["input", "key"] and set(facebook) - {"input", "key"} == set(
        shape
    )
    assert facebook["source"] == "ai" and facebook["app"]["track_id"] == FACEBOOK
    assert "- History and widgets" in facebook["text"]
    unknown = by_input["No Such App Anywhere"]
    assert unknown["kind"] == "error" and "No Such App Anywhere" in unknown["text"]
    # Bad lines on stderr, the summary (ranked by clone score) on stdout.
    assert 'line 5 ("yyyy' in result.stderr and "skipped: That app name is too long" in (
        result.stderr
    )
    scores = [int(line.split()[1]) for line in ranked(result.stdout)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2
    assert "Trend Scout batch: 3 apps (1 repeated lines asked once)" in result.stdout
    assert "not answered: 1" in result.stdout and "bad lines skipped: 1" in result.stdout
    assert out.stat().st_mode & 0o777 == 0o600


def test_standard_input_csv_without_out_prints_json_lines(tmp_path: Path) -> None:
    stdin = "name,category,rating_avg,total\nFacebook,,,\nMy Scraped App,Utilities,2.1,40\n"
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = batch(tmp_path, router, appstore, "-", stdin=stdin)
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert {record["input"] for record in printed} == {"Facebook", "My Scraped App"}
    scraped = next(record for record in printed if record["input"] == "My Scraped App")
    # Not in the App Store: the seed's record gives the facts for rule-based advice.
    assert scraped["source"] == "fallback" and scraped["app"]["rating"] == 2.1
    assert "Not found in the App Store: advice from the record given" in scraped["notes"]
    assert "Ranked by clone score" in result.stderr  # stdout is the records'


def test_an_interrupted_batch_resumes_without_asking_anything_twice(tmp_path: Path) -> None:
    names = ["Facebook", "Webster Bank", "App Three", "App Four", "App Five"]
    apps = tmp_path / "apps.txt"
    apps.write_text("\n".join(names) + "\n")
    out = tmp_path / "results.jsonl"
    env = {"HUGGING_FACE_API_KEY": DEFAULT_KEY, "DATA_DIR": str(tmp_path / "data")}
    with FakeRouter() as router, FakeAppStore() as appstore:
        appstore.any_app = True
        router.enqueue(Reply(), Reply(), Reply(hang=True))  # the third answer never comes
        command = [PYTHON, "-m", "bot", "batch", str(apps), "--out", str(out)]
        process = subprocess.Popen(
            [*command, "--concurrency", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=clean_env(AI_BASE_URL=router.url, APPSTORE_BASE_URL=appstore.base_url, **env),
        )
        try:
            wait_until(lambda: out.exists() and out.read_text().count("\n") == 2, 30, "2 records")
            wait_until(lambda: len(router.completion_calls()) == 3, 30, "the third question")
            process.send_signal(signal.SIGINT)  # Ctrl-C
            stdout, _stderr = process.communicate(timeout=30)
        finally:
            process.kill()
        assert process.returncode == 130
        assert "interrupted: 3 not asked yet; run again with --out" in stdout
        first = records(out)
        assert [record["input"] for record in first] == names[:2]

        asked_before = len(router.completion_calls())
        again = batch(tmp_path, router, appstore, str(apps), "--out", str(out))
        asked_again = [
            call.body["messages"][-1]["content"]
            for call in router.completion_calls()[asked_before:]
        ]
    assert again.returncode == 0, again.stderr
    assert len(asked_again) == 3  # only the three not in the file
    for name in names[2:]:  # each of the rest once; the two answered before never again
        assert sum(name in content for content in asked_again) == 1
    assert not any("Webster Bank" in content for content in asked_again)
    everything = records(out)
    assert sorted(record["input"] for record in everything) == sorted(names)
    assert "already in" in again.stdout and ": 2 (not asked again)" in again.stdout
    assert len(ranked(again.stdout)) == 5  # the summary ranks the whole file, both runs


def test_a_record_cut_by_a_kill_is_dropped_and_asked_again_csv_too(tmp_path: Path) -> None:
    apps = tmp_path / "apps.txt"
    apps.write_text("Facebook\nWebster Bank\n")
    out = tmp_path / "results.csv"
    with FakeRouter() as router, FakeAppStore() as appstore:
        first = batch(tmp_path, router, appstore, str(apps), "--out", str(out))
        assert first.returncode == 0, first.stderr
        rows = out.read_text().splitlines(keepends=True)
        assert rows[0].startswith("input,key,kind,subject,text,source,app,")
        out.write_text("".join(rows[:2]) + rows[2][:30])  # the second record half written
        again = batch(tmp_path, router, appstore, str(apps), "--out", str(out))
        calls = len(router.completion_calls())
    assert again.returncode == 0, again.stderr
    assert calls == 3  # both once, then only the cut one again
    saved = ResultFile(out)
    saved.open()
    saved.close()
    assert sorted(line.given for line in saved.done.values()) == ["Facebook", "Webster Bank"]


def test_progress_shows_a_bar_on_a_terminal_and_log_lines_otherwise(tmp_path: Path) -> None:
    apps = tmp_path / "apps.txt"
    apps.write_text("Facebook\nWebster Bank\n")
    with FakeRouter() as router, FakeAppStore() as appstore:
        bar = batch(tmp_path, router, appstore, str(apps), "--progress", "bar")
        logged = batch(tmp_path, router, appstore, str(apps), "--progress", "log")
    assert "2/2" in bar.stderr and "100%" in bar.stderr
    assert "INFO bot.batch batch: 2/2 done (0 failed)" in logged.stderr
    assert "100%" not in logged.stderr


def test_log_progress_is_periodic_by_the_clock() -> None:
    clock = ManualClock()
    stream = io.StringIO()
    progress = BatchProgress(100, bar=False, stream=stream, interval=10, clock=clock)
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("bot.batch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for second in range(30):
            clock.now = 1000.0 + second
            progress.step(ok=second != 7)
        progress.close()
    finally:
        logger.removeHandler(handler)
    assert seen == [
        "batch: 11/100 done (1 failed), 1.1 apps/s, about 81 s left",  # 10 s after the start
        "batch: 21/100 done (1 failed), 1.1 apps/s, about 75 s left",  # 10 s later
        "batch: 30/100 done (1 failed), 1.0 apps/s, about 68 s left",  # the end
    ]


def test_a_file_that_cannot_be_read_and_bad_options_are_one_line(tmp_path: Path) -> None:
    missing = run_bot("", tmp_path, "batch", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("trend-scout batch: cannot read")
    assert "Traceback" not in missing.stderr
    binary = tmp_path / "apps.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "is not UTF-8 text" in run_bot("", tmp_path, "batch", str(binary)).stderr
    bad = run_bot("", tmp_path, "batch", "x", "--concurrency", "0")
    assert bad.returncode == 2 and "a whole number from 1 to 64" in bad.stderr
    store = run_bot("", tmp_path, "batch", "x", "--country", "zz")
    assert store.returncode == 2 and "a two-letter App Store country" in store.stderr


@pytest.mark.parametrize("name", ["\x1b]8;;https://evil.example\x07Calc\x1b]8;;\x07", "@everyone"])
def test_hostile_names_stay_data_in_the_summary(tmp_path: Path, name: str) -> None:
    apps = tmp_path / "apps.txt"
    apps.write_text(name + "\n")
    with FakeRouter() as router, FakeAppStore() as appstore:
        appstore.any_app = True
        result = batch(tmp_path, router, appstore, str(apps), "--out", str(tmp_path / "r.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
