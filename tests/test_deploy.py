"""What a Procfile host runs: each Procfile command against the loopback fakes, the pins it
installs, and a restart (SIGTERM) in the middle of commands."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.slack.outbox import BROKE_OFF
from tests.deploy_harness import every_fake, procfile, procfile_process
from tests.fake_discord import BOT_ID as DISCORD_BOT_ID
from tests.fake_discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fake_router import DEFAULT_KEY
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, form_body, sign
from tests.helpers import (
    PYTHON,
    ROOT,
    bot_process,
    clean_env,
    free_port,
    health,
    stop_cleanly,
    wait_until,
)


def test_the_procfile_declares_a_web_and_a_worker_process() -> None:
    assert procfile() == {
        "web": ["python", "-m", "bot", "web"],
        "worker": ["python", "-m", "bot", "worker"],
    }


def test_procfile_web_serves_slack_http_and_health_on_port(tmp_path: Path) -> None:
    port = free_port()
    with (
        every_fake() as fakes,
        procfile_process("web", tmp_path, PORT=str(port), **fakes.env) as web,
    ):
        wait_until(lambda: health(port) is not None, what="/healthz on $PORT")
        response = health(port)
        assert response is not None and response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["adapters"] == {"slack_http": "connected"}
        assert (body["model_circuit"], body["cache"]) == ("closed", "memory")
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"x=1")
        assert unsigned.status_code == 401
        out = stop_cleanly(web, signal.SIGTERM)
        # The web process leaves the socket and the gateway to the worker.
        assert not fakes.slack.socket_connected.is_set()
        assert not fakes.discord.identified.is_set()
    assert f"Trend Scout on Slack as trend-scout (HTTP on port {port})" in out
    assert "Discord" not in out.split("Trend Scout on", 1)[1].splitlines()[0]


def test_procfile_worker_connects_socket_mode_and_discord(tmp_path: Path) -> None:
    with every_fake() as fakes, procfile_process("worker", tmp_path, **fakes.env) as worker:
        wait_until(fakes.slack.socket_connected.is_set, what="the Socket Mode connection")
        wait_until(fakes.discord.identified.is_set, what="the Discord IDENTIFY")
        fakes.slack.deliver("slash_commands", fakes.slack.slash_command("Facebook"))
        wait_until(lambda: fakes.slack.posted, what="the Slack reply")
        out = stop_cleanly(worker, signal.SIGTERM)
    summary = next(line for line in out.splitlines() if "Trend Scout on" in line)
    assert "Slack as trend-scout (Socket Mode)" in summary
    assert "Discord as Trend Scout" in summary
    assert "models openai/gpt-oss-120b" in summary and "cache memory" in summary
    assert "App Store us" in summary
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, DISCORD_TOKEN, DEFAULT_KEY):
        assert secret not in out


def test_one_process_runs_every_configured_platform(tmp_path: Path) -> None:
    """`python -m bot` with every credential: Socket Mode, HTTP on $PORT and Discord at once,
    and /healthz sees each of them connected."""
    port = free_port()
    everything = {
        "slack_socket_mode": "connected",
        "slack_http": "connected",
        "discord": "connected",
    }

    def adapters() -> Any:
        response = health(port)
        return response.json()["adapters"] if response is not None else None

    with every_fake() as fakes, bot_process(tmp_path, PORT=str(port), **fakes.env) as bot:
        wait_until(lambda: adapters() == everything, what="every adapter connected")
        out = stop_cleanly(bot, signal.SIGTERM)
    assert "Slack as trend-scout (Socket Mode and HTTP on port" in out and "Discord as" in out


def test_a_sigterm_during_commands_loses_no_reply(tmp_path: Path) -> None:
    """Heroku's restart: SIGTERM while the model is still answering a Slack and a Discord
    command. Both still get their one reply before the process exits 0: it says it stopped with
    both finished, none left unfinished by the grace."""
    with (
        every_fake(router_latency=3.0) as fakes,
        procfile_process("worker", tmp_path, **fakes.env) as worker,
    ):
        slack, discord_api = fakes.slack, fakes.discord
        wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
        worker.wait_for_output("Trend Scout on ")  # logged once Discord is READY
        slack.deliver("slash_commands", slack.slash_command("Facebook"))
        discord_api.dispatch(
            "MESSAGE_CREATE", discord_api.message(f"<@{DISCORD_BOT_ID}> build Facebook")
        )
        wait_until(lambda: len(fakes.router.completion_calls()) == 2, what="both model calls")
        # Both still in flight: at most the plan shows, no answer yet.
        assert not slack.posted
        assert all("Working…" in m.all_text() for m in discord_api.sent)
        out = stop_cleanly(worker, signal.SIGTERM)  # its 30 s only guard against a hang
    assert [p.where for p in slack.posted] == ["response_url"]
    assert "Facebook · Opportunity analysis" in slack.posted[0].all_text()
    assert len(discord_api.sent) == 1
    assert "Facebook · Build guide" in discord_api.sent[0].all_text()
    assert "Working…" not in discord_api.sent[0].all_text()  # the plan became the reply
    assert "finishing 2 in flight" in out and "Traceback" not in out
    assert "stopped: 2 in flight finished, 0 unfinished" in out


def test_a_sigterm_while_the_model_hangs_still_answers_every_command(tmp_path: Path) -> None:
    """The model hangs (AI_TIMEOUT is longer than the grace): on SIGTERM each accepted command —
    a Slack slash command, a Slack mention, a Discord mention and a Discord `/scout app` — is
    cut off in time to post its labelled rule-based advice, and the worker exits 0 saying that
    all four finished within the grace."""
    with (
        every_fake(router_latency=300.0) as fakes,
        procfile_process("worker", tmp_path, SHUTDOWN_GRACE_SECONDS="6", **fakes.env) as worker,
    ):
        slack, discord_api = fakes.slack, fakes.discord
        wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
        worker.wait_for_output("Trend Scout on ")
        slack.deliver("slash_commands", slack.slash_command("Facebook --fresh"))
        slack.deliver("events_api", slack.mention("build Facebook", "EvHang1"))
        discord_api.dispatch(
            "MESSAGE_CREATE", discord_api.message(f"<@{DISCORD_BOT_ID}> gaps utilities")
        )
        discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("app", name="Things"))
        wait_until(lambda: len(fakes.router.completion_calls()) == 4, what="four model calls")
        out = stop_cleanly(worker, signal.SIGTERM)  # its 30 s only guard against a hang
    restarting = "Trend Scout is restarting — showing rule-based advice"
    assert sorted(p.where for p in slack.posted) == ["chat.stopStream", "response_url"]
    assert all(restarting in p.all_text() for p in slack.posted)
    assert [m.streaming for m in slack.live.streams()] == [False]  # the plan's stream ended
    # Each reply's live message became its final state: the plan is gone, advice in its place.
    assert sorted(m.route for m in discord_api.sent) == ["channel", "original"]
    assert all(restarting in m.all_text() for m in discord_api.sent)
    assert all("Working…" not in m.all_text() for m in discord_api.sent)
    assert out.count("command answered") == 4 and "Traceback" not in out
    # None was still running when the grace ran out (the model's 300 s would have kept it).
    assert "stopped: 4 in flight finished, 0 unfinished" in out


def test_a_sigterm_while_answers_are_streaming_ends_every_reply_in_a_final_state(
    tmp_path: Path,
) -> None:
    """Heroku restarts the worker while four answers are being written on screen: a Slack
    stream, a Slack slash command's note, a Discord reply and a Discord `/scout` response. None
    is left showing "working": each ends as labelled advice, the shown text marked broken off."""
    with (
        every_fake() as fakes,
        procfile_process("worker", tmp_path, SHUTDOWN_GRACE_SECONDS="6", **fakes.env) as worker,
    ):
        slack, discord_api, router = fakes.slack, fakes.discord, fakes.router
        router.answer = "\n".join(f"- Idea {i}: " + "word " * 12 for i in range(40))
        router.tokens_per_second = 8  # a minute of writing: SIGTERM comes mid-stream
        wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
        worker.wait_for_output("Trend Scout on ")
        slack.deliver("events_api", slack.mention("Facebook", "EvStream1"))
        slash = slack.slash_command("build Facebook")
        slack.deliver("slash_commands", slash)
        discord_api.dispatch(
            "MESSAGE_CREATE", discord_api.message(f"<@{DISCORD_BOT_ID}> gaps utilities")
        )
        discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("app", name="Things"))

        def writing() -> bool:
            streams = slack.live.streams()
            note = slack.notes.get(slash["response_url"].rsplit("/", 1)[1], [])
            shown = [m for m in discord_api.sent if "Idea 0" in m.all_text()]
            return (
                bool(streams and "Idea 0" in streams[0].text)
                and any("Idea 0" in json.dumps(change) for change in note)
                and len(shown) == 2
            )

        wait_until(writing, within=20, what="text on every platform")
        out = stop_cleanly(worker, signal.SIGTERM)
    restarting = "Trend Scout is restarting — showing rule-based advice"
    [stream] = slack.live.streams()
    assert not stream.streaming and stream.text.endswith(BROKE_OFF)
    assert restarting in json.dumps(stream.blocks, ensure_ascii=False)
    [answer] = [p for p in slack.posted if p.where == "response_url"]
    assert restarting in answer.all_text()
    assert slack.notes[slash["response_url"].rsplit("/", 1)[1]][-1] == {"deleted": True}
    assert len(discord_api.sent) == 2
    for message in discord_api.sent:
        assert "Working…" not in message.all_text()
        assert restarting in message.all_text()
    assert out.count("command answered") == 4 and "Traceback" not in out


def test_a_sigterm_while_the_model_hangs_answers_every_http_command(tmp_path: Path) -> None:
    """The same over Slack's HTTP endpoint: three `/scout Facebook --fresh`, then SIGTERM."""
    port = free_port()
    with (
        every_fake(router_latency=300.0) as fakes,
        procfile_process(
            "web", tmp_path, PORT=str(port), SHUTDOWN_GRACE_SECONDS="6", **fakes.env
        ) as web,
    ):
        wait_until(lambda: health(port) is not None, what="/healthz on $PORT")
        with httpx.Client() as client:
            for user in ("U1", "U2", "U3"):
                body = form_body(fakes.slack.slash_command("Facebook --fresh", user=user))
                headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
                acked = client.post(
                    f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers
                )
                assert acked.status_code == 200
        # Identical commands in flight share one model call.
        wait_until(lambda: len(fakes.router.completion_calls()) == 1, what="the model call")
        out = stop_cleanly(web, signal.SIGTERM)
    assert [p.where for p in fakes.slack.posted] == ["response_url"] * 3
    assert all(
        "Trend Scout is restarting — showing rule-based advice" in p.all_text()
        and "Facebook" in p.all_text()
        for p in fakes.slack.posted
    )
    assert out.count("command answered") == 3


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["web"], "Slack HTTP mode (web) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
        (["worker"], "the worker needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN, or DISCORD_BOT_TOKEN"),
        (["--adapter", "discord"], "DISCORD_BOT_TOKEN is not set"),

        (
            ["--adapter", "slack-socket"],
            "Slack Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
        ),
        (["--adapter", "console,discord"], "DISCORD_BOT_TOKEN is not set"),
    ],
)
def test_a_process_type_without_its_credentials_is_one_line(
    tmp_path: Path, args: list[str], problem: str
) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(SLACK_BOT_TOKEN="xoxb-only"),
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"trend-scout: configuration error: {problem}"]


def test_a_malformed_redis_url_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "bot", "web"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(
            SLACK_BOT_TOKEN="xoxb-only",
            SLACK_SIGNING_SECRET="s" * 32,
            REDIS_URL="redis://:hunter2@cache:notaport/0",
        ),
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("trend-scout: configuration error: REDIS_URL=(hidden) is not a Redis")
    assert "hunter2" not in result.stderr + result.stdout


def test_requirements_pin_what_the_tests_run_against() -> None:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[_canonical(name)] = pinned
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
        assert _canonical(name) in pins, f"{name} is not in requirements.txt"
    for name, pinned in pins.items():
        assert version(name) == pinned, f"{name}: tests run {version(name)}, deploy pins {pinned}"


def test_the_python_pin_is_the_tested_python() -> None:
    pinned = (ROOT / ".python-version").read_text().strip()
    assert pinned == f"{sys.version_info.major}.{sys.version_info.minor}"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={pinned}"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
