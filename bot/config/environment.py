"""Where settings come from: the process environment laid over `.env`."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """The process environment laid over `.env`: the environment wins."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged
