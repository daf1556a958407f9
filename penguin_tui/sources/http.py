"""HTTP(S) health probes: one request, a capped body, Gatus-style conditions."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from penguin_tui.sources.common import (
    CERT_HAS_EXPIRED,
    clean,
    describe_exception,
    exception_chain,
    format_duration,
    read_capped,
)
from penguin_tui.sources.probe import Probe, judge
from penguin_tui.sources.tlscert import fetch_not_after, not_after_from_ssl_object

if TYPE_CHECKING:
    import httpx

    from penguin_tui.config_model import CheckConfig
    from penguin_tui.sources.lite_http import LiteClient


def _proxied() -> bool:
    """httpx honours the *_PROXY variables; the small client does not, so it steps aside."""
    return any(os.environ.get(v) for v in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"))


async def probe_http(
    client: httpx.AsyncClient, check: CheckConfig, lite: LiteClient | None = None
) -> Probe:
    """Probe ``check.url`` once with the shared ``client`` and judge the answer.

    ``check.timeout_s`` bounds the whole exchange (connect, headers and body), so a server
    that trickles bytes is cut off like one that never answers. The body is read up to
    ``check.max_body_bytes`` and no further. Never raises for anything the target does.
    Plain ``http://`` checks go through ``lite`` when given (the recorder's hot path, see
    lite_http.py); https and proxied requests always through httpx.
    """
    if lite is not None and check.url.startswith("http://") and not _proxied():
        return await _probe_lite(lite, check)
    started = time.perf_counter()
    status: int | None = None
    body = b""
    cut = False
    response_ms: float | None = None
    cert_expiry_ts: float | None = None
    ip = ""
    error = ""
    try:
        async with asyncio.timeout(check.timeout_s):
            async with client.stream(
                check.method,
                check.url,
                headers=check.headers or None,
                content=check.body.encode() if check.body else None,
                timeout=check.timeout_s,
            ) as resp:
                status = resp.status_code
                stream = resp.extensions.get("network_stream")
                if stream is not None:
                    cert_expiry_ts = not_after_from_ssl_object(stream.get_extra_info("ssl_object"))
                    addr = stream.get_extra_info("server_addr")
                    ip = str(addr[0]) if addr else ""
                body, cut = await read_capped(resp, check.max_body_bytes)
        # Only a completed exchange has a response time; a trickle that timed out has none.
        response_ms = (time.perf_counter() - started) * 1000.0
    except Exception as exc:
        error = describe_exception(exc, check.url, check.timeout_s)
        expired_at = await _expired_at(exc, check, started)
        if expired_at is not None:
            cert_expiry_ts = expired_at
            ago = format_duration(time.time() - expired_at)
            error = f"TLS error: certificate has expired (expired {ago} ago)"

    return _judged(check, status, body, cut, response_ms, cert_expiry_ts, ip, error)


async def _probe_lite(lite: LiteClient, check: CheckConfig) -> Probe:
    started = time.perf_counter()
    status: int | None = None
    body, cut, ip, error = b"", False, "", ""
    response_ms: float | None = None
    try:
        async with asyncio.timeout(check.timeout_s):
            answer = await lite.request(
                check.method,
                check.url,
                headers=check.headers or None,
                body=check.body.encode() if check.body else b"",
                max_body=check.max_body_bytes,
            )
        status, body, cut, ip = answer.status, answer.body, answer.cut, answer.ip
        response_ms = (time.perf_counter() - started) * 1000.0
    except Exception as exc:
        error = describe_exception(exc, check.url, check.timeout_s)
        status = getattr(exc, "status", None)  # the head arrived; the body broke off
    return _judged(check, status, body, cut, response_ms, None, ip, error)


def _judged(
    check: CheckConfig,
    status: int | None,
    body: bytes,
    cut: bool,
    response_ms: float | None,
    cert_expiry_ts: float | None,
    ip: str,
    error: str,
) -> Probe:
    now = time.time()
    ok, results, reason = judge(
        check.conditions,
        status=status,
        response_ms=response_ms,
        body=body if status is not None else None,
        connected=status is not None,
        cert_expiry_s=None if cert_expiry_ts is None else cert_expiry_ts - now,
        ip=ip,
        transport_error=error,
    )
    reason = clean(reason)
    if not ok and cut:
        reason = f"{reason} (body cut at {check.max_body_bytes} bytes)"
    return Probe(
        ok=ok,
        response_ms=response_ms,
        reason=reason,
        status_code=status,
        connected=status is not None,
        cert_expiry_ts=cert_expiry_ts,
        body_cut=cut,
        conditions=results,
    )


async def _expired_at(exc: BaseException, check: CheckConfig, started: float) -> float | None:
    """When the verification failure was an expired certificate: its expiry time."""
    for e in exception_chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError) and e.verify_code == CERT_HAS_EXPIRED:
            break
    else:
        return None
    parts = urlsplit(check.url)
    remaining = check.timeout_s - (time.perf_counter() - started)
    if not parts.hostname or remaining <= 0:
        return None
    return await fetch_not_after(parts.hostname, parts.port or 443, remaining)
