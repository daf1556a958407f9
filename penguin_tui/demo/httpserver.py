"""A small asyncio HTTP/1.1 server for the demo platform, tests and benchmarks.

Only what a health endpoint needs: keep-alive, Content-Length bodies, one route callback.
No chunked requests, no TLS, no new dependencies. It is built to be boringly robust: every
read is bounded in size and time, a misbehaving client gets a 4xx and a closed connection,
and a failing route answers 500 instead of taking the connection (or the server) down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Response:
    """What a route returns: status, body and extra headers (Content-Length is added)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj: object, status: int = 200) -> Response:
        """A JSON response (compact encoding: these bodies are polled thousands of times)."""
        body = json.dumps(obj, separators=(",", ":")).encode()
        return cls(status, body, "application/json")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "") -> Response:
        """A text response, ``text/plain`` unless told otherwise."""
        return cls(status, text.encode(), content_type or "text/plain; charset=utf-8")


# (method, path, query, headers, body) -> Response. Header names are lower-case; the query is
# parsed into a dict (the last of repeated keys wins); the path is percent-decoded.
Handler = Callable[[str, str, dict[str, str], dict[str, str], bytes], Awaitable[Response]]


class _BadRequest(Exception):
    """A request we refuse; ``status`` is what the client is told before we hang up."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


class HTTPServer:
    """An HTTP/1.1 server on ``host`` (loopback by default), port 0 picks a free one.

    ``idle_timeout`` bounds both the wait for the next request on a kept-alive connection
    and the time a client may take to send one (so a slow-loris client cannot hold a slot
    forever). ``backlog`` is large because benchmarks open hundreds of connections at once.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 30.0,
        max_header_bytes: int = 16_384,
        max_body_bytes: int = 1_048_576,
        backlog: int = 1024,
        name: str = "demo",
    ) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self.max_header_bytes = max_header_bytes
        self.max_body_bytes = max_body_bytes
        self.backlog = backlog
        self.name = name
        self.requests = 0  # answered requests, for tests and benchmarks
        self.errors = 0  # requests whose route raised
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """``http://host:port`` once started."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and start accepting; ``port`` holds the bound port afterwards."""
        self._server = await asyncio.start_server(
            self._serve,
            self.host,
            self.port,
            backlog=self.backlog,
            limit=self.max_header_bytes,
            reuse_address=True,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting and drop every open connection (in-flight requests are cancelled)."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> HTTPServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the client went away or went quiet: nothing to tell anyone
        except asyncio.CancelledError:
            # Only stop() cancels these tasks. Ending quietly matters: asyncio's stream
            # protocol asks a finished handler task for its exception, and a cancelled one
            # would be logged as "Exception in callback" on every shutdown.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                async with asyncio.timeout(self.idle_timeout):
                    request = await self._read_request(reader)
            except _BadRequest as bad:
                await self._write(writer, "GET", Response.text(f"{bad}\n", bad.status), False)
                return
            if request is None:
                return  # clean EOF between requests
            method, target, headers, body, keep_alive = request
            response = await self._dispatch(method, target, headers, body)
            await self._write(writer, method, response, keep_alive)
            if not keep_alive:
                return

    async def _read_request(
        self, reader: asyncio.StreamReader
    ) -> tuple[str, str, dict[str, str], bytes, bool] | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if e.partial.strip():
                raise _BadRequest(400, "incomplete request") from None
            return None
        except asyncio.LimitOverrunError:
            raise _BadRequest(431, "request head too large") from None
        except ValueError:  # StreamReader reports an overrun past its limit this way too
            raise _BadRequest(431, "request head too large") from None
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise _BadRequest(400, "undecodable request") from None
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[0] not in _METHODS or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip() or line[0] in " \t":
                raise _BadRequest(400, "malformed header line")
            headers[name.lower()] = value.strip()
        if "transfer-encoding" in headers:
            raise _BadRequest(501, "chunked request bodies are not supported")
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit():
            raise _BadRequest(400, "bad Content-Length")
        length = int(length_text)
        if length > self.max_body_bytes:
            raise _BadRequest(413, "request body too large")
        body = await reader.readexactly(length) if length else b""
        connection = headers.get("connection", "").lower()
        # HTTP/1.1 keeps the connection unless told not to; HTTP/1.0 only when asked to.
        keep_alive = connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
        return method, target, headers, body, keep_alive

    async def _dispatch(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response:
        split = urlsplit(target)
        path = unquote(split.path) or "/"
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            response = await self.handler(method, path, query, headers, body)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.errors += 1
            log.exception("%s: route for %s %s failed", self.name, method, path)
            return Response.text("internal error\n", 500)
        self.requests += 1
        return response

    @staticmethod
    async def _write(
        writer: asyncio.StreamWriter, method: str, response: Response, keep_alive: bool
    ) -> None:
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = "Unknown"
        head = [
            f"HTTP/1.1 {response.status} {phrase}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            "Connection: keep-alive" if keep_alive else "Connection: close",
        ]
        head.extend(f"{k}: {v}" for k, v in response.headers.items())
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if method != "HEAD":
            data += response.body
        writer.write(data)
        await writer.drain()
