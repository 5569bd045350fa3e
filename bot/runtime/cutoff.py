"""A moment after which waiting stops — unset while the process runs, set once when it stops.

Work wraps its waits in `Cutoff.bound(margin)`; setting the cut-off pulls every such wait in to
that moment (plus its margin), and bounds the waits that start later too. A wait cut off raises
`TimeoutError` in the code that waited, which then ends its work in a labelled way instead of
being killed with the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Cutoff:
    def __init__(self) -> None:
        self._at: float | None = None  # event-loop time
        self._waits: set[tuple[asyncio.Timeout, float]] = set()

    @property
    def is_set(self) -> bool:
        return self._at is not None

    def set(self, within: float) -> None:
        """Cut off every wait `within` seconds from now (plus the wait's own margin)."""
        self._at = asyncio.get_running_loop().time() + max(0.0, within)
        for timeout, margin in list(self._waits):
            self._pull_in(timeout, margin)

    @asynccontextmanager
    async def bound(self, margin: float = 0.0) -> AsyncIterator[None]:
        """Run the block until the cut-off (plus `margin`); `TimeoutError` if it is reached."""
        async with asyncio.timeout(None) as timeout:
            entry = (timeout, margin)
            self._pull_in(timeout, margin)
            self._waits.add(entry)
            try:
                yield
            finally:
                self._waits.discard(entry)

    def _pull_in(self, timeout: asyncio.Timeout, margin: float) -> None:
        if self._at is None:
            return
        when = self._at + margin
        current = timeout.when()
        if current is None or current > when:
            timeout.reschedule(when)
