"""A small HTTP/1.1 client for plain ``http://`` health checks, the recorder's hot path.

Why not httpx here: a health check is one request whose answer is judged and thrown away,
hundreds of times a minute, and httpx + httpcore + h11 spend ~2 ms of CPU on each (request
and response models, header normalisation, a pool that walks its connections). That alone
kept the daemon at ~2.9 % of a core for 200 targets at 15 s against a goal of 1 %
(docs/PERFORMANCE.md). This client does only what a health probe needs: one request, keep-alive
per origin, Content-Length / chunked / read-to-close bodies, a byte cap, nothing else.

Everything outside that — TLS, proxies, metrics sources, anything unusual in a response — stays
with httpx. Failures raise the same exception types httpx's would wrap (OSError subclasses,
TimeoutError) or ``LiteProtocolError``, so probes describe them in the same words.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from penguin_tui import __version__

KEEPALIVE_S = 90.0
MAX_IDLE_PER_ORIGIN = 2
MAX_HEADER_BYTES = 65_536
_NO_BODY_STATUS = frozenset({204, 304})


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


class LiteProtocolError(Exception):
    """The server's answer is not HTTP/1.x as we speak it; the message says how.

    ``status`` is set when the head was fine and the body broke off.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class LiteResponse:
    """Status, the (possibly cut) body and the peer address of one exchange."""

    status: int
    body: bytes
    cut: bool
    ip: str


@dataclass(slots=True)
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float

    def close(self) -> None:
        self.writer.close()


class LiteClient:
    """Keep-alive connections per origin; ``request`` sends one request and reads the answer."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[_Conn]] = {}

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        max_body: int,
    ) -> LiteResponse:
        """One exchange. The caller bounds it in time (asyncio.timeout)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = host if parts.port is None else f"{host}:{port}"
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {host_header}",
            f"User-Agent: penguin-tui/{__version__}",
            "Accept: */*",
        ]
        for name, value in (headers or {}).items():
            # A CR or LF in a configured header would start a header (or request) of its own.
            lines.append(f"{_one_line(name)}: {_one_line(value)}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

        conn = self._take((host, port))
        if conn is not None:
            try:
                return await self._exchange(conn, (host, port), request, method, max_body)
            except (LiteProtocolError, ConnectionError) as exc:
                # A kept-alive connection the server closed meanwhile fails before any byte of
                # an answer: retry once on a fresh one (what every keep-alive client does).
                # An answer that broke off after its head is the server's doing: no retry.
                if getattr(exc, "status", None) is not None:
                    raise
        reader, writer = await asyncio.open_connection(host, port)
        fresh = _Conn(reader, writer, time.monotonic())
        return await self._exchange(fresh, (host, port), request, method, max_body)

    def _take(self, origin: tuple[str, int]) -> _Conn | None:
        pool = self._idle.get(origin)
        now = time.monotonic()
        while pool:
            conn = pool.pop()
            if now - conn.idle_since < KEEPALIVE_S and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    async def _exchange(
        self, conn: _Conn, origin: tuple[str, int], request: bytes, method: str, max_body: int
    ) -> LiteResponse:
        reusable = False
        try:
            conn.writer.write(request)
            await conn.writer.drain()
            status, headers, keep_alive = await _read_head(conn.reader)
            try:
                body, cut, complete = await _read_body(
                    conn.reader, status, headers, method, max_body
                )
            except (LiteProtocolError, ConnectionError) as exc:
                raise LiteProtocolError(_body_failure(exc), status) from exc
            reusable = keep_alive and complete and not cut
            peer = conn.writer.get_extra_info("peername")
            return LiteResponse(status, body, cut, str(peer[0]) if peer else "")
        finally:
            if reusable:
                conn.idle_since = time.monotonic()
                pool = self._idle.setdefault(origin, [])
                if len(pool) < MAX_IDLE_PER_ORIGIN:
                    pool.append(conn)
                else:
                    conn.close()
            else:
                conn.close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        pools, self._idle = list(self._idle.values()), {}
        for pool in pools:
            for conn in pool:
                conn.close()


def _body_failure(exc: BaseException) -> str:
    if isinstance(exc, LiteProtocolError):
        return str(exc)
    return "server closed the connection mid-response"


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bool]:
    try:
        line = await reader.readuntil(b"\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise LiteProtocolError("server closed the connection without answering") from None
        raise LiteProtocolError("the server did not answer valid HTTP") from None
    except asyncio.LimitOverrunError:
        raise LiteProtocolError("the server did not answer valid HTTP") from None
    fields = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/1.") or not fields[1].isdigit():
        raise LiteProtocolError("the server did not answer valid HTTP (illegal status line)")
    version, status = fields[0], int(fields[1])
    headers: dict[str, str] = {}
    size = 0
    while True:
        try:
            raw = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise LiteProtocolError("server closed the connection mid-response") from None
        size += len(raw)
        if size > MAX_HEADER_BYTES:
            raise LiteProtocolError("the server did not answer valid HTTP (headers too large)")
        if raw == b"\r\n":
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise LiteProtocolError("the server did not answer valid HTTP (bad header line)")
        headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version != "HTTP/1.0" or "keep-alive" in connection)
    if 100 <= status < 200:
        raise LiteProtocolError(f"the server answered {status} (informational) to a health check")
    return status, headers, keep_alive


async def _read_body(
    reader: asyncio.StreamReader,
    status: int,
    headers: dict[str, str],
    method: str,
    max_body: int,
) -> tuple[bytes, bool, bool]:
    """The body, whether it was cut at ``max_body``, and whether it was read to its end."""
    if method == "HEAD" or status in _NO_BODY_STATUS:
        return b"", False, True
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await _read_chunked(reader, max_body)
        length_text = headers.get("content-length")
        if length_text is not None:
            if not length_text.isdigit():
                raise LiteProtocolError("the server did not answer valid HTTP (Content-Length)")
            length = int(length_text)
            data = await reader.readexactly(min(length, max_body))
            return data, length > max_body, length <= max_body
        data = await reader.read(max_body + 1)  # until the server closes
        chunks = [data]
        size = len(data)
        while data and size <= max_body:
            data = await reader.read(max_body + 1 - size)
            chunks.append(data)
            size += len(data)
        body = b"".join(chunks)
        return body[:max_body], size > max_body, False
    except asyncio.IncompleteReadError:
        raise LiteProtocolError("server closed the connection mid-response") from None


async def _read_chunked(reader: asyncio.StreamReader, max_body: int) -> tuple[bytes, bool, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        try:
            length = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise LiteProtocolError("the server did not answer valid HTTP (chunk size)") from None
        if length == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return b"".join(chunks), False, True
        take = min(length, max_body - size)
        chunks.append(await reader.readexactly(take))
        size += take
        if take < length:
            return b"".join(chunks), True, False
        await reader.readexactly(2)  # the CRLF after the chunk
