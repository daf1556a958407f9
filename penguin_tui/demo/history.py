"""Twelve hours of made-up past for the demo cache, so the morning check has a night to report.

The scenario is replayed over the past at each item's interval and every probe is judged the
way the live poller judges it: the same condition evaluator (sources.probe.judge) and the same
status tracker (tracker.Tracker), so readings, reasons, ``:up`` samples and state-change
events are indistinguishable from a recorder that ran all night. Timestamps sit on each
item's interval grid, which lets metrics with the same interval share one scenario lookup.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.config_model import CheckConfig, Config, MetricConfig
from penguin_tui.demo import exposition
from penguin_tui.demo.scenario import Scenario
from penguin_tui.model import Batch, ConditionResult, Sample
from penguin_tui.sources.common import clean
from penguin_tui.sources.probe import judge
from penguin_tui.tracker import Tracker

if TYPE_CHECKING:
    from penguin_tui.store import Store

HISTORY_S = 12 * 3600.0
BATCH_SAMPLES = 10_000  # samples per write: one transaction each, big enough to be cheap
_HTTP_OVERHEAD_MS = 0.8  # what a loopback request adds to the service's own latency
_TCP_CONNECT_MS = 0.15


@dataclass(frozen=True, slots=True)
class PrefillStats:
    """What a prefill wrote, and how long it took (wall-clock seconds)."""

    readings: int
    samples: int
    events: int
    seconds: float


class _Lookups:
    """Scenario answers memoised by instant: metrics on the same grid share them."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._stats: dict[float, dict[str, dict[str, float]]] = {}
        self._samples: dict[tuple[str, float], float | None] = {}

    def stats(self, t: float) -> dict[str, dict[str, float]]:
        found = self._stats.get(t)
        if found is None:
            found = self._stats[t] = self.scenario.stats(t)
        return found

    def sample(self, key: str, t: float) -> float | None:
        cache_key = (key, t)
        if cache_key not in self._samples:
            self._samples[cache_key] = exposition.sample(self.scenario, key, t)
        return self._samples[cache_key]


