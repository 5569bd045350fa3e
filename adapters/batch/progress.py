"""How far a batch has got: a tqdm bar on a terminal, otherwise a one-line log record every
`interval` seconds (and at the end), so a batch run by cron or a CI job shows it is moving."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger("bot.batch")

LOG_INTERVAL = 10.0  # seconds between progress lines in logs


class BatchProgress:
    def __init__(
        self,
        total: int,
        *,
        bar: bool,
        stream: TextIO,
        interval: float = LOG_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.answered = 0
        self.failed = 0
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._last_line = self._started
        self._bar = None
        if bar:
            from tqdm import tqdm  # only a terminal draws one

            self._bar = tqdm(total=total, file=stream, unit="app", dynamic_ncols=True)

    def step(self, ok: bool) -> None:
        """One more app finished (`ok`: answered, not an error)."""
        self.answered += ok
        self.failed += not ok
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(f"{self.failed} failed" if self.failed else "", False)
        elif self._clock() - self._last_line >= self._interval:
            self._log()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        else:
            self._log()

    @property
    def done(self) -> int:
        return self.answered + self.failed

    def _log(self) -> None:
        self._last_line = now = self._clock()
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = f", about {left / rate:.0f} s left" if rate and left else ""
        log.info(
            "batch: %d/%d done (%d failed), %.1f apps/s%s",
            self.done,
            self.total,
            self.failed,
            rate,
            eta,
        )
