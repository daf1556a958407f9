"""What every network source shares: the error type, capped reads and operator-worded failures.

Sources turn every way a request can go wrong into one sentence an operator can act on
("timeout after 5 s", "connection refused", "DNS lookup failed for api.example"). Nothing
from the wire reaches a reason without going through ``penguin_tui.text.sanitize``.
"""

from __future__ import annotations

import errno
import socket
import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from penguin_tui.text import sanitize

if TYPE_CHECKING:
    import httpx

# Reasons are one line in a table cell and in the cache; this keeps a hostile server's
# 20 MB error text from becoming a 20 MB reason.
REASON_MAX = 300


# OpenSSL's X509_V_ERR_CERT_HAS_EXPIRED.
CERT_HAS_EXPIRED = 10


class SourceError(Exception):
    """A fetch failed; ``str(exc)`` is the reason as an operator should read it."""


def clean(text: object, max_len: int = REASON_MAX) -> str:
    """Untrusted text made fit for a one-line reason."""
    return sanitize(text, max_len=max_len, single_line=True).strip()


def format_seconds(seconds: float) -> str:
    """``5`` -> ``"5 s"``, ``0.25`` -> ``"0.25 s"``: how a timeout reads in a reason."""
    return f"{seconds:g} s"


def format_duration(seconds: float) -> str:
    """A rough human duration for certificate ages: ``3 days``, ``5 hours``, ``12 minutes``."""
    s = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size:
            n = int(s // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    n = int(s)
    return f"{n} second{'s' if n != 1 else ''}"


def exception_chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes: httpx wraps httpcore wraps the OSError we care about."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def describe_tls_error(err: ssl.SSLError) -> str:
    """``TLS error: certificate has expired`` and friends, without OpenSSL's file/line noise."""
    if isinstance(err, ssl.SSLCertVerificationError):
        if err.verify_code == CERT_HAS_EXPIRED:
            return "TLS error: certificate has expired"
        detail = err.verify_message or err.reason or "certificate verify failed"
        return f"TLS error: certificate verify failed: {clean(detail)}"
    detail = err.reason or (err.args[1] if len(err.args) > 1 else str(err))
    return f"TLS error: {clean(str(detail).replace('_', ' ').lower())}"


def describe_exception(exc: BaseException, url: str, timeout_s: float) -> str:
    """One sentence for any failure of an HTTP(S) or TCP request to ``url``."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, TimeoutError):
        return f"timeout after {format_seconds(timeout_s)}"
    chain = exception_chain(exc)
    for e in chain:
        if type(e).__name__ == "LiteProtocolError":  # its message is already the sentence
            return clean(str(e))
        if isinstance(e, ssl.SSLError):
            return describe_tls_error(e)
        if isinstance(e, socket.gaierror):
            return f"DNS lookup failed for {clean(host)}"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(e, OSError) and e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return f"{clean(host)} is unreachable ({clean(e.strerror or '')})"
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a hard dependency
        httpx = None  # type: ignore[assignment]
    if httpx is not None:
        if isinstance(exc, httpx.TimeoutException):
            return f"timeout after {format_seconds(timeout_s)}"
        if isinstance(exc, httpx.RemoteProtocolError):
            return _describe_protocol_error(str(exc))
        if isinstance(exc, httpx.ReadError):
            return "connection broken while reading the response"
        if isinstance(exc, httpx.ConnectError):
            text = str(exc)
            if "Name or service not known" in text or "getaddrinfo" in text:
                return f"DNS lookup failed for {clean(host)}"
            return f"cannot connect to {clean(host)}: {clean(text) or 'connection failed'}"
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return f"invalid URL {clean(url)}: {clean(exc)}"
        if isinstance(exc, httpx.TooManyRedirects):
            return "too many redirects"
    if isinstance(exc, OSError):
        return f"network error: {clean(exc.strerror or exc)}"
    return f"request failed: {clean(exc) or type(exc).__name__}"


def _describe_protocol_error(text: str) -> str:
    low = text.lower()
    if "without sending a response" in low:
        return "server closed the connection without answering"
    if "incomplete" in low or "peer closed connection" in low:
        return "server closed the connection mid-response"
    # h11 appends the offending bytes as a Python repr; the first words say enough.
    what = text.split(":", 1)[0]
    return f"the server did not answer valid HTTP ({clean(what, 80)})"


async def read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """Read a streamed response body up to ``max_bytes``; the flag says whether it was cut.

    Stops pulling from the socket once the cap is passed, so a 20 MB (or endless) body costs
    at most ``max_bytes`` of memory and the connection is closed instead of drained.
    Decoded bytes are counted (a gzip body is capped after decompression, chunk by chunk).
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        if size + len(chunk) > max_bytes:
            chunks.append(chunk[: max_bytes - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


async def get_capped(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    params: dict[str, str] | None = None,
    what: str = "response",
) -> tuple[int, bytes]:
    """GET ``url``: its status and body (at most ``max_bytes``), or SourceError.

    The timeout covers the whole exchange, so a server that trickles one byte a second
    cannot hold the poll past ``timeout_s``.
    """
    import asyncio

    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream("GET", url, params=params, timeout=timeout_s) as resp:
                body, cut = await read_capped(resp, max_bytes)
                status = resp.status_code
    except Exception as exc:
        raise SourceError(describe_exception(exc, url, timeout_s)) from None
    if cut:
        raise SourceError(f"{what} is larger than {max_bytes} bytes; not read")
    return status, body


async def fetch_capped(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    params: dict[str, str] | None = None,
    what: str = "response",
) -> bytes:
    """Like ``get_capped`` but a non-2xx status is a SourceError ("HTTP 503: <body start>")."""
    status, body = await get_capped(
        client, url, max_bytes=max_bytes, timeout_s=timeout_s, params=params, what=what
    )
    if not 200 <= status < 300:
        reason = f"HTTP {status}"
        snippet = clean(body[:200].decode("utf-8", "replace"), 120)
        if snippet:
            reason += f": {snippet}"
        raise SourceError(reason)
    return body
