"""The poller against real servers: batches, isolation of bad targets, concurrency, rates,
and backfill from a real Prometheus (Debian package ``prometheus``)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from penguin_tui.config_model import CheckConfig, Config, HostConfig, MetricConfig
from penguin_tui.model import Batch, EventKind, Status
from penguin_tui.poller import Poller
from tests.integration import servers
from tests.integration.hostile_server import HostileServer, refusing_port

NO_HOST = HostConfig(enabled=False)


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    async with HostileServer() as s:
        yield s


class Collector:
    """A sink that remembers every batch and when it arrived."""

    def __init__(self) -> None:
        self.batches: list[tuple[float, Batch]] = []
        self.started = time.perf_counter()
        self.arrived = asyncio.Event()

    async def __call__(self, batch: Batch) -> None:
        self.batches.append((time.perf_counter() - self.started, batch))
        self.arrived.set()

    def readings(self):
        return [(t, r) for t, b in self.batches for r in b.readings]

    def samples(self):
        return [s for _, b in self.batches for s in b.samples]

    def events(self):
        return [e for _, b in self.batches for e in b.events]

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.arrived.clear()
                await self.arrived.wait()


async def test_poll_once_covers_every_kind(server):
    sock, refused = refusing_port()
    server.metrics_text = 'pm_queue_depth{queue="main"} 42\npm_queue_depth{queue="slow"} 8\n'
    config = Config(
        checks=(
            CheckConfig(name="api", url=server.url("/ok"), conditions=("[BODY].status == ok",)),
            CheckConfig(name="relay", url=server.url("/status/503"), failure_threshold=1),
            CheckConfig(name="db", url=f"tcp://127.0.0.1:{refused}", failure_threshold=1,
                        conditions=("[CONNECTED] == true",), section="Databases"),
        ),
        metrics=(
            MetricConfig(name="queue", source="scrape", scrape=server.url("/metrics"),
                         series="pm_queue_depth", warn=40, crit=100),
            MetricConfig(name="lag", source="json", json=server.url("/json"),
                         field="shards.0.lag", scale=1000, unit="ms"),
        ),
        host=HostConfig(),
    )  # fmt: skip
    with sock:
        poller = Poller(config, Collector(), clock=lambda: 1000.0)
        batch = await poller.poll_once()
    readings = {r.key: r for r in batch.readings}
    assert readings["check:api"].status is Status.OK
    assert readings["check:relay"].status is Status.CRIT
    assert readings["check:relay"].reason == "HTTP 503 ([STATUS] == 200 failed)"
    assert readings["check:db"].reason == "connection refused"
    assert readings["metric:queue"].value == 50 and readings["metric:queue"].status is Status.WARN
    assert readings["metric:lag"].value == 1500
    host_keys = {k for k in readings if k.startswith("host:")}
    assert {"host:cpu", "host:memory", "host:load", "host:disk:/"} <= host_keys
    samples = {(s.key, s.value) for s in batch.samples}
    assert ("check:api:up", 1.0) in samples and ("check:relay:up", 0.0) in samples
    assert ("check:db:up", 0.0) in samples
    assert not any(s.key == "check:db" for s in batch.samples)  # no response, no time
    assert any(s.key == "check:relay" for s in batch.samples)  # it answered, just badly
    assert all(s.ts == 1000.0 for s in batch.samples)
    events = {(e.key, e.kind, e.new) for e in batch.events}
    assert ("check:relay", EventKind.STATE, Status.CRIT) in events
    assert ("metric:queue", EventKind.BREACH, Status.WARN) in events
    assert {i.key for i in poller.items()} >= set(readings)


async def test_hanging_and_flooding_targets_do_not_stall_the_others(server):
    fast = tuple(
        CheckConfig(name=f"ok{i}", url=server.url("/ok"), interval_s=60) for i in range(10)
    )
    bad = (
        CheckConfig(name="hang", url=server.url("/hang"), timeout_s=3, interval_s=60),
        CheckConfig(name="trickle", url=server.url("/trickle"), timeout_s=3, interval_s=60),
        CheckConfig(name="flood", url=server.url("/big"), timeout_s=3, interval_s=60),
    )
    config = Config(checks=bad + fast, host=NO_HOST, max_concurrency=8)
    sink = Collector()
    poller = Poller(config, sink, flush_interval_s=0.05, first_spread_max_s=0)
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    fast_keys = {c.key for c in fast} | {"check:flood"}
    await sink.wait_for(lambda: fast_keys <= {r.key for _, r in sink.readings()}, timeout=1.5)
    arrived = {r.key: t for t, r in sink.readings()}
    # The hanging and trickling targets hold their own slot until their timeout, nothing else.
    assert "check:hang" not in arrived and "check:trickle" not in arrived
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_concurrency_is_bounded(server):
    checks = tuple(
        CheckConfig(name=f"c{i}", url=server.url(f"/count/100?i={i}"), interval_s=60)
        for i in range(12)
    )
    poller = Poller(Config(checks=checks, host=NO_HOST, max_concurrency=3), Collector())
    started = time.perf_counter()
    batch = await poller.poll_once()
    assert len(batch.readings) == 12 and all(r.probe_ok for r in batch.readings)
    assert server.stats.max_total_in_flight == 3
    assert time.perf_counter() - started >= 0.39  # 12 requests of 100 ms, 3 at a time


async def test_no_overlapping_polls_of_one_target_and_batches_flow(server):
    # Interval 50 ms, answer takes 150 ms: the next poll must wait for the last one.
    config = Config(
        checks=(CheckConfig(name="slow", url=server.url("/count/150"), interval_s=0.05),),
        host=NO_HOST,
    )
    sink = Collector()
    poller = Poller(config, sink, flush_interval_s=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    await sink.wait_for(lambda: len(sink.readings()) >= 4, timeout=5)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert server.stats.max_in_flight["/count/150"] == 1
    assert server.stats.hits["/count/150"] >= 4
    assert len(sink.batches) >= 2  # delivered in several batches while running
    ts = [r.ts for _, r in sink.readings()]
    assert ts == sorted(ts)
    assert all(b2 - b1 >= 0.14 for b1, b2 in itertools.pairwise(ts))


async def test_stop_flushes_what_is_buffered(server):
    config = Config(checks=(CheckConfig(name="a", url=server.url("/ok"), interval_s=0.01),),
                    host=NO_HOST)  # fmt: skip
    sink = Collector()
    poller = Poller(config, sink, flush_interval_s=3600)  # only stop() can deliver
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    while server.stats.hits["/ok"] < 3:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(sink.batches) == 1 and len(sink.readings()) >= 2


async def test_rate_from_counters(server):
    times = iter([100.0, 110.0, 120.0, 130.0])
    metric = MetricConfig(name="sent", source="scrape", scrape=server.url("/metrics"),
                          series="pm_sent_total", rate=True, scale=3600, unit="/h")  # fmt: skip
    async with httpx.AsyncClient() as client:
        poller = Poller(Config(metrics=(metric,), host=NO_HOST), Collector(),
                        clock=lambda: next(times), client=client)  # fmt: skip
        results = []
        for counter in (1000, 1050, 20, 30):  # the third is a counter reset
            server.metrics_text = f"pm_sent_total {counter}\n"
            batch = await poller.poll_once(keep_open=True)
            results.append((batch.readings[0], [s.value for s in batch.samples]))
    first, second, reset, after = results
    assert first[0].value is None and first[1] == []
    assert first[0].reason == "waiting for a second reading to compute the rate"
    assert second[0].value == pytest.approx(5 * 3600) and second[1] == [pytest.approx(18000)]
    assert reset[0].value is None and reset[1] == [] and "counter reset" in reset[0].reason
    assert after[0].value == pytest.approx(3600)


# ---------------------------------------------------------------------------- Prometheus


@pytest.fixture
def prometheus(tmp_path: Path, prom_target: HostileServer) -> Iterator[str]:
    """A real Prometheus on a free port, scraping ``prom_target`` every second."""
    with servers.prometheus(tmp_path, [f"127.0.0.1:{prom_target.port}"]) as url:
        yield url


@pytest.fixture
async def prom_target() -> AsyncIterator[HostileServer]:
    async with HostileServer() as s:
        s.metrics_text = "pm_queue_depth 17\npm_sent_total 100\n"
        yield s


async def test_instant_query_and_backfill_from_real_prometheus(prom_target, prometheus):
    async with httpx.AsyncClient() as client:
        # Wait (on Prometheus itself) until it has scraped a few points; its service
        # discovery holds the first scrape back by about 5 s.
        async with asyncio.timeout(20):
            while True:
                query = {"query": "count_over_time(pm_queue_depth[1m])"}
                r = await client.get(f"{prometheus}/api/v1/query", params=query)
                result = r.json()["data"]["result"]
                if result and float(result[0]["value"][1]) >= 3:
                    break
                await asyncio.sleep(0.3)
    now = time.time()
    metrics = (
        MetricConfig(name="queue", query="pm_queue_depth", interval_s=1, warn=10, crit=50),
        MetricConfig(name="several", query='{__name__=~"pm_.*"}', interval_s=1),
        MetricConfig(name="none", query="pm_does_not_exist", interval_s=1),
        MetricConfig(name="bad", query="rate(pm_sent_total[", interval_s=1),
    )
    sink = Collector()
    poller = Poller(
        Config(metrics=metrics, host=NO_HOST, prometheus_url=prometheus),
        sink,
        last_sample_ts={"metric:queue": now - 60, "metric:none": now - 60},
        flush_interval_s=0.05,
        first_spread_max_s=0,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    want = {"metric:queue", "metric:several", "metric:none", "metric:bad"}
    await sink.wait_for(
        lambda: (
            want <= {r.key for _, r in sink.readings()}
            and any(e.kind is EventKind.NOTE for e in sink.events())
        ),
        timeout=15,
    )
    stop.set()
    await asyncio.wait_for(task, 5)
    readings = {r.key: r for _, r in sink.readings()}
    assert readings["metric:queue"].value == 17 and readings["metric:queue"].status is Status.WARN
    assert readings["metric:several"].reason.startswith("query returned 2 series; aggregate it")
    assert readings["metric:none"].reason.startswith("query returned no data")
    assert readings["metric:bad"].reason.startswith("Prometheus error (bad_data): ")
    # Samples without a reading of their own came from the backfill.
    polled = {r.ts for _, r in sink.readings() if r.key == "metric:queue"}
    backfilled = [s for s in sink.samples() if s.key == "metric:queue" and s.ts not in polled]
    assert len(backfilled) >= 2 and all(s.value == 17 for s in backfilled)
    assert all(now - 60 < s.ts for s in backfilled)
    notes = [e for e in sink.events() if e.kind is EventKind.NOTE]
    assert [e.key for e in notes] == ["metric:queue"]  # nothing to fill for "none"
    assert notes[0].reason.startswith(f"backfilled {len(backfilled)} points")
