"""`GET /healthz`: adapters connected, circuit-breaker state and cache backend; 503 when not ok."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adapters.runtime import HealthCheck, Running
from bot.runtime.circuit_breaker import CircuitBreaker
from tests.conftest import ServiceFactory


def running(**adapters: bool) -> Running:
    async def health() -> dict[str, bool]:
        return adapters

    return Running("test", set(), health)


async def check(health: HealthCheck) -> tuple[int, dict[str, Any]]:
    response = await health.handle(None)  # type: ignore[arg-type]
    assert response.text is not None
    return response.status, json.loads(response.text)


async def test_all_connected_is_ok(make_service: ServiceFactory) -> None:
    service = make_service()
    status, body = await check(
        HealthCheck(
            service, [running(slack_http=True, slack_socket_mode=True), running(discord=True)]
        )
    )
    assert status == 200
    assert body["status"] == "ok"
    assert body["adapters"] == {
        "slack_http": "connected",
        "slack_socket_mode": "connected",
        "discord": "connected",
    }
    assert (body["model_circuit"], body["cache"], body["in_flight"]) == ("closed", "memory", 0)


async def test_a_lost_connection_or_an_open_circuit_shows(make_service: ServiceFactory) -> None:
    service = make_service(breaker=CircuitBreaker(failure_threshold=1))
    service.router.breaker.record_failure()
    busy = running(slack_http=True, discord=False)
    busy.in_flight.add(asyncio.ensure_future(asyncio.sleep(0)))
    status, body = await check(HealthCheck(service, [busy]))
    assert status == 503
    assert body["status"] == "degraded"
    assert body["adapters"]["discord"] == "disconnected"
    assert body["model_circuit"] == "open"
    assert body["in_flight"] == 1
    await asyncio.gather(*busy.in_flight)


async def test_a_stopping_worker_reports_it(make_service: ServiceFactory) -> None:
    health = HealthCheck(make_service(), [running(slack_http=True)])
    health.stopping = True
    status, body = await check(health)
    assert (status, body["status"]) == (503, "stopping")
