"""`GET /healthz`: adapters connected, circuit-breaker state and cache backend; 503 when not ok."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adapters.port import Adapter
from adapters.supervisor import HealthCheck
from bot.runtime import CircuitBreaker
from tests.conftest import ServiceFactory, conversation_for


class StubAdapter(Adapter):
    """An adapter whose connections are what the test says."""

    def __init__(self, service: Any, connections: dict[str, bool]) -> None:
        super().__init__(conversation_for(service))
        self.connections = connections

    async def start(self) -> str:
        return "stub"

    async def close(self) -> None:
        return None

    async def health(self) -> dict[str, bool]:
        return self.connections


async def check(health: HealthCheck) -> tuple[int, dict[str, Any]]:
    response = await health.handle(None)  # type: ignore[arg-type]
    assert response.text is not None
    return response.status, json.loads(response.text)


async def test_all_connected_is_ok(make_service: ServiceFactory) -> None:
    service = make_service()
    status, body = await check(
        HealthCheck(
            service,
            [
                StubAdapter(service, {"slack_http": True, "slack_socket_mode": True}),
                StubAdapter(service, {"discord": True}),
            ],
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
    busy = StubAdapter(service, {"slack_http": True, "discord": False})
    busy.in_flight.add(asyncio.ensure_future(asyncio.sleep(0)))
    status, body = await check(HealthCheck(service, [busy]))
    assert status == 503
    assert body["status"] == "degraded"
    assert body["adapters"]["discord"] == "disconnected"
    assert body["model_circuit"] == "open"
    assert body["in_flight"] == 1
    await asyncio.gather(*busy.in_flight)


async def test_a_stopping_worker_reports_it(make_service: ServiceFactory) -> None:
    service = make_service()
    health = HealthCheck(service, [StubAdapter(service, {"slack_http": True})])
    health.stopping = True
    status, body = await check(health)
    assert (status, body["status"]) == (503, "stopping")
