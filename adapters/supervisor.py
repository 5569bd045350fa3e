"""Running adapters: the chosen platforms in one asyncio loop, sharing one service and one
conversation path, until SIGTERM or SIGINT (or an adapter finishes on its own, as the console does
at end of input); then no new work is taken and in-flight replies get the shutdown grace
(SHUTDOWN_GRACE_SECONDS, 25 s: Heroku kills 30 s after SIGTERM). Model calls still running near
its end are cut off, so that each of those commands still posts its one labelled reply. An
adapter with a web app is served on $PORT beside `GET /healthz`; an adapter that mounts routes on
the port (/mcp) is served on that app, or on a port of its own with /healthz when no adapter
brings one.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from aiohttp import web

from adapters.port import Adapter, StartupError
from adapters.recovery import JournalKeeper
from adapters.web import WebServer
from bot.database import CommandJournal
from bot.service import RecommendationService
from bot.watch import WatchScheduler

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25
# Of the grace, what posting the replies may take after model calls are cut off.
DELIVERY_SECONDS = 5.0


class HealthCheck:
    """`GET /healthz`: 200 when every adapter is connected, else 503; the JSON says which."""

    def __init__(self, service: RecommendationService, adapters: list[Adapter]) -> None:
        self._service = service
        self._adapters = adapters
        self._started = time.monotonic()
        self.stopping = False

    async def handle(self, _request: web.Request) -> web.Response:
        connections: dict[str, bool] = {}
        for adapter in self._adapters:
            connections.update(await adapter.health())
        healthy = all(connections.values()) and not self.stopping
        body = {
            "status": "stopping" if self.stopping else "ok" if healthy else "degraded",
            "adapters": {
                name: "connected" if up else "disconnected" for name, up in connections.items()
            },
            **self._service.health(),
            "in_flight": sum(len(adapter.in_flight) for adapter in self._adapters),
            "uptime_seconds": round(time.monotonic() - self._started),
        }
        return web.json_response(body, status=200 if healthy else 503)


@runtime_checkable
class PortMount(Protocol):
    """An adapter that serves routes on the process's public port, whoever's app it is."""

    def mount(self, app: web.Application) -> None: ...


async def _serve_port(
    app: web.Application, port: int, health: HealthCheck, mounts: list[PortMount]
) -> WebServer:
    for mount in mounts:
        mount.mount(app)
    app.router.add_get("/healthz", health.handle)
    return await WebServer.start(app, port)


class Background:
    """Named background loops, each stopped by its own event (then cancelled if it lingers)."""

    def __init__(self) -> None:
        self._tasks: dict[str, tuple[asyncio.Event, asyncio.Task[None]]] = {}

    def start(self, name: str, loop: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        stop = asyncio.Event()
        self._tasks[name] = (stop, asyncio.ensure_future(loop(stop)))

    async def stop(self, name: str, patience: float = 2.0) -> None:
        if name not in self._tasks:
            return
        stop, task = self._tasks.pop(name)
        stop.set()
        done, _pending = await asyncio.wait({task}, timeout=patience)
        if not done:
            task.cancel()
            await asyncio.wait({task})


async def serve(
    service: RecommendationService,
    adapters: list[Adapter],
    port: int,
    details: str = "",
    grace: float = SHUTDOWN_GRACE_SECONDS,
    scheduler: WatchScheduler | None = None,
    journal: CommandJournal | None = None,
) -> int:
    """Run until a signal or an adapter finishes; 0 on a clean stop, 1 when one could not
    start. `details` ends the start-up line (models, cache, store). With a `scheduler`, trend
    watch checks and digests run in the background and post through the adapters; with a
    `journal`, commands left by a worker that died are answered here."""
    stop = asyncio.Event()
    background = Background()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    started: list[Adapter] = []
    health = HealthCheck(service, started)
    http: WebServer | None = None
    mounts = [adapter for adapter in adapters if isinstance(adapter, PortMount)]
    try:
        descriptions = []
        for adapter in adapters:
            started.append(adapter)
            descriptions.append(await adapter.start())
            if (app := adapter.web_app()) is not None:
                http = await _serve_port(app, port, health, mounts)
        if http is None and mounts:  # no adapter brings a web app: the port is the mounts'
            http = await _serve_port(web.Application(), port, health, mounts)
        log.info("Trend Scout on %s; %s", ", ".join(descriptions), details)
        if journal is not None:
            background.start("journal", JournalKeeper(journal, started).run)
        if scheduler is not None:
            for adapter in started:
                if (poster := adapter.channel_poster()) is not None:
                    scheduler.register(adapter.platform, poster)
            background.start("watch", scheduler.run)
        waiters = [asyncio.ensure_future(stop.wait())]
        waiters += [asyncio.ensure_future(adapter.finished.wait()) for adapter in adapters]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        in_flight = set().union(*(adapter.in_flight for adapter in started))
        log.info("stopping: no new commands; finishing %d in flight", len(in_flight))
        return 0
    except StartupError as exc:
        log.error("%s", exc)
        return 1
    finally:
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signal_number)
        health.stopping = True
        if http is not None:
            await http.aclose()
        for adapter in started:
            await adapter.stop_accepting()
        await background.stop("watch")  # a check cut short is safe: it is run again
        in_flight = set().union(*(adapter.in_flight for adapter in started))
        if in_flight:
            service.wind_down(max(0.0, grace - min(DELIVERY_SECONDS, grace * 0.4)))
            await asyncio.wait(in_flight, timeout=grace)
        await background.stop("journal")
        for adapter in started:
            await adapter.close()
        log.info(
            "stopped: %d in flight finished, %d unfinished",
            sum(task.done() for task in in_flight),
            sum(not task.done() for task in in_flight),
        )
