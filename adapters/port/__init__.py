"""The one small interface every platform implements (`Adapter`, `Outbox`), and the pacing of a
live reply that several platforms share."""

from adapters.port.adapter import Adapter, StartupError
from adapters.port.live import LiveReply, RateBudget, RateBudgets

__all__ = ["Adapter", "LiveReply", "RateBudget", "RateBudgets", "StartupError"]
