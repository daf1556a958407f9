"""The shared HTTP client every network source uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from penguin_tui import __version__

if TYPE_CHECKING:
    import httpx

# Outlive typical 30-60 s poll intervals so connections are reused; a socket the server
# closed meanwhile is noticed by httpcore before reuse and replaced.
KEEPALIVE_S = 90.0


def make_client(max_concurrency: int, *, verify: bool = True) -> httpx.AsyncClient:
    """The shared client: pool sized to the concurrency, keep-alive, system CA store.

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
    n = max(1, max_concurrency)
    return httpx.AsyncClient(
        verify=verify_arg,
        limits=httpx.Limits(
            max_connections=n, max_keepalive_connections=n, keepalive_expiry=KEEPALIVE_S
        ),
        headers={"User-Agent": f"penguin-tui/{__version__}"},
        follow_redirects=False,  # a 301 is something to see, not to paper over
    )
