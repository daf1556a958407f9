"""A real Prometheus scrapes the demo platform's /metrics; the poller queries Prometheus.

This is the chain a production install runs: platform exposition -> Prometheus -> PromQL ->
penguin-tui. The values must agree with what the platform itself serves.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from penguin_tui.config_model import Config, HostConfig, MetricConfig
from penguin_tui.demo.platform import DemoPlatform
from penguin_tui.model import Status
from penguin_tui.poller import Poller
from tests.integration import servers


async def _wait_for_series(url: str, query: str, points: int, timeout: float = 30) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(timeout):
        while True:
            r = await client.get(f"{url}/api/v1/query", params={"query": query})
            result = r.json()["data"]["result"]
            if result and float(result[0]["value"][1]) >= points:
                return
            await asyncio.sleep(0.3)


async def test_poller_reads_demo_platform_through_real_prometheus(tmp_path: Path) -> None:
    async with DemoPlatform() as platform:
        target = urlsplit(platform.metrics_url).netloc
        with servers.prometheus(tmp_path, [target]) as prom:
            await _wait_for_series(prom, "count_over_time(penguinmails_queue_depth[1m])", 4)
            metrics = (
                MetricConfig(
                    name="queue_depth",
                    query="sum(penguinmails_queue_depth)",
                    unit="mails",
                    warn=1e9,
                    crit=2e9,
                    interval_s=1,
                ),
                MetricConfig(
                    name="api_p95",
                    unit="ms",
                    scale=1000,
                    interval_s=1,
                    query="histogram_quantile(0.95, sum by (le) "
                    "(rate(penguinmails_api_request_duration_seconds_bucket[30s])))",
                ),
                MetricConfig(
                    name="sent", interval_s=1, query="sum(penguinmails_emails_sent_total)"
                ),
            )

            async def discard(_batch: object) -> None:
                return None

            config = Config(metrics=metrics, host=HostConfig(enabled=False), prometheus_url=prom)
            asked = time.time()
            batch = await Poller(config, discard).poll_once()

    readings = {r.key: r for r in batch.readings}
    queue = readings["metric:queue_depth"]
    assert queue.status is Status.OK and queue.reason == ""
    served = platform.scenario.gauges(time.time()).queue_depth
    # Prometheus holds the last scrape (<= 1 s old): the same order of magnitude as now.
    assert queue.value is not None and 0.5 * served <= queue.value <= 2 * served + 50
    p95 = readings["metric:api_p95"]
    assert p95.value is not None and 1 <= p95.value <= 5000, p95
    # A counter Prometheus scraped within the last few seconds: between what the platform had
    # counted then and now (the scenario's counters are a function of time).
    sent = readings["metric:sent"].value
    assert sent is not None
    low = platform.scenario.counters(asked - 15).sent
    high = platform.scenario.counters(time.time()).sent
    assert low <= sent <= high, (low, sent, high)
