"""HTTP(S) and TCP probes against a real, misbehaving server on loopback.

Every failure an operator can meet gets its reason checked word for word, and every way a
target can try to hold a probe (hanging, trickling, flooding) is bounded in time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import trustme

from penguin_tui.config_model import CheckConfig
from penguin_tui.sources.http import probe_http as _probe_http
from penguin_tui.sources.lite_http import LiteClient
from penguin_tui.sources.tcp import probe_tcp
from penguin_tui.sources.tlscert import not_after_from_der
from tests.integration.hostile_server import BIG_BODY_BYTES, HostileServer, refusing_port

NOW = dt.datetime.now(dt.UTC)


def check(url: str, **kw) -> CheckConfig:
    return CheckConfig(name="t", url=url, **kw)


_LITE: LiteClient | None = None


@pytest.fixture(autouse=True, params=["httpx", "lite"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Every probe test runs through httpx and through the small client the recorder uses
    for plain http:// (https always goes through httpx, so those cases repeat harmlessly)."""
    global _LITE
    _LITE = LiteClient() if request.param == "lite" else None
    yield request.param
    if _LITE is not None:
        await _LITE.aclose()
    _LITE = None


async def probe_http(client, check):  # type: ignore[no-untyped-def]
    return await _probe_http(client, check, _LITE)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    async with HostileServer() as s:
        yield s


def _server_ctx(cert: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


@pytest.fixture
async def tls_ok(ca: trustme.CA) -> AsyncIterator[HostileServer]:
    cert = ca.issue_cert("127.0.0.1", "localhost", not_after=NOW + dt.timedelta(days=30))
    async with HostileServer(_server_ctx(cert)) as s:
        yield s


@pytest.fixture
async def tls_expired(ca: trustme.CA) -> AsyncIterator[HostileServer]:
    cert = ca.issue_cert(
        "127.0.0.1",
        "localhost",
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW - dt.timedelta(days=3, hours=2),
    )
    async with HostileServer(_server_ctx(cert)) as s:
        yield s


@pytest.fixture
async def client(ca: trustme.CA) -> AsyncIterator[httpx.AsyncClient]:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    async with httpx.AsyncClient(verify=ctx) as c:
        yield c


async def test_healthy_json_endpoint(server, client):
    probe = await probe_http(
        client,
        check(
            server.url("/ok"),
            conditions=("[STATUS] == 200", "[BODY].status == ok", "[RESPONSE_TIME] < 5000"),
        ),
    )
    assert probe.ok and probe.reason == ""
    assert probe.status_code == 200 and probe.connected
    assert probe.response_ms is not None and 0 < probe.response_ms < 5000
    assert [c.ok for c in probe.conditions] == [True, True, True]
    assert probe.cert_expiry_ts is None


@pytest.mark.parametrize("code", [500, 503])
async def test_http_error_status(server, client, code):
    probe = await probe_http(client, check(server.url(f"/status/{code}")))
    assert not probe.ok
    assert probe.reason == f"HTTP {code} ([STATUS] == 200 failed)"
    assert probe.response_ms is not None  # it did answer, just badly


async def test_body_that_is_not_json(server, client):
    probe = await probe_http(
        client, check(server.url("/garbage"), conditions=("[STATUS] == 200", "[BODY].status == ok"))
    )
    assert not probe.ok
    assert probe.reason == "[BODY].status == ok failed: body is not JSON"


async def test_condition_failure_names_the_actual_value(server, client):
    server.doc = {"status": "degraded"}
    probe = await probe_http(
        client, check(server.url("/json"), conditions=("[BODY].status == ok",))
    )
    assert probe.reason == '[BODY].status == ok failed: got "degraded"'
    probe = await probe_http(
        client, check(server.url("/slow/120"), conditions=("[RESPONSE_TIME] < 50",))
    )
    assert probe.reason.startswith("[RESPONSE_TIME] < 50 failed: took 1")


@pytest.mark.parametrize("path", ["/hang", "/trickle"])
async def test_timeout_bounds_the_whole_exchange(server, client, path):
    started = time.perf_counter()
    probe = await probe_http(client, check(server.url(path), timeout_s=0.4))
    elapsed = time.perf_counter() - started
    assert not probe.ok and probe.reason == "timeout after 0.4 s"
    assert probe.response_ms is None
    assert 0.35 < elapsed < 1.5


async def test_invalid_http(server, client):
    probe = await probe_http(client, check(server.url("/invalid")))
    assert not probe.ok
    assert probe.reason == "the server did not answer valid HTTP (illegal status line)"


async def test_connection_closed_mid_response(server, client):
    probe = await probe_http(client, check(server.url("/close")))
    assert not probe.ok and probe.reason == "server closed the connection mid-response"
    assert probe.status_code == 200  # the headers were fine; the body never came


async def test_twenty_megabyte_body_is_cut_not_read(server, client):
    started = time.perf_counter()
    probe = await probe_http(client, check(server.url("/big"), max_body_bytes=65536))
    assert probe.ok and probe.body_cut  # status 200 is all this check asked for
    probe = await probe_http(
        client, check(server.url("/big"), max_body_bytes=65536, conditions=("[BODY].x == 1",))
    )
    assert not probe.ok
    assert probe.reason == "[BODY].x == 1 failed: body is not JSON (body cut at 65536 bytes)"
    assert time.perf_counter() - started < 2
    await asyncio.sleep(0.05)
    # Back-pressure stopped the server long before 20 MB: only socket buffers were filled.
    assert server.stats.big_bytes_sent < BIG_BODY_BYTES / 2


async def test_connection_refused(client):
    sock, port = refusing_port()
    with sock:
        probe = await probe_http(client, check(f"http://127.0.0.1:{port}/health"))
    assert not probe.ok and probe.reason == "connection refused"
    assert probe.response_ms is None and not probe.connected


async def test_dns_failure(client):
    probe = await probe_http(client, check("http://api.example.invalid/health", timeout_s=5))
    assert not probe.ok
    assert probe.reason == "DNS lookup failed for api.example.invalid"


async def test_connection_reuse(server, client):
    for _ in range(5):
        assert (await probe_http(client, check(server.url("/ok")))).ok
    assert server.stats.connections == 1


async def test_hostile_text_is_sanitized(server, client):
    server.routes["/evil"] = (
        200,
        "text/plain",
        "\x1b]52;c;cm0gLXJmIC8=\x07\x1b[31mred\u009b2J".encode(),
    )
    probe = await probe_http(client, check(server.url("/evil"), conditions=("[BODY] == ok",)))
    assert probe.reason == '[BODY] == ok failed: got "red"'
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in probe.reason)


