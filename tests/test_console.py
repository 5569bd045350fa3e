"""`python -m bot` as a user runs it: a subprocess fed on stdin (and once on a real pty)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.fake_appstore import FakeAppStore, Reply
from tests.fake_router import DEFAULT_KEY, FakeRouter
from tests.helpers import PYTHON, clean_env, run_bot


def test_no_key_no_network_gives_labelled_fallback(tmp_path: Path) -> None:
    result = run_bot("/scout Calculator Pro\n", tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert "Calculator Pro · opportunity analysis" in out
    assert "**Improvements**" in out
    assert "Rule-based advice" in out
    assert "No Hugging Face key is configured — showing rule-based advice" in out
    assert "App Store data unavailable" in out
    warnings = result.stderr.splitlines()
    assert sum("HUGGING_FACE_API_KEY is not set" in line for line in warnings) == 1
    assert "Traceback" not in result.stderr


def test_with_a_key_the_model_answers_and_the_repeat_comes_from_cache(tmp_path: Path) -> None:
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = run_bot(
            "/scout Facebook\n/scout facebook\n",
            tmp_path,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        )
        calls = router.completion_calls()
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Facebook · opportunity analysis") == 2
    assert result.stdout.count("Social Networking · 3.5★ from 2,840,784 ratings · Free") == 2
    assert result.stdout.count("── AI answer · gpt-oss-120b via fake-provider") == 1
    assert result.stdout.count("Cached AI answer · gpt-oss-120b") == 1
    assert result.stdout.count("- History and widgets") == 2
    assert len(calls) == 1
    assert result.stderr == ""


def test_terminal_escapes_and_hidden_links_in_the_answer_never_reach_the_terminal(
    tmp_path: Path,
) -> None:
    hostile = (
        "**Improvements**\n- Fast\x1b[2J\x1b[31m red\x1b]0;pwned\x07\x1b]8;;http://evil.example\x1b\\"
        "click\x1b]8;;\x1b\\ \x9b31m\x07\x08 done\n"
        "- [https://apps.apple.com/verify](http://evil.example/phish)"
    )
    with FakeRouter(answer=hostile) as router, FakeAppStore() as appstore:
        result = run_bot(
            "/scout Facebook\n",
            tmp_path,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "- Fast red" in out and "click  done" in out
    assert not any(ch in out for ch in "\x1b\x07\x08\x9b")
    assert "https://apps.apple.com/verify (http://evil.example/phish)" in out


def test_an_unknown_store_is_a_usage_reply_before_any_call(tmp_path: Path) -> None:
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = run_bot(
            "/scout Facebook --country=zz\n/scout https://apps.apple.com/zz/app/x/id284882215\n",
            tmp_path,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        )
        asked = (list(appstore.requests), router.completion_calls())
    assert result.returncode == 0
    assert result.stdout.count("`zz` is not an App Store country") == 2
    assert asked == ([], [])


def test_reviews_and_competitors_in_text_and_json(tmp_path: Path) -> None:
    with FakeAppStore() as appstore:
        text = run_bot("/scout Webster Bank\n", tmp_path, APPSTORE_BASE_URL=appstore.base_url)
        as_json = run_bot(
            "/scout Webster Bank\n", tmp_path, "--json", APPSTORE_BASE_URL=appstore.base_url
        )
    assert "What users say: 50 reviews read · 3.3★ recent vs 4.7★ overall" in text.stdout
    assert "Who else is there: Chase Mobile®: Bank & Invest 4.8★ (8,960,431) Free" in text.stdout
    assert "- 12 of 50 reviews read report log-in & accounts" in text.stdout  # the fallback
    [reply] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert reply["reviews"]["count"] == 50 and reply["reviews"]["stars"] == [11, 9, 3, 7, 20]
    assert reply["reviews"]["complaints"][0]["label"] == "crashes & bugs"
    assert [c["name"] for c in reply["competitors"]][:2] == [
        "Chase Mobile®: Bank & Invest",
        "Bank of America Mobile Banking",
    ]


def test_json_reports_app_store_facts_and_the_prompt_carries_them(tmp_path: Path) -> None:
    with FakeRouter() as router, FakeAppStore() as appstore:
        result = run_bot(
            "/scout Facebook\n\nhelp\ngaps\n",
            tmp_path,
            "--json",
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HF_TOKEN=DEFAULT_KEY,
        )
        [call] = router.completion_calls()
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies] == ["analysis", "help", "error"]
    for reply in replies:
        for key in ("kind", "subject", "source", "model", "text", "app", "clone_score"):
            assert key in reply
        assert "notes" in reply and "latency_ms" in reply
    analysis = replies[0]
    assert (analysis["source"], analysis["model"], analysis["subject"]) == (
        "ai",
        "gpt-oss-120b",
        "Facebook",
    )
    app = analysis["app"]
    assert app["category"] == "Social Networking"
    assert (app["rating"], app["rating_count"]) == (3.5, 2_840_784)
    assert app["current_version_rating"] == 1.5
    parts = analysis["clone_score"]["parts"]
    assert [p["name"] for p in parts] == [
        "demand",
        "dissatisfaction",
        "staleness",
        "build simplicity",
    ]
    assert 0 <= analysis["clone_score"]["total"] <= 100
    assert isinstance(analysis["latency_ms"], int)
    assert "Which category?" in replies[2]["text"]

    facts = json.loads(call.body["messages"][1]["content"].split("DATA:\n", 1)[1])["app"]
    assert facts["category"] == "Social Networking"
    assert (facts["rating"], facts["rating_count"]) == (3.5, 2_840_784)
    assert facts["current_version_rating"] == 1.5
    assert facts["clone_score"]["total"] == analysis["clone_score"]["total"]
    assert set(facts["clone_score"]["parts"]) == {
        "demand",
        "dissatisfaction",
        "staleness",
        "build simplicity",
    }


def test_gaps_lists_the_categorys_top_apps_with_ratings(tmp_path: Path) -> None:
    with FakeAppStore() as appstore:
        result = run_bot("/scout gaps utilities\n", tmp_path, APPSTORE_BASE_URL=appstore.base_url)
        feeds = appstore.calls("/us/rss/top")
        reviews = appstore.calls("/us/rss/customerreviews/")
    assert result.returncode == 0
    out = result.stdout
    assert "Utilities · market gaps" in out
    assert "1. WhatsApp Messenger — 4.0★ from 98,311 ratings" in out
    assert "2. 新三國志手機版-光榮正版授權 — rating unknown" in out
    assert {r.path for r in feeds} == {
        "/us/rss/topfreeapplications/limit=10/genre=6002/json",
        "/us/rss/topgrossingapplications/limit=10/genre=6002/json",
    }
    # The chart's top apps' reviews are read too (these two have none in the fake: not an
    # outage, so no "unavailable" note).
    assert {r.path.split("/")[5] for r in reviews} == {"id=310633997", "id=1289157855"}
    assert "reviews unavailable" not in out


def test_unknown_category_lists_the_valid_ones(tmp_path: Path) -> None:
    with FakeAppStore() as appstore:
        result = run_bot("/scout gaps nonsense\n", tmp_path, APPSTORE_BASE_URL=appstore.base_url)
        asked = list(appstore.requests)
    assert result.returncode == 0
    assert "“nonsense” is not an App Store category" in result.stdout
    for category in ("Utilities", "Health & Fitness", "Photo & Video", "Games", "Weather"):
        assert category in result.stdout
    assert asked == []


def test_a_throttling_app_store_still_gets_an_answer_marked_unavailable(tmp_path: Path) -> None:
    with FakeRouter() as router, FakeAppStore() as appstore:
        appstore.always(Reply(403, b"", content_type="text/html"))
        result = run_bot(
            "/scout Calculator Pro\n",
            tmp_path,
            AI_BASE_URL=router.url,
            APPSTORE_BASE_URL=appstore.base_url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
            AI_TIMEOUT="10",
        )
        asked_apple = [request.at for request in appstore.requests]
        asked_model = [request.at for request in router.completion_calls()]
    assert result.returncode == 0
    assert "AI answer · gpt-oss-120b" in result.stdout
    assert "App Store data unavailable" in result.stdout
    # The command's schedule as the fakes recorded it: one try and one retry, then on to the
    # model without facts, never back to Apple. Refused twice, the App Store is given up on,
    # and nothing queued for its rate limit: the command waits for no more than that one retry.
    assert len(asked_apple) == 2 and len(asked_model) == 1
    assert max(asked_apple) < asked_model[0]
    assert result.stderr.count("App Store unavailable") == 1
    assert "rate limit reached" not in result.stderr


def test_exit_stops_reading(tmp_path: Path) -> None:
    result = run_bot("help\nexit\nCalculator Pro\n", tmp_path)
    assert result.returncode == 0
    assert "How to use Trend Scout" in result.stdout
    assert "Calculator Pro · opportunity analysis" not in result.stdout


def test_console_argument_forces_the_console(tmp_path: Path) -> None:
    result = run_bot("Calculator Pro\n", tmp_path, "console", SLACK_BOT_TOKEN="xoxb-test")
    assert result.returncode == 0
    assert "opportunity analysis" in result.stdout


def test_bad_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_bot("", tmp_path, AI_TEMPERATURE="3")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "AI_TEMPERATURE" in lines[0] and "0–2" in lines[0]
    assert result.stdout == ""


def test_secrets_stay_out_of_every_output_even_when_debugging(tmp_path: Path) -> None:
    with FakeRouter(api_key="hf_rightkey") as router:
        result = run_bot(
            "Calculator Pro\n",
            tmp_path,
            AI_BASE_URL=router.url,
            HUGGING_FACE_API_KEY="hf_wrongSECRETkey",
            LOG_LEVEL="DEBUG",
        )
    assert result.returncode == 0
    assert "The Hugging Face key was rejected — showing rule-based advice" in result.stdout
    assert "SECRET" not in result.stdout + result.stderr


def _read_until(fd: int, marker: str, timeout: float = 20) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"never saw {marker!r}; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk.decode("utf-8", "replace")
    return seen


def test_interactive_chat_on_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [PYTHON, "-m", "bot"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=tmp_path,
        env=clean_env(),
        close_fds=True,
    )
    os.close(terminal)
    try:
        greeting = _read_until(controller, "scout> ")
        assert "Trend Scout" in greeting
        os.write(controller, b"Calculator Pro\n")
        reply = _read_until(controller, "scout> ")
        assert "Looking up “Calculator Pro” in the US App Store" in reply  # the status line
        assert "opportunity analysis" in reply
        assert "Rule-based advice" in reply
        os.write(controller, b"\x04")  # Ctrl-D
        assert "Bye." in _read_until(controller, "Bye.")
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_on_a_terminal_the_answer_is_printed_as_the_model_writes_it(tmp_path: Path) -> None:
    """The status line shows the steps, the answer appears while it streams (before the facts
    are printed), and nothing is printed twice."""
    with FakeRouter() as router, FakeAppStore() as appstore:
        router.first_token_delay = 0.3
        router.tokens_per_second = 40
        controller, terminal = pty.openpty()
        env = {
            "AI_BASE_URL": router.url,
            "APPSTORE_BASE_URL": appstore.base_url,
            "HUGGING_FACE_API_KEY": DEFAULT_KEY,
        }
        process = subprocess.Popen(
            [PYTHON, "-m", "bot"],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            cwd=tmp_path,
            env=clean_env(**env),
            close_fds=True,
        )
        os.close(terminal)
        try:
            _read_until(controller, "scout> ")
            os.write(controller, b"Facebook\n")
            # The first lines of the answer arrive while the model is still writing.
            early = _read_until(controller, "Faster input")
            assert "Reading customer reviews" in early or "Asking the AI model" in early
            assert "Social Networking · 3.5★" not in early  # the facts come after the answer
            rest = _read_until(controller, "scout> ")
            os.write(controller, b"exit\n")
            assert process.wait(20) == 0
        finally:
            if process.poll() is None:
                process.kill()
            os.close(controller)
    screen = early + rest
    assert screen.count("History and widgets") == 1  # streamed once, not printed again
    assert screen.index("4 weeks for one developer") < screen.index("Social Networking · 3.5★")
    assert "AI answer · gpt-oss-120b via fake-provider" in rest
