"""Loaded by the crash tests' worker processes (on their PYTHONPATH only): SIGKILL the process
the moment a command passes the accept pipeline step named by KILL_AT_STEP."""

import os
import signal

STEP = os.environ.get("KILL_AT_STEP")

if STEP:
    from bot.intake.pipeline import AcceptPipeline

    def _kill_at(name: str, turn: object) -> None:
        if name == STEP:
            os.kill(os.getpid(), signal.SIGKILL)

    AcceptPipeline._step = staticmethod(_kill_at)  # type: ignore[method-assign]
