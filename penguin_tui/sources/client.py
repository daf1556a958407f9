"""The shared HTTP client every network source uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from penguin_tui import __version__

if TYPE_CHECKING:
    import httpx

# Outlive typical 30-60 s poll intervals so connections are reused; a socket the server
# closed meanwhile is noticed by httpcore before reuse and replaced.
KEEPALIVE_S = 90.0
# Connections kept per origin: a poll never sends more than one request to a target at once,
# but a Prometheus or a /metrics endpoint serves several metrics.
PER_ORIGIN_CONNECTIONS = 4


def _origin_transport_class() -> type:
    import httpx

    class PerOriginTransport(httpx.AsyncBaseTransport):
        """One small connection pool per origin behind the one shared client.

        httpcore's pool walks all its connections on every request and again when one is
        released (encode/httpcore#1035), and a pool of 50 shared by 200 origins evicts each
        connection before its origin is polled again: bench/bench_daemon.py measured 803 new
        connections for ~800 requests and 5 % of a core. Small pools per origin keep every
        connection alive between polls and make each walk trivial.
        """

        def __init__(self, verify: object) -> None:
            self._verify = verify
            self._pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            url = request.url
            key = (url.raw_scheme, url.raw_host, url.port)
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = httpx.AsyncHTTPTransport(
                    verify=self._verify,  # type: ignore[arg-type]
                    limits=httpx.Limits(
                        max_connections=PER_ORIGIN_CONNECTIONS,
                        max_keepalive_connections=PER_ORIGIN_CONNECTIONS,
                        keepalive_expiry=KEEPALIVE_S,
                    ),
                )
            return await pool.handle_async_request(request)

        async def aclose(self) -> None:
            pools, self._pools = list(self._pools.values()), {}
            for pool in pools:
                await pool.aclose()

    return PerOriginTransport


def make_client(max_concurrency: int, *, verify: bool = True) -> httpx.AsyncClient:
    """The shared client: per-origin keep-alive pools, system CA store.

    The system store (``ssl.create_default_context``) honours SSL_CERT_FILE/SSL_CERT_DIR and
    the bastion's installed internal CAs; certifi is the fallback when the system has none.
    """
    import ssl

    import httpx

    if verify:
        ctx = ssl.create_default_context()
        if not ctx.cert_store_stats().get("x509_ca"):
            import certifi

            ctx.load_verify_locations(certifi.where())
        verify_arg: ssl.SSLContext | bool = ctx
    else:
        verify_arg = False
    del max_concurrency  # bounded by the poller's semaphore; pools are per origin
    return httpx.AsyncClient(
        transport=_origin_transport_class()(verify_arg),
        headers={"User-Agent": f"penguin-tui/{__version__}"},
        follow_redirects=False,  # a 301 is something to see, not to paper over
    )
