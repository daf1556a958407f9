"""The Prometheus API envelope and the metric fetchers' failures, over real loopback HTTP.

The answers are canned (what Prometheus sends for each case) so every branch is reachable;
tests/integration/test_poller.py queries a real Prometheus.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from penguin_tui.sources.common import SourceError
from penguin_tui.sources.jsonfield import json_value
from penguin_tui.sources.prometheus import query_instant, query_range
from penguin_tui.sources.scrape import scrape_value
from tests.integration.hostile_server import HostileServer


def envelope(result_type: str, result: object) -> bytes:
    return json.dumps(
        {"status": "success", "data": {"resultType": result_type, "result": result}}
    ).encode()


def series(value: str, **labels: str) -> dict:
    return {"metric": labels, "value": [1700000000.0, value]}


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    async with HostileServer() as s:
        yield s


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


def serve(server: HostileServer, body: bytes, status: int = 200) -> str:
    server.routes["/api/v1/query"] = (status, "application/json", body)
    server.routes["/api/v1/query_range"] = (status, "application/json", body)
    return server.url("")


async def test_vector_and_scalar(server, client):
    url = serve(server, envelope("vector", [series("0.25", job="api")]))
    assert await query_instant(client, url, "x", 2) == 0.25
    url = serve(server, envelope("scalar", [1700000000.0, "12"]))
    assert await query_instant(client, url, "x", 2) == 12.0


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (envelope("vector", []), 200, "query returned no data"),
        (
            envelope("vector", [series("1", a="1"), series("2", a="2"), series("3", a="3")]),
            200,
            "query returned 3 series; aggregate it to one (e.g. sum(rate(x[5m])))",
        ),
        (envelope("vector", [series("NaN")]), 200, "query returned NaN (no data in its window?)"),
        (envelope("vector", [series("+Inf")]), 200, "query returned an infinite value"),
        (
            envelope("matrix", []),
            200,
            "query returned a matrix result; a metric needs an instant vector or scalar",
        ),
        (
            json.dumps(
                {"status": "error", "errorType": "bad_data", "error": 'parse error: "\x1b[31m"'}
            ).encode(),
            400,
            'Prometheus error (bad_data): parse error: ""',
        ),
        (b"<html>502 Bad Gateway</html>", 502, "answered HTTP 502"),
        (b"<html>hello</html>", 200, "did not answer Prometheus API JSON"),
        (b'{"status": "success"}', 200, "answered without a data member"),
        (envelope("vector", [{"metric": {}}]), 200, "Prometheus answered a malformed result"),
    ],
)
async def test_instant_query_failures(server, client, body, status, reason):
    url = serve(server, body, status)
    with pytest.raises(SourceError) as info:
        await query_instant(client, url, "rate(x[5m])", 2)
    assert reason in str(info.value)


async def test_range_query(server, client):
    values = [[1700000000 + i * 15, str(i)] for i in range(4)] + [[1700000060, "NaN"]]
    url = serve(server, envelope("matrix", [{"metric": {}, "values": values}]))
    points = await query_range(client, url, "x", 1700000000, 1700000060, 15, 2)
    assert points == [(1700000000.0 + i * 15, float(i)) for i in range(4)]
    url = serve(server, envelope("matrix", []))
    assert await query_range(client, url, "x", 0, 60, 15, 2) == []


async def test_metric_fetch_failures_are_worded(server, client):
    with pytest.raises(SourceError, match=r"^HTTP 503: status 503$"):
        await scrape_value(client, server.url("/status/503"), "up", 2)
    with pytest.raises(SourceError, match=r"^timeout after 0\.3 s$"):
        await json_value(client, server.url("/hang"), "queue.depth", 0.3)
    with pytest.raises(SourceError, match=r"^body is not JSON$"):
        await json_value(client, server.url("/garbage"), "queue.depth", 2)
    with pytest.raises(SourceError, match="larger than"):
        await json_value(client, server.url("/big"), "x", 5)
    with pytest.raises(SourceError, match=r"^series: "):
        await scrape_value(client, server.url("/metrics"), "up{", 2)
    assert await json_value(client, server.url("/json"), "shards.1.lag", 2) == 2.5
    assert await scrape_value(client, server.url("/metrics"), "up", 2) == 1.0
