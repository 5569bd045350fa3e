"""How the bot runs: the shared HTTP transport, circuit breaker, single-flight, the request scope
of each command, logs with redaction, and the worker's stats."""

from bot.runtime.circuit_breaker import BreakerState, CircuitBreaker
from bot.runtime.cutoff import Cutoff
from bot.runtime.garbage_collection import tune_garbage_collection
from bot.runtime.log_throttle import LogThrottle
from bot.runtime.logs import configure_logging
from bot.runtime.redaction import MASK, Redactor
from bot.runtime.request_scope import (
    CONSOLE,
    Caller,
    RequestScope,
    begin_request,
    count_appstore_call,
    count_model_call,
    count_side_tokens,
)
from bot.runtime.single_flight import SingleFlight
from bot.runtime.stats import AnswerRecord, LatencyHistogram, ServiceStats
from bot.runtime.transport import USER_AGENT, AiohttpTransport, http_client

__all__ = [
    "CONSOLE",
    "MASK",
    "USER_AGENT",
    "AiohttpTransport",
    "AnswerRecord",
    "BreakerState",
    "Caller",
    "CircuitBreaker",
    "Cutoff",
    "LatencyHistogram",
    "LogThrottle",
    "Redactor",
    "RequestScope",
    "ServiceStats",
    "SingleFlight",
    "begin_request",
    "configure_logging",
    "count_appstore_call",
    "count_model_call",
    "count_side_tokens",
    "http_client",
    "tune_garbage_collection",
]