def _grid(start: float, end: float, interval: float) -> Iterator[float]:
    """Multiples of ``interval`` in [start, end)."""
    k = -(-start // interval)  # ceil without float surprises for exact multiples
    t = k * interval
    while t < end:
        yield t
        k += 1
        t = k * interval


_Outcome = tuple[bool, "float | None", str, tuple[ConditionResult, ...]]


class _Prober:
    """What a live probe would have seen at ``t``: (ok, response ms, reason, conditions).

    Judged by the poller's own ``judge``; outcomes are memoised because most probes repeat
    an earlier one exactly (latencies are whole tenths of a millisecond), which makes the
    26,000 probes of a default prefill three times cheaper.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._memo: dict[tuple, _Outcome] = {}

    def probe(self, check: CheckConfig, t: float) -> _Outcome:
        scenario = self.scenario
        if check.is_tcp:
            if scenario.tcp_up(check.name, t):
                return self._judge(check, None, _TCP_CONNECT_MS, None, "")
            return self._judge(check, None, None, None, "connection refused")
        health = scenario.health(check.name, t)
        ms = round(health.latency_ms + _HTTP_OVERHEAD_MS, 2)
        if ms > check.timeout_s * 1000:
            return self._judge(check, None, None, None, f"timeout after {check.timeout_s:g} s")
        return self._judge(check, health.code, ms, health.body(), "")

    def _judge(
        self, check: CheckConfig, code: int | None, ms: float | None, body: bytes | None, error: str
    ) -> _Outcome:
        key = (check.conditions, code, ms, body, error)
        found = self._memo.get(key)
        if found is None:
            ok, results, reason = judge(
                check.conditions,
                status=code,
                response_ms=ms,
                body=body,
                connected=not error,
                cert_expiry_s=None,
                ip="127.0.0.1" if not error else "",
                transport_error=error,
            )
            found = self._memo[key] = (ok, ms, clean(reason), results)
        return found


def _metric_value(metric: MetricConfig, look: _Lookups, t: float) -> float | None:
    """The figure a live fetch of ``metric`` at ``t`` would have produced (after rate/scale)."""
    if metric.source == "json":
        node: object = look.stats(t)
        for part in metric.field.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        value = float(node)  # type: ignore[arg-type]
    elif metric.source == "scrape":
        raw = look.sample(metric.series, t)
        if raw is None:
            return None
        if metric.rate:
            # The poller's rate: increase since its previous poll, one interval earlier.
            before = look.sample(metric.series, t - metric.interval_s)
            if before is None:
                before = raw
            value = max(0.0, raw - before) / metric.interval_s
        else:
            value = raw
    else:
        return None  # Prometheus queries are backfilled by the poller from Prometheus itself
    return value * metric.scale


def generate_history(
    config: Config,
    scenario: Scenario,
    start: float,
    end: float,
    *,
    batch_samples: int = BATCH_SAMPLES,
) -> Iterator[Batch]:
    """Batches of readings, samples and events for every configured item over [start, end).

    Items come one after another, each in time order; a batch closes once it holds about
    ``batch_samples`` samples.
    """
    tracker = Tracker()
    look = _Lookups(scenario)
    prober = _Prober(scenario)
    batch = Batch()

    for check in config.checks:
        up_key = f"{check.key}:up"
        for t in _grid(start, end, check.interval_s):
            ok, ms, reason, results = prober.probe(check, t)
            reading, event = tracker.check(
                check.key, t, ok=ok, value=ms, reason=reason, conditions=results,
                failure_threshold=check.failure_threshold,
                success_threshold=check.success_threshold,
            )  # fmt: skip
            batch.readings.append(reading)
            if ms is not None:
                batch.samples.append(Sample(check.key, t, ms))
            batch.samples.append(Sample(up_key, t, 1.0 if ok else 0.0))
            if event is not None:
                batch.events.append(event)
            if len(batch.samples) >= batch_samples:
                yield batch
                batch = Batch()

    for metric in config.metrics:
        info = metric.item()
        for t in _grid(start, end, metric.interval_s):
            value = _metric_value(metric, look, t)
            if value is None:
                break  # a source the scenario cannot answer: no history for this item
            reading, event = tracker.metric(info, t, value)
            batch.readings.append(reading)
            batch.samples.append(Sample(metric.key, t, value))
            if event is not None:
                batch.events.append(event)
            if len(batch.samples) >= batch_samples:
                yield batch
                batch = Batch()
    if batch:
        yield batch


def prefill_store(
    store: Store, config: Config, scenario: Scenario, now: float, *, hours: float = 12.0
) -> PrefillStats:
    """Write ``hours`` of history ending at ``now`` into an open store holding the writer lock.

    Rollups are built afterwards (``store.maintain``) so 7-day views work at once.
    """
    started = time.perf_counter()
    store.sync_items(config.items())
    readings = samples = events = 0
    for batch in generate_history(config, scenario, now - hours * 3600.0, now):
        store.write(batch)
        readings += len(batch.readings)
        samples += len(batch.samples)
        events += len(batch.events)
    store.maintain(now)
    return PrefillStats(readings, samples, events, time.perf_counter() - started)


def prefill(
    cache_path: str | Path, config: Config, scenario: Scenario, now: float, *, hours: float = 12.0
) -> PrefillStats:
    """Open (or create) the cache at ``cache_path``, write the history, and close it again.

    The writer lock is held only while writing, so the console's own recorder can take it
    afterwards.
    """
    from penguin_tui.store import Store

    store = Store.open(cache_path)
    try:
        store.acquire_writer("demo")
        try:
            return prefill_store(store, config, scenario, now, hours=hours)
        finally:
            store.release_writer()
    finally:
        store.close()
