"""Bad settings and unusable resources at start-up, through a real `python -m bot`: each stops
the process with exactly one line and a non-zero status (2: a setting is wrong; 1: a database
or platform cannot be used), never a traceback and never a secret."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import free_port, run_bot

SECRET = "pw-never-shown-7731"
SLACK_TOKEN = "xoxb-never-shown-7731"
QUIET = {"HUGGING_FACE_API_KEY": "hf-test"}  # no fallback-mode warning: the line is alone


def only_line(result: subprocess.CompletedProcess[str], stream: str) -> str:
    """The one line the process wrote, on `stream` (the other stays empty); no traceback."""
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    assert SECRET not in everything and SLACK_TOKEN not in everything
    written = getattr(result, stream)
    assert written.count("\n") == 1 and written.endswith("\n"), everything
    assert getattr(result, "stderr" if stream == "stdout" else "stdout") == ""
    return written.rstrip("\n")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgres://", "is not a PostgreSQL URL"),
        ("postgres://user@/", "is not a PostgreSQL URL"),
        ("mysql://x", "is not a PostgreSQL URL"),
        (f"postgres://u:{SECRET}@h:99999/db", "has port 99999, out of range; allowed 1–65,535"),
        (f"postgres://u:{SECRET}@h:0/db", "has port 0, out of range"),
        (f"postgres://u:{SECRET}@h:abc/db", "is not a PostgreSQL URL"),
        (f"postgres://u:{SECRET}@[::1/db", "is not a PostgreSQL URL"),
    ],
)
def test_a_malformed_database_url_is_a_configuration_error(
    tmp_path: Path, url: str, why: str
) -> None:
    result = run_bot("help\n", tmp_path, DATABASE_URL=url, **QUIET)
    assert result.returncode == 2
    line = only_line(result, "stderr")
    assert line.startswith("trend-scout: configuration error: DATABASE_URL=(hidden) ")
    assert why in line


def test_a_data_dir_that_is_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file")
    result = run_bot("help\n", tmp_path, DATA_DIR=str(taken), **QUIET)
    assert result.returncode == 2
    assert only_line(result, "stderr") == (
        f"trend-scout: configuration error: DATA_DIR={str(taken)!r} is not a folder (it is a "
        "file); allowed a folder, created if missing"
    )

    # Under a file it can never be a folder, whoever runs the bot (root included).
    under = taken / "data" / "scout"
    result = run_bot("help\n", tmp_path, DATA_DIR=str(under), **QUIET)
    assert result.returncode == 2
    assert only_line(result, "stderr") == (
        f"trend-scout: configuration error: DATA_DIR={str(under)!r} is not a folder "
        f"({str(taken)!r} is a file); allowed a folder, created if missing"
    )
    assert taken.read_text() == "a file"


def test_a_data_dir_the_system_refuses_stops_start_up_with_one_line(tmp_path: Path) -> None:
    # A folder name longer than any file system allows: a valid setting that cannot be made.
    refused = tmp_path / ("x" * 300) / "data"
    result = run_bot("help\n", tmp_path, DATA_DIR=str(refused), **QUIET)
    assert result.returncode == 1
    line = only_line(result, "stderr")
    assert " ERROR bot the database (SQLite, at " in line
    assert line.endswith(", from DATA_DIR) cannot be used: OSError (File name too long)")


def test_a_data_dir_whose_database_cannot_be_opened_stops_start_up_with_one_line(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "trend-scout.sqlite3").mkdir(parents=True)  # a folder where the file should be
    result = run_bot("help\n", tmp_path, DATA_DIR=str(data), **QUIET)
    assert result.returncode == 1
    line = only_line(result, "stderr")
    assert line.endswith(
        f"ERROR bot the database (SQLite {data / 'trend-scout.sqlite3'}, from DATA_DIR) cannot "
        "be used: OperationalError"
    )


def test_an_unreachable_database_server_stops_start_up_with_one_line(tmp_path: Path) -> None:
    url = f"postgres://scout:{SECRET}@127.0.0.1:{free_port()}/scout"
    result = run_bot("help\n", tmp_path, DATABASE_URL=url, **QUIET)
    assert result.returncode == 1
    line = only_line(result, "stderr")
    assert "ERROR bot the database (PostgreSQL at 127.0.0.1:" in line
    assert line.endswith("/scout, from DATABASE_URL) cannot be used: ConnectionRefusedError")


SLACK = {
    "SLACK_BOT_TOKEN": SLACK_TOKEN,
    "SLACK_APP_TOKEN": "xapp-never-shown-7731",
}


@pytest.mark.parametrize(
    ("platform", "line"),
    [
        ("slack", "ERROR adapters.supervisor Slack could not be reached (ClientConnectorError)"),
        (
            "discord",
            "ERROR adapters.supervisor Discord could not be reached (ClientConnectorError)",
        ),
    ],
)
def test_an_unreachable_platform_api_stops_the_worker_with_one_line(
    tmp_path: Path, platform: str, line: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    env = (
        {**SLACK, "SLACK_API_URL": closed}
        if platform == "slack"
        else {"DISCORD_BOT_TOKEN": "never-shown-7731", "DISCORD_API_URL": closed}
    )
    # Workers log to stdout. At LOG_LEVEL=ERROR the one line is all there is.
    quiet = run_bot("", tmp_path, "worker", LOG_LEVEL="ERROR", **env, **QUIET)
    assert quiet.returncode == 1
    assert only_line(quiet, "stdout").endswith(line)

    # At the usual level the start-up's other lines come too, but one error, no traceback.
    usual = run_bot("", tmp_path, "worker", **env, **QUIET)
    assert usual.returncode == 1
    assert "Traceback" not in usual.stdout + usual.stderr
    assert SLACK_TOKEN not in usual.stdout + usual.stderr
    errors = [text for text in usual.stdout.splitlines() if " ERROR " in text]
    assert len(errors) == 1 and errors[0].endswith(line)