async def test_tls_valid_certificate_reports_expiry(tls_ok, client):
    probe = await probe_http(
        client, check(tls_ok.url("/ok"), conditions=("[CERTIFICATE_EXPIRATION] > 72h",))
    )
    assert probe.ok, probe.reason
    expected = (NOW + dt.timedelta(days=30)).timestamp()
    assert probe.cert_expiry_ts is not None and abs(probe.cert_expiry_ts - expected) < 2
    short = await probe_http(
        client, check(tls_ok.url("/ok"), conditions=("[CERTIFICATE_EXPIRATION] > 60d",))
    )
    assert short.reason.startswith("[CERTIFICATE_EXPIRATION] > 60d failed: certificate expires in")


async def test_tls_expired_certificate(tls_expired, client):
    probe = await probe_http(client, check(tls_expired.url("/ok")))
    assert not probe.ok
    assert probe.reason == "TLS error: certificate has expired (expired 3 days ago)"
    expected = (NOW - dt.timedelta(days=3, hours=2)).timestamp()
    assert probe.cert_expiry_ts is not None and abs(probe.cert_expiry_ts - expected) < 2


async def test_tls_untrusted_issuer(tls_ok):
    async with httpx.AsyncClient() as stranger:  # does not trust the test CA
        probe = await probe_http(stranger, check(tls_ok.url("/ok")))
    assert not probe.ok
    assert probe.reason == (
        "TLS error: certificate verify failed: unable to get local issuer certificate"
    )


async def test_unverified_check_still_sees_expiry(tls_expired):
    async with httpx.AsyncClient(verify=False) as insecure:
        probe = await probe_http(
            insecure,
            check(
                tls_expired.url("/ok", host="localhost"),
                verify_tls=False,
                conditions=("[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 72h"),
            ),
        )
    assert probe.status_code == 200 and not probe.ok
    assert probe.reason == "[CERTIFICATE_EXPIRATION] > 72h failed: certificate expired 3d 2h ago"


def test_der_expiry_parser_agrees_with_cryptography(ca):
    from cryptography import x509

    for not_after in (NOW + dt.timedelta(days=400), dt.datetime(2051, 1, 2, tzinfo=dt.UTC)):
        leaf = ca.issue_cert("example.test", not_after=not_after)
        der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
        want = x509.load_der_x509_certificate(der).not_valid_after_utc.timestamp()
        assert not_after_from_der(der) == want
    assert not_after_from_der(b"\x30\x03\x02\x01\x00") is None
    assert not_after_from_der(b"not a certificate") is None


async def test_tcp_probe(server):
    probe = await probe_tcp(check(f"tcp://127.0.0.1:{server.port}", conditions=(
        "[CONNECTED] == true", "[RESPONSE_TIME] < 1000")))  # fmt: skip
    assert probe.ok and probe.connected and probe.response_ms is not None
    sock, port = refusing_port()
    with sock:
        down = await probe_tcp(
            check(f"tcp://127.0.0.1:{port}", conditions=("[CONNECTED] == true",))
        )
        # A port that must stay closed is a legitimate check.
        closed = await probe_tcp(
            check(f"tcp://127.0.0.1:{port}", conditions=("[CONNECTED] == false",))
        )
    assert not down.ok and down.reason == "connection refused"
    assert closed.ok and closed.reason == ""
    bad = await probe_tcp(check("tcp://db.internal", conditions=("[CONNECTED] == true",)))
    assert not bad.ok and bad.reason == "'tcp://db.internal' has no port (tcp://host:port)"
