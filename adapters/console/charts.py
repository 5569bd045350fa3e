"""The console's charts: PNG files under `DATA_DIR/charts` — the folder its user's alone (0700,
like the database's) and each file too (0600) — whose path is printed after the reply."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

from bot.charts import Chart, render_chart
from bot.config import ConfigError, load_settings, read_environment

CHARTS_FOLDER = "charts"


def default_charts_dir() -> Path:
    """`DATA_DIR/charts`, from the same settings as the rest of the bot (`data/charts` when
    they cannot be read: the bot would not have started)."""
    try:
        data_dir = load_settings(read_environment()).storage.data_dir
    except ConfigError:
        data_dir = Path("data")
    return data_dir / CHARTS_FOLDER


class ChartFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    async def write(self, chart: Chart) -> Path:
        """Draw `chart` (off the loop) and write it to a new file; its path. OSError when the
        folder or the file cannot be made."""
        png = await render_chart(chart)
        self._private_folder()
        stem = chart.filename.removesuffix(".png")
        while True:
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(self._numbers)}"
            path = self.folder / f"{stem}-{name}.png"
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "wb") as out:
                out.write(png)
            return path

    def _private_folder(self) -> None:
        """Make the folder and its missing parents 0o700 (whatever the umask); an existing
        folder is left as it is (DATA_DIR may be shared)."""
        missing = [step for step in (self.folder, *self.folder.parents) if not step.exists()]
        for step in reversed(missing):
            try:
                step.mkdir(mode=0o700)
            except FileExistsError:
                continue
            step.chmod(0o700)
        if not self.folder.is_dir():
            raise NotADirectoryError(f"not a folder: {self.folder}")
