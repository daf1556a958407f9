"""TCP probes (``tcp://host:port``): can we open a connection, and how fast?

Enough for databases, queues and SMTP relays, where speaking the protocol would need
credentials and opening the port already tells whether the service is listening.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from penguin_tui.sources.common import clean, describe_exception
from penguin_tui.sources.probe import Probe, judge

if TYPE_CHECKING:
    from penguin_tui.config_model import CheckConfig


def parse_tcp_url(url: str) -> tuple[str, int]:
    """``tcp://db.internal:5432`` -> ``("db.internal", 5432)``; ValueError names what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != "tcp" or not parts.hostname:
        raise ValueError(f"{url!r} is not a tcp://host:port address")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    if port is None:
        raise ValueError(f"{url!r} has no port (tcp://host:port)")
    return parts.hostname, port


async def probe_tcp(check: CheckConfig) -> Probe:
    """Open (and at once close) a TCP connection to the check's address, then judge it.

    Conditions see ``[CONNECTED]`` and ``[RESPONSE_TIME]`` (time to connect, in ms).
    """
    started = time.perf_counter()
    connected = False
    response_ms: float | None = None
    ip = ""
    error = ""
    try:
        host, port = parse_tcp_url(check.url)
    except ValueError as exc:
        return Probe(ok=False, response_ms=None, reason=clean(exc))
    writer = None
    try:
        async with asyncio.timeout(check.timeout_s):
            _, writer = await asyncio.open_connection(host, port)
        connected = True
        response_ms = (time.perf_counter() - started) * 1000.0
        peer = writer.get_extra_info("peername")
        ip = str(peer[0]) if peer else ""
    except Exception as exc:
        error = describe_exception(exc, check.url, check.timeout_s)
    finally:
        if writer is not None:
            writer.close()
    ok, results, reason = judge(
        check.conditions,
        status=None,
        response_ms=response_ms,
        body=None,
        connected=connected,
        cert_expiry_s=None,
        ip=ip,
        transport_error=error,
    )
    return Probe(
        ok=ok,
        response_ms=response_ms,
        reason=clean(reason),
        connected=connected,
        conditions=results,
    )
