"""A real HTTP(S) server on 127.0.0.1 that misbehaves on purpose, for the poller's tests.

Raw asyncio streams rather than an HTTP framework, because the point is to send what a
framework would refuse to: garbage status lines, bodies that stop half-way, bytes one at a
time, 20 MB nobody asked for. Routes (query strings are ignored for routing):

    /ok                 200, a JSON document (``server.doc``)
    /json               200, ``server.doc`` (mutable)
    /metrics            200, ``server.metrics_text`` (mutable, Prometheus text format)
    /status/<code>      that status, a short text body
    /slow/<ms>          200 JSON after <ms> milliseconds
    /count/<ms>         like /slow, recording requests in flight per path (see ``stats``)
    /hang, /hang/...    reads the request, never answers
    /trickle            promises 100 kB, sends one byte every 50 ms
    /garbage            200 with an HTML body (not JSON)
    /invalid            answers something that is not HTTP at all
    /big                200 with a 20 MB body, written as fast as the client reads
    /close              promises 1000 bytes, sends 10, closes the connection
    anything in ``server.routes``: (status, content type, body)
    anything in ``server.big_routes``: 200 and that many bytes of a JSON array, like /big

Every request is recorded in ``stats.requests`` (method, path, headers, body), so tests can
check what a client sent (auth headers, posted JSON).

Keep-alive is supported, so connection reuse is observable (``stats.connections``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field

BIG_BODY_BYTES = 20 * 1024 * 1024
_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Stats:
    """What the server saw; tests assert on these."""

    connections: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)  # /count/* only, by path
    max_in_flight: Counter[str] = field(default_factory=Counter)  # by path
    total_in_flight: int = 0
    max_total_in_flight: int = 0
    big_bytes_sent: int = 0
    requests: list[Request] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    """One request as the server read it; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class HostileServer:
    """Start with ``await server.start()``; ``server.url("/ok")`` is where to point a check."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.ssl_context = ssl_context
        self.doc: object = {
            "status": "ok",
            "queue": {"depth": 7},
            "shards": [{"lag": 1.5}, {"lag": 2.5}],
            "healthy": True,
            "name": "api",
        }
        self.metrics_text = "# TYPE up gauge\nup 1\n"
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.big_routes: dict[str, int] = {}  # path -> body size
        self.stats = Stats()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = asyncio.Event()
        self.port = 0

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context else "http"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    async def start(self) -> HostileServer:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", 0, ssl=self.ssl_context, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        # Closing the transports ends every handler (EOF, or the closing event for /hang)
        # without cancelling tasks asyncio's stream machinery would then log as errors.
        self._closing.set()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def __aenter__(self) -> HostileServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ plumbing

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        self.stats.connections += 1
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await writer.wait_closed()
            self._writers.discard(writer)
            self._tasks.discard(task)

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = b""
        if int(headers.get("content-length", "0") or 0):
            body = await reader.readexactly(int(headers["content-length"]))
        path = target.split("?", 1)[0]
        self.stats.hits[path] += 1
        self.stats.requests.append(Request(method, path, headers, body))
        return await self._route(method, path, writer)

    @staticmethod
    def _head(status: int, ctype: str, length: int, close: bool = False) -> bytes:
        reason = _REASONS.get(status, "Whatever")
        conn = "close" if close else "keep-alive"
        return (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {length}\r\nConnection: {conn}\r\n\r\n"
        ).encode()

    async def _send(self, writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes):
        writer.write(self._head(status, ctype, len(body)) + body)
        await writer.drain()
        return True

    # ------------------------------------------------------------------ routes

    async def _route(self, method: str, path: str, writer: asyncio.StreamWriter) -> bool:
        body = b"" if method == "HEAD" else None
        if path in self.routes:
            status, ctype, payload = self.routes[path]
            return await self._send(writer, status, ctype, payload if body is None else body)
        if path in ("/ok", "/json"):
            return await self._send(writer, 200, "application/json", json.dumps(self.doc).encode())
        if path == "/metrics":
            return await self._send(writer, 200, "text/plain", self.metrics_text.encode())
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return await self._send(writer, code, "text/plain", f"status {code}\n".encode())
        if path.startswith("/slow/"):
            await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
            return await self._send(writer, 200, "application/json", b'{"status": "ok"}')
        if path.startswith("/count/"):
            return await self._counted(path, writer)
        if path in self.big_routes:
            return await self._big(writer, self.big_routes[path])
        if path == "/hang" or path.startswith("/hang/"):
            await self._closing.wait()
            return False
        if path == "/trickle":
            writer.write(self._head(200, "text/plain", 100_000))
            for _ in range(100_000):
                if self._closing.is_set():
                    break
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.05)
            return False
        if path == "/garbage":
            return await self._send(writer, 200, "text/html", b"<html><h1>Welcome</h1></html>")
        if path == "/invalid":
            writer.write(b"HELLO, THIS IS NOT HTTP\r\n\r\n\x00\x01\x02")
            await writer.drain()
            return False
        if path == "/big":
            return await self._big(writer)
        if path == "/close":
            writer.write(self._head(200, "application/json", 1000) + b'{"status":')
            await writer.drain()
            return False
        return await self._send(writer, 404, "text/plain", b"no such route\n")

    async def _counted(self, path: str, writer: asyncio.StreamWriter) -> bool:
        s = self.stats
        s.in_flight[path] += 1
        s.total_in_flight += 1
        s.max_in_flight[path] = max(s.max_in_flight[path], s.in_flight[path])
        s.max_total_in_flight = max(s.max_total_in_flight, s.total_in_flight)
        try:
            await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
        finally:
            s.in_flight[path] -= 1
            s.total_in_flight -= 1
        return await self._send(writer, 200, "application/json", b'{"status": "ok"}')

    async def _big(self, writer: asyncio.StreamWriter, size: int = BIG_BODY_BYTES) -> bool:
        writer.write(self._head(200, "application/json", size, close=True))
        chunk = b"[" + b"1," * 32767 + b"1"  # 64 KiB of a JSON array that never ends in time
        sent = 0
        while sent < size:
            part = chunk[: size - sent]
            writer.write(part)
            await writer.drain()  # back-pressure: we only send what the client reads
            sent += len(part)
            self.stats.big_bytes_sent = sent
        return False


def refusing_port() -> tuple[socket.socket, int]:
    """A loopback port that refuses connections: bound (so nobody else takes it), not listening.

    Keep the returned socket open for as long as the port must keep refusing.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]
