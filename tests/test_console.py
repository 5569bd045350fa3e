"""`python -m bot` as a user runs it: a subprocess fed on stdin (and once on a real pty)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.conftest import PYTHON, ROOT
from tests.fake_router import DEFAULT_KEY, FakeRouter

NOWHERE = "http://127.0.0.1:9/v1"  # the discard port: any request would fail loudly


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUGGING", "HF_", "AI_", "SLACK", "DISCORD", "LOG_", "APPSTORE"))
    }
    env.update({"PYTHONPATH": str(ROOT), "AI_BASE_URL": NOWHERE, **extra})
    return env


def run_bot(stdin: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no stray .env
        env=clean_env(**env),
        timeout=60,
    )


def test_no_key_no_network_gives_labelled_fallback(tmp_path: Path) -> None:
    result = run_bot("/scout Calculator Pro\n", tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert "Calculator Pro · opportunity analysis" in out
    assert "**Improvements**" in out
    assert "Rule-based advice (AI not used)" in out
    assert "No Hugging Face key is configured — showing rule-based advice" in out
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1
    assert "HUGGING_FACE_API_KEY is not set" in warnings[0]


def test_with_a_key_the_model_answers_and_the_repeat_comes_from_cache(tmp_path: Path) -> None:
    with FakeRouter() as router:
        result = run_bot(
            "/scout Calculator Pro\n/scout Calculator Pro\n",
            tmp_path,
            AI_BASE_URL=router.url,
            HUGGING_FACE_API_KEY=DEFAULT_KEY,
        )
        calls = router.completion_calls()
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("AI answer · gpt-oss-120b via fake-provider") == 1
    assert result.stdout.count("AI answer from cache · gpt-oss-120b") == 1
    assert result.stdout.count("- History and widgets") == 2
    assert len(calls) == 1
    assert result.stderr == ""


def test_json_prints_one_object_per_command(tmp_path: Path) -> None:
    with FakeRouter() as router:
        result = run_bot(
            "Calculator Pro\n\nhelp\ngaps\n",
            tmp_path,
            "--json",
            AI_BASE_URL=router.url,
            HF_TOKEN=DEFAULT_KEY,
        )
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies] == ["analysis", "help", "error"]
    for reply in replies:
        for key in [
            "kind",
            "subject",
            "source",
            "model",
            "text",
            "app",
            "clone_score",
            "notes",
            "latency_ms",
        ]:
            assert key in reply
    analysis = replies[0]
    assert analysis["source"] == "ai"
    assert analysis["model"] == "gpt-oss-120b"
    assert analysis["subject"] == "Calculator Pro"
    assert analysis["app"] is None and analysis["clone_score"] is None
    assert isinstance(analysis["latency_ms"], int)
    assert "Which category?" in replies[2]["text"]


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
        assert "Scouting Calculator Pro" in reply  # the progress line
        assert "opportunity analysis" in reply
        assert "Rule-based advice" in reply
        os.write(controller, b"\x04")  # Ctrl-D
        assert "Bye." in _read_until(controller, "Bye.")
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
