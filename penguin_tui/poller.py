"""The poller: every configured target on its interval, results to the store in batches.

One asyncio loop, one shared httpx client (connection reuse), a semaphore bounding the
requests in flight (``max_concurrency``). Each target has its own task that schedules its
next poll only when the last one finished, so a target is never polled twice at once and a
slow one only ever delays itself. First polls are spread over the interval (at most
``FIRST_SPREAD_MAX_S``) so 500 targets do not fire in the same millisecond; every later
poll gets a few percent of jitter so targets that stalled together drift apart again.

Results collect in a buffer that a separate task hands to ``sink`` every
``flush_interval_s`` or as soon as ``flush_readings`` readings are waiting. The sink is
awaited there, off the polling path: a slow disk delays the cache, never the probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from penguin_tui.model import Batch, Event, EventKind, ItemInfo, ItemState, Reading, Sample
from penguin_tui.sources.client import make_client
from penguin_tui.sources.common import SourceError, clean
from penguin_tui.tracker import Tracker

if TYPE_CHECKING:
    import httpx

    from penguin_tui.config_model import CheckConfig, Config, MetricConfig
    from penguin_tui.sources.host import HostSampler
    from penguin_tui.sources.lite_http import LiteClient

log = logging.getLogger(__name__)

FIRST_SPREAD_MAX_S = 10.0  # first polls land within this long of start, even at 5 min intervals
JITTER = 0.05  # later polls: interval +-5 %
HOST_SETTLE_S = 0.25  # least time between the CPU baseline and the first host sample
BACKFILL_MAX_POINTS = 11_000  # per metric; Prometheus' own limit for one query_range


class Poller:
    """Polls checks, metrics and the host; feeds Batches to ``sink``."""

    def __init__(
        self,
        config: Config,
        sink: Callable[[Batch], Awaitable[None]],
        *,
        initial_states: dict[str, ItemState] | None = None,
        last_sample_ts: dict[str, float] | None = None,
        clock: Callable[[], float] = time.time,
        client: httpx.AsyncClient | None = None,
        flush_interval_s: float = 1.0,
        flush_readings: int = 500,
        rng: random.Random | None = None,
        first_spread_max_s: float = FIRST_SPREAD_MAX_S,
    ) -> None:
        self.config = config
        self._sink = sink
        self._tracker = Tracker(initial_states)
        self._last_sample_ts = dict(last_sample_ts or {})
        self._clock = clock
        self._client = client
        self._owned: list[httpx.AsyncClient] = []
        self._insecure: httpx.AsyncClient | None = None
        self._lite: LiteClient | None = None  # plain http:// checks (sources/lite_http.py)
        self._sem = asyncio.Semaphore(max(1, config.max_concurrency))
        self._flush_interval_s = flush_interval_s
        self._flush_readings = flush_readings
        self._rng = rng or random.Random()
        self._first_spread_max_s = first_spread_max_s
        self._buffer = Batch()
        self._full = asyncio.Event()
        self._counters: dict[str, tuple[float, float]] = {}  # rate metrics: key -> (ts, raw)
        self._metric_items = {m.key: m.item() for m in config.metrics}
        self._host: HostSampler | None = None
        self._host_items: dict[str, ItemInfo] = {}
        if config.host.enabled:
            from penguin_tui.sources.host import HostSampler

            self._host = HostSampler(config.host)

    # ------------------------------------------------------------------ public

    def items(self) -> list[ItemInfo]:
        """Configured items, then the host items (mounts are listed once, on first use)."""
        if self._host is not None and not self._host_items:
            self._host_items = {i.key: i for i in self._host.items()}
        return self.config.items() + list(self._host_items.values())

    async def poll_once(self, *, keep_open: bool = False) -> Batch:
        """Poll every target once, concurrently, and return what was seen (no sink).

        For ``penguin-tui check`` when nothing was recorded, and for the benchmark. The
        clients this poller made are closed afterwards unless ``keep_open`` (then call
        ``aclose``). Host CPU needs two readings apart in time, so the first host sample
        waits HOST_SETTLE_S after the baseline, concurrently with the network polls.
        """
        out = Batch()
        jobs = [self._poll_check(c, out) for c in self.config.checks]
        jobs += [self._poll_metric(m, out) for m in self.config.metrics]
        if self._host is not None:
            jobs.append(self._poll_host(out))
        try:
            await asyncio.gather(*(self._guarded(job) for job in jobs))
        finally:
            if not keep_open:
                await self.aclose()
        return out

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; then hand the last results to the sink and close."""
        loop_tasks: list[asyncio.Task[None]] = []
        for check in self.config.checks:
            loop_tasks.append(self._spawn(check.key, check.interval_s, self._poll_check, check))
        for metric in self.config.metrics:
            loop_tasks.append(self._spawn(metric.key, metric.interval_s, self._poll_metric, metric))
        if self._host is not None:
            await asyncio.to_thread(self._host.prime)
            loop_tasks.append(self._spawn("host", self.config.host.interval_s, self._poll_host))
        loop_tasks.append(asyncio.create_task(self._backfill(), name="backfill"))
        flusher = asyncio.create_task(self._flush_forever(stop), name="flusher")
        try:
            await stop.wait()
        finally:
            for task in loop_tasks:
                task.cancel()
            await asyncio.gather(*loop_tasks, return_exceptions=True)
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            try:
                await self._flush()
            finally:
                await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP clients this poller created (a client passed in stays open)."""
        owned, self._owned = self._owned, []
        self._insecure = None
        for client in owned:
            if client is self._client:
                self._client = None
            await client.aclose()
        if self._lite is not None:
            await self._lite.aclose()
            self._lite = None

    async def __aenter__(self) -> Poller:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _lite_client(self) -> LiteClient:
        if self._lite is None:
            from penguin_tui.sources.lite_http import LiteClient

            self._lite = LiteClient()
        return self._lite

    # ------------------------------------------------------------------ scheduling

    def _spawn(self, name: str, interval_s: float, poll, *args) -> asyncio.Task[None]:
        return asyncio.create_task(self._every(interval_s, poll, *args), name=f"poll {name}")

    async def _every(self, interval_s: float, poll, *args) -> None:
        loop = asyncio.get_running_loop()
        interval_s = max(interval_s, 0.01)
        due = loop.time() + self._rng.uniform(0, min(interval_s, self._first_spread_max_s))
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            started = loop.time()
            part = Batch()
            await self._guarded(poll(*args, part))
            self._take(part)
            # Measured from the start of this poll, but never before it finished.
            jitter = self._rng.uniform(-JITTER, JITTER) * interval_s
            due = max(started + interval_s + jitter, loop.time())

    @staticmethod
    async def _guarded(job: Awaitable[None]) -> None:
        """Run one poll; a bug in one target's handling must not end the others."""
        try:
            await job
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("poll failed unexpectedly")

    def _take(self, part: Batch) -> None:
        """Move one poll's results into the buffer (the buffer may have been swapped since)."""
        buf = self._buffer
        buf.readings.extend(part.readings)
        buf.samples.extend(part.samples)
        buf.events.extend(part.events)
        if len(buf.readings) >= self._flush_readings:
            self._full.set()

    async def _flush_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._flush_interval_s):
                    await self._full.wait()
            try:
                await self._flush()
            except Exception:
                # The sink keeps what it could not write and retries; a bug in it must not
                # end flushing for good while polls keep filling the buffer.
                log.exception("handing a batch to the recorder failed; retrying next flush")

    async def _flush(self) -> None:
        self._full.clear()
        if not self._buffer:
            return
        # Swap first: polls finishing while the sink writes go into the next batch.
        batch, self._buffer = self._buffer, Batch()
        await self._sink(batch)

    # ------------------------------------------------------------------ clients

    def _http(self, verify: bool = True) -> httpx.AsyncClient:
        if not verify:
            if self._insecure is None:
                self._insecure = make_client(self.config.max_concurrency, verify=False)
                self._owned.append(self._insecure)
            return self._insecure
        if self._client is None:
            self._client = make_client(self.config.max_concurrency)
            self._owned.append(self._client)
        return self._client

    # ------------------------------------------------------------------ polls

    async def _poll_check(self, check: CheckConfig, out: Batch) -> None:
        async with self._sem:
            ts = self._clock()
            if check.is_tcp:
                from penguin_tui.sources.tcp import probe_tcp

                probe = await probe_tcp(check)
            else:
                from penguin_tui.sources.http import probe_http

                probe = await probe_http(self._http(check.verify_tls), check, self._lite_client())
        reading, event = self._tracker.check(
            check.key,
            ts,
            ok=probe.ok,
            value=probe.response_ms,
            reason=probe.reason,
            conditions=probe.conditions,
            failure_threshold=check.failure_threshold,
            success_threshold=check.success_threshold,
        )
        out.readings.append(reading)
        if probe.response_ms is not None:
            out.samples.append(Sample(check.key, ts, probe.response_ms))
        out.samples.append(Sample(f"{check.key}:up", ts, 1.0 if probe.ok else 0.0))
        if event is not None:
            out.events.append(event)

    def _prometheus_url(self, metric: MetricConfig) -> str:
        url = metric.prometheus_url or self.config.prometheus_url
        if not url:
            raise SourceError("no Prometheus URL: set [prometheus] url or prometheus_url")
        return url

    async def _fetch(self, metric: MetricConfig) -> float:
        client = self._http()
        if metric.source == "scrape":
            from penguin_tui.sources.scrape import scrape_value

            return await scrape_value(client, metric.scrape, metric.series, metric.timeout_s)
        if metric.source == "json":
            from penguin_tui.sources.jsonfield import json_value

            return await json_value(client, metric.json, metric.field, metric.timeout_s)
        from penguin_tui.sources.prometheus import query_instant

        url = self._prometheus_url(metric)
        return await query_instant(client, url, metric.query, metric.timeout_s)

    async def _poll_metric(self, metric: MetricConfig, out: Batch) -> None:
        info = self._metric_items[metric.key]
        async with self._sem:
            ts = self._clock()
            try:
                value: float | None = await self._fetch(metric)
                reason = ""
            except SourceError as exc:
                value, reason = None, str(exc)
            except Exception as exc:
                log.exception("%s: fetch failed unexpectedly", metric.key)
                value, reason = None, f"internal error: {clean(exc) or type(exc).__name__}"
        if value is not None and metric.rate:
            value, waiting = self._rate(metric.key, ts, value)
            if value is None:
                # Nothing to judge yet: say so without touching the thresholds' counting.
                status = self._tracker.status(metric.key)
                out.readings.append(Reading(metric.key, ts, status, None, waiting, True))
                return
        if value is not None:
            value *= metric.scale
        reading, event = self._tracker.metric(info, ts, value, reason)
        out.readings.append(reading)
        if value is not None:
            out.samples.append(Sample(metric.key, ts, value))
        if event is not None:
            out.events.append(event)

    def _rate(self, key: str, ts: float, raw: float) -> tuple[float | None, str]:
        """Per-second increase of a counter since the previous poll, or why there is none."""
        previous = self._counters.get(key)
        self._counters[key] = (ts, raw)
        if previous is None:
            return None, "waiting for a second reading to compute the rate"
        then, old = previous
        if raw < old:
            # The process behind the counter restarted: the increase across it is unknown.
            return None, "counter reset; the rate resumes at the next reading"
        if ts <= then:
            return None, "no time passed between readings; rate skipped"
        return (raw - old) / (ts - then), ""

    async def _poll_host(self, out: Batch) -> None:
        assert self._host is not None
        self.items()  # host item descriptions, for thresholds
        if self._host.primed_at is None:
            await asyncio.to_thread(self._host.prime)
        # CPU percent is measured between two readings; too close together it reads 0 or 100.
        settle = HOST_SETTLE_S - (time.monotonic() - (self._host.primed_at or 0.0))
        if settle > 0:
            await asyncio.sleep(settle)
        ts = self._clock()
        try:
            figures, failures = await asyncio.to_thread(self._host.sample)
        except Exception as exc:
            log.exception("host sampling failed")
            reason = f"host sampling failed: {clean(exc) or type(exc).__name__}"
            failures, figures = [(k, reason) for k in self._host_items], []
        for fig in figures:
            info = self._host_items.get(fig.key)
            if info is None:
                continue
            reading, event = self._tracker.metric(info, ts, fig.value)
            out.readings.append(reading)
            out.samples.append(Sample(fig.key, ts, fig.value))
            if event is not None:
                out.events.append(event)
        for key, reason in failures:
            info = self._host_items.get(key)
            if info is None:
                continue
            reading, event = self._tracker.metric(info, ts, None, clean(reason))
            out.readings.append(reading)
            if event is not None:
                out.events.append(event)

    # ------------------------------------------------------------------ backfill

    async def _backfill(self) -> None:
        """Fill the gap since the last recorded sample of each Prometheus metric, once."""
        for metric in self.config.metrics:
            if metric.source != "prometheus":
                continue
            with contextlib.suppress(SourceError):
                await self._backfill_one(metric)

    async def _backfill_one(self, metric: MetricConfig) -> None:
        from penguin_tui.sources.prometheus import query_range

        last = self._last_sample_ts.get(metric.key)
        now = self._clock()
        step = max(metric.interval_s, 1.0)
        if last is None or now - last <= 2 * step:
            return
        oldest = now - self.config.retention.raw_s
        if last < oldest:
            last = oldest
        # A rate needs the point just before the gap as its baseline.
        start = last if metric.rate else last + step
        start = max(start, now - step * (BACKFILL_MAX_POINTS - 1))
        async with self._sem:
            try:
                points = await query_range(
                    self._http(), self._prometheus_url(metric), metric.query,
                    start, now, step, metric.timeout_s,
                )  # fmt: skip
            except SourceError as exc:
                log.warning("%s: backfill from Prometheus failed: %s", metric.key, exc)
                raise
        if metric.rate:
            points = [
                (t1, (v1 - v0) / (t1 - t0))
                for (t0, v0), (t1, v1) in itertools.pairwise(points)
                if v1 >= v0 and t1 > t0
            ]
        samples = [Sample(metric.key, t, v * metric.scale) for t, v in points if t > last]
        samples = samples[-BACKFILL_MAX_POINTS:]
        if not samples:
            return
        span = (samples[-1].ts - samples[0].ts) / 3600
        note = f"backfilled {len(samples)} points ({span:.1f} h) from Prometheus"
        self._take(Batch(samples=samples, events=[
            Event(now, metric.key, EventKind.NOTE, None, None, None, note)
        ]))  # fmt: skip
        self._full.set()
