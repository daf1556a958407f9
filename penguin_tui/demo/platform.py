"""The simulated PenguinMails platform, served on 127.0.0.1 (free ports).

Four HTTP services (api, smtp-relay, bounce-processor, webhook-dispatcher), each with a JSON
``/health``; the api also serves Prometheus ``/metrics`` and a JSON ``/stats``. Two TCP
listeners stand for postgres and redis: they accept and close, and during an episode they are
closed outright so a probe gets "connection refused". What each of them says is the scenario
at ``clock()``; inject a clock to put the platform at any instant.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from penguin_tui.demo import exposition
from penguin_tui.demo.httpserver import HTTPServer, Response
from penguin_tui.demo.scenario import DATABASES, SERVICES, Scenario

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class _TcpListener:
    """A listener that accepts and hangs up, and can be switched off and on on its port."""

    def __init__(self, name: str, host: str) -> None:
        self.name = name
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def up(self) -> bool:
        return self._server is not None

    async def open(self) -> None:
        # The first open picks a free port; later ones re-bind the same port (SO_REUSEADDR
        # lets that succeed while old connections sit in TIME_WAIT).
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, reuse_address=True, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    @staticmethod
    async def _accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


class DemoPlatform:
    """The demo platform. ``await start()``, read ``urls``, ``await stop()``.

    ``clock`` says what time it is on the platform (the scenario is a function of it);
    ``sleep`` is how a health endpoint waits out its simulated latency (tests inject one that
    returns at once). ``origin`` is when the live loop of episodes begins (default: the clock
    at construction), and the overnight episodes lie in the 12 hours before it.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        seed: int = 7,
        origin: float | None = None,
        scenario: Scenario | None = None,
        sleep: Sleep = asyncio.sleep,
        host: str = "127.0.0.1",
        sync_interval: float = 0.25,
    ) -> None:
        self.clock = clock
        self.scenario = scenario or Scenario(clock() if origin is None else origin, seed)
        self.sleep = sleep
        self.host = host
        self.sync_interval = sync_interval
        self._http = {
            name: HTTPServer(self._route_for(name), host=host, name=name) for name in SERVICES
        }
        self._tcp = {name: _TcpListener(name, host) for name in DATABASES}
        self._sync_task: asyncio.Task[None] | None = None
        self._sync_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind every service on a free port and start following the scenario."""
        try:
            for server in self._http.values():
                await server.start()
            for listener in self._tcp.values():
                await listener.open()  # bound once even if down now, so the port is known
            await self.sync()
        except BaseException:
            await self.stop()
            raise
        self._sync_task = asyncio.create_task(self._follow(), name="demo-platform-sync")

    async def stop(self) -> None:
        """Close every listener and connection."""
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
            self._sync_task = None
        for server in self._http.values():
            await server.stop()
        for listener in self._tcp.values():
            await listener.close()

    async def __aenter__(self) -> DemoPlatform:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def sync(self) -> None:
        """Open or close the database listeners as the scenario says for ``clock()`` now.

        A background task calls this every ``sync_interval`` seconds; tests that move the
        clock call it directly instead of waiting.
        """
        async with self._sync_lock:
            now = self.clock()
            for name, listener in self._tcp.items():
                want = self.scenario.tcp_up(name, now)
                if want and not listener.up:
                    try:
                        await listener.open()
                    except OSError as e:  # the port was taken meanwhile: try again next tick
                        log.warning("demo %s: cannot re-open port %s: %s", name, listener.port, e)
                elif not want and listener.up:
                    await listener.close()

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.sync_interval)
            try:
                await self.sync()
            except Exception:  # a hiccup must not stop the platform from following
                log.exception("demo platform: sync failed")

    # -- addresses -------------------------------------------------------------------------

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of every service: ``http://127.0.0.1:PORT`` or ``tcp://127.0.0.1:PORT``."""
        out = {name: server.url for name, server in self._http.items()}
        out.update({name: f"tcp://{self.host}:{lst.port}" for name, lst in self._tcp.items()})
        return out

    def health_url(self, service: str) -> str:
        """The ``/health`` URL of one of the four HTTP services."""
        return f"{self._http[service].url}/health"

    @property
    def metrics_url(self) -> str:
        """The api's Prometheus text-format endpoint."""
        return f"{self._http['api'].url}/metrics"

    @property
    def stats_url(self) -> str:
        """The api's JSON endpoint of derived figures."""
        return f"{self._http['api'].url}/stats"

    @property
    def requests_served(self) -> int:
        """HTTP requests answered so far, over all services."""
        return sum(server.requests for server in self._http.values())

    # -- routes ----------------------------------------------------------------------------

    def _route_for(
        self, service: str
    ) -> Callable[[str, str, dict[str, str], dict[str, str], bytes], Awaitable[Response]]:
        async def route(
            method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
        ) -> Response:
            if method not in ("GET", "HEAD"):
                response = Response.text("method not allowed\n", 405)
                response.headers["Allow"] = "GET, HEAD"
                return response
            if path == "/health":
                return await self._health(service)
            if service == "api" and path == "/metrics":
                text = exposition.render(self.scenario, self.clock())
                return Response.text(text, content_type=exposition.CONTENT_TYPE)
            if service == "api" and path == "/stats":
                return Response.json(self.scenario.stats(self.clock()))
            return Response.text("not found\n", 404)

        return route

    async def _health(self, service: str) -> Response:
        h = self.scenario.health(service, self.clock())
        await self.sleep(h.latency_ms / 1000.0)
        return Response(h.code, h.body(), "application/json")
