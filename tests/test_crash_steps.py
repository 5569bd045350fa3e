"""A crash can never answer twice: a real worker is SIGKILLed the moment a Slack slash command
passes each step of the accept pipeline, and a second worker on the same database takes over.
Before the answer is marked as being posted, the second worker answers it (once); from then on
nobody posts it again — at most one answer, whatever the step."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.deploy_harness import every_fake, procfile_process
from tests.helpers import ROOT, wait_until
from tests.test_journal_recovery import journalled

KILL_HOOK = ROOT / "tests" / "kill_hook"
LEASE = "5"  # seconds: how soon a dead worker's commands are taken over

# step → (answers the user sees in the end, who settles the command)
EXPECTED = {
    "journalled": (1, "answered by the next worker"),  # before the acknowledgement
    "acknowledged": (1, "answered by the next worker"),
    "answered": (1, "answered by the next worker"),  # the model answered, nothing was posted
    "marked": (0, "not posted again"),  # marked as being posted, then killed: never twice
    "posted": (1, "not posted again"),  # posted, not yet cleared
    "cleared": (1, "nothing left"),
}


@pytest.mark.parametrize("step", list(EXPECTED))
def test_a_worker_killed_at_each_step_answers_at_most_once(tmp_path: Path, step: str) -> None:
    expected, settled_by = EXPECTED[step]
    data_dir = tmp_path / "data"
    with every_fake() as fakes:
        slack = fakes.slack
        env = {**fakes.env, "DATA_DIR": str(data_dir), "JOURNAL_LEASE_SECONDS": LEASE}
        dying = {**env, "KILL_AT_STEP": step, "PYTHONPATH": f"{ROOT}{os.pathsep}{KILL_HOOK}"}
        with procfile_process("worker", tmp_path, **dying) as first:
            wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
            first.wait_for_output("Trend Scout on ")
            slack.deliver("slash_commands", slack.slash_command("Facebook --fresh"))
            assert first.popen.wait(30) == -9  # killed at the step
        slack.socket_connected.clear()
        by_the_first = len(answers(slack.posted))
        assert by_the_first == (1 if step in ("posted", "cleared") else 0)
        out = ""
        if settled_by != "nothing left":
            with procfile_process("worker", tmp_path, **env) as second:
                wait_until(slack.socket_connected.is_set, what="the second connection")

                def settled() -> bool:
                    if journalled(None, data_dir):
                        return False
                    if settled_by == "not posted again":
                        return "not posted again" in "".join(second.lines)
                    return len(answers(slack.posted)) == expected

                wait_until(settled, within=40, what=f"the command {settled_by}")
                out = second.output()
    assert journalled(None, data_dir) == []
    assert len(answers(slack.posted)) == expected, out
    assert "Traceback" not in out


def answers(posted: list[Any]) -> list[Any]:
    return [p for p in posted if "Facebook · Opportunity analysis" in p.all_text()]
