"""The one small interface every platform implements (`Adapter`, `Outbox`), and the pacing of a
live reply that several platforms share."""

from adapters.port.adapter import Adapter, StartupError
from adapters.port.live import LOOP_CLOCK, Clock, LiveReply, RateBudget, RateBudgets

__all__ = [
    "LOOP_CLOCK",
    "Adapter",
    "Clock",
    "LiveReply",
    "RateBudget",
    "RateBudgets",
    "StartupError",
]
