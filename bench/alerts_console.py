"""The console side of bench_alerts.py: the real console, headless and instrumented, in a child
process; and the bare-DataTable baseline. Not run by hand.

    python bench/alerts_console.py console|first|bare CACHE ALERTMANAGER_URL N

``console``: a ``PenguinApp`` on CACHE, attached (it records nothing: the parent is its
recorder), on the alerts screen, answering the parent's commands (JSON lines on stdin, one
JSON answer per command on stdout). ``first``: a console whose cache already holds the N alerts;
it sends ``2`` and reports the time to the first painted frame of the table, then exits.
``bare``: a bare Textual app adding the same N rows of text to a DataTable, then exits.

How it measures (this process only; nothing here changes the product): methods of the app's
classes are wrapped to record spans (wall and CPU of the thread they ran on) — the feed's read
and the view build on the reader thread, ``AlertsScreen._apply`` and ``AlertTable.show`` on the
event loop, each frame (Textual's update timer: layout, the compositor's render) and each paint,
the cursor keys' handlers, and every pass of the cyclic garbage collector. The headless driver
drops frames before turning them into escape sequences; ``BenchApp`` does that work (and drops
the result), as a terminal's console would on the event loop.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (120, 40)
SEED = 4
KEY_GAP_S = (0.020, 0.045)  # a held arrow key repeats ~30 times a second
WATCH_STRETCHED_S = 3600.0
POLL_S = 0.005  # how often a wait looks at the spans (on the event loop: kept cheap)
NO_FRAME_S = 0.25  # no frame this long after a show: nothing on screen needed repainting


class BenchError(Exception):
    """Something the bench needs did not happen; ``str()`` says what."""


# --- the alerts (the parent posts them; the bare baseline shows them as text) -----------------

ALERTNAMES = (
    "HighBounceRate", "SmtpQueueBacklog", "DkimSigningFailures", "SpfLookupErrors",
    "DmarcReportBacklog", "MxUnreachable", "TlsCertExpiringSoon", "DeliveryLatencyHigh",
    "DeferredMailGrowing", "BlocklistHit", "ApiErrorRate", "ApiLatencyP99",
    "WebhookDeliveryFailing", "DiskFilling", "DiskInodesLow", "HostMemoryPressure",
    "HostCpuSaturated", "NodeDown", "PostgresReplicationLag", "PostgresConnectionsHigh",
    "RedisMemoryHigh", "RabbitQueueGrowing", "KafkaConsumerLag", "ImapLoginFailures",
    "SmtpAuthFailures", "SpamScoreDrift", "ComplaintRateHigh", "WarmupThrottled",
    "DnsResolutionSlow", "LoadBalancerErrors", "ContainerRestarting", "CronJobFailed",
    "BackupMissing", "CertRenewalFailed", "RateLimitSaturated", "InboundVirusDetected",
    "OutboundVolumeSpike", "BounceProcessorStalled", "TrackingPixel5xx", "Watchdog",
)  # fmt: skip
SEVERITIES = ("critical",) * 5 + ("high",) * 10 + ("warning",) * 55 + ("info",) * 30
KINDS = (
    "smtp-relay", "mx-in", "api", "webhook", "imap", "tracker", "bounce-proc", "queue", "db",
    "cache", "dns", "lb", "warmup", "dkim-signer", "scheduler",
)  # fmt: skip
SERVICES = tuple(f"{kind}-{n:02d}" for kind in KINDS for n in range(20))  # 300
CLUSTERS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1")
TEAMS = ("deliverability", "platform", "api", "data", "sre")


def iso(ts: float) -> str:
    """An epoch time as Alertmanager's RFC 3339."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


def make_alerts(n: int, now: float, seed: int = SEED) -> list[dict[str, Any]]:
    """``n`` postable alerts (``POST /api/v2/alerts`` items) with realistic labels and text.

    endsAt is 3 h ahead: Alertmanager resolves none of them during a run, so nothing needs
    re-posting (Prometheus would re-send them every minute with a nearer endsAt instead).
    """
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        name = ALERTNAMES[rnd.randrange(len(ALERTNAMES))]
        service = SERVICES[rnd.randrange(len(SERVICES))]
        cluster = CLUSTERS[rnd.randrange(len(CLUSTERS))]
        env = "prod" if rnd.random() < 0.8 else "staging"
        team = TEAMS[rnd.randrange(len(TEAMS))]
        instance = f"{service}-{i:05d}.{cluster}.internal:9100"  # unique: n label sets
        labels = {
            "alertname": name,
            "severity": SEVERITIES[rnd.randrange(len(SEVERITIES))],
            "service": service,
            "instance": instance,
            "job": service.rsplit("-", 1)[0],
            "env": env,
            "cluster": cluster,
            "team": team,
        }
        notes = {
            "summary": f"{name} on {service} ({instance})",
            "description": (
                f"{name} has been firing on {instance} in {cluster} ({env}); the last value "
                f"crossed its threshold and {team} is paged by the routing tree. Check the "
                "dashboard before acting."
            ),
            "runbook_url": f"https://runbooks.penguinmails.internal/{name.lower()}",
        }
        out.append(
            {
                "labels": labels,
                "annotations": notes,
                "startsAt": iso(now - rnd.uniform(60, 12 * 3600)),
                "endsAt": iso(now + 3 * 3600),
                "generatorURL": f"http://prometheus.{cluster}.internal:9090/graph?g0.expr={name}",
            }
        )
    return out


def table_rows(alerts: Sequence[dict[str, Any]], now: float) -> list[tuple[str, ...]]:
    """The same alerts as plain text rows, in the alert table's columns (the bare baseline)."""
    from penguin_tui.alerts.view import coarse_age

    rows = []
    for a in alerts:
        labels = a["labels"]
        started = datetime.fromisoformat(a["startsAt"]).timestamp()
        age = coarse_age(now - started)
        rows.append(
            ("", labels["severity"], "firing", age, labels["alertname"], labels["service"],
             a["annotations"]["summary"])
        )  # fmt: skip
    return rows


def p95(xs: Sequence[float]) -> float:
    """The 95th percentile (the largest value for fewer than two)."""
    if len(xs) < 2:
        return max(xs, default=float("nan"))
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def rss_mib() -> float:
    """This process's resident memory, MiB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


# --- spans ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """One timed call: wall (perf_counter) and CPU of the thread it ran on."""

    kind: str
    start: float
    end: float
    cpu_start: float
    cpu_end: float
    info: Any = None


@dataclass
class Probe:
    """Timed wrappers around the app's methods (in this process only) and what they saw.

    Spans of one kind are kept in start order (event-loop spans never overlap), so looking up
    "the first frame after t" is a bisection: the waits below run on the event loop they
    measure and must cost next to nothing.
    """

    spans: dict[str, list[Span]] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)

    def add(self, span: Span) -> None:
        """Keep one span under its kind."""
        self.spans.setdefault(span.kind, []).append(span)

    def wrap(
        self,
        owner: type,
        name: str,
        kind: str,
        info: Callable[[Any], Any] | None = None,
        nest: str = "",
    ) -> None:
        """Replace ``owner.name`` with a timed call; a call made inside another of the same
        ``nest`` group is not recorded again (a layout refresh inside a frame)."""
        real = getattr(owner, name)
        probe = self
        group = nest or kind

        def timed(*args: Any, **kwargs: Any) -> Any:
            depth = probe.depth.get(group, 0)
            probe.depth[group] = depth + 1
            cpu, start = time.thread_time(), time.perf_counter()
            try:
                result = real(*args, **kwargs)
            finally:
                probe.depth[group] = depth
            if depth == 0:
                end, cpu_end = time.perf_counter(), time.thread_time()
                probe.add(Span(kind, start, end, cpu, cpu_end, info(result) if info else None))
            return result

        setattr(owner, name, timed)

    def watch_gc(self) -> None:
        """Each pass of the cyclic collector as a span ``gc0``/``gc1``/``gc2``."""
        started: dict[int, tuple[float, float]] = {}

        def on_gc(phase: str, info: dict[str, int]) -> None:
            me = threading.get_ident()
            if phase == "start":
                started[me] = (time.perf_counter(), time.thread_time())
                return
            t0, cpu0 = started.pop(me, (time.perf_counter(), time.thread_time()))
            end, cpu_end = time.perf_counter(), time.thread_time()
            self.add(Span(f"gc{info['generation']}", t0, end, cpu0, cpu_end, info["collected"]))

        gc.callbacks.append(on_gc)

    def of(self, kind: str, after: float = 0.0) -> list[Span]:
        """The spans of ``kind`` that began at or after ``after``."""
        found = self.spans.get(kind, [])
        return found[bisect.bisect_left(found, after, key=lambda s: s.start) :]

    def clear(self) -> None:
        """Forget every span (a new measuring window)."""
        self.spans.clear()

    def gc_pauses(self, after: float = 0.0) -> dict[str, Any]:
        """Full collections since ``after``: how many, the longest wall and CPU."""
        full = self.of("gc2", after)
        return {
            "gc2": len(full),
            "gc2_max": max((s.end - s.start for s in full), default=0.0),
            "gc2_cpu_max": max((s.cpu_end - s.cpu_start for s in full), default=0.0),
        }

    def frame_after(self, t: float) -> Span | None:
        """The first frame that began at or after ``t`` and painted (its end: on screen)."""
        paints = self.of("paint", t)
        if not paints:
            return None
        paint = paints[0]
        for frame in self.of("frame", t):
            if frame.start > paint.start:
                break
            if paint.end <= frame.end:
                return frame
        return paint  # painted outside Textual's update timer (a deferred refresh)


PROBE = Probe()


def instrument() -> None:
    """Time the console's work on the event loop and on the reader thread (before the app
    exists); stretch the alert feed's watch so each refresh starts when the parent asks."""
    from textual.screen import Screen
    from textual.widgets import DataTable

    from penguin_tui.alerts.view import AlertsLoader, ViewBuilder
    from penguin_tui.screens import alert_feed
    from penguin_tui.screens.alerts import AlertsScreen
    from penguin_tui.widgets.alert_table import AlertTable

    # The watch would start reads on its own 2 s clock; the real console starts each up to
    # 2 s after the recorder wrote. That wait is not work: here a read starts when asked.
    alert_feed.ALERTS_WATCH_S = WATCH_STRETCHED_S
    PROBE.wrap(AlertsLoader, "load", "load", info=lambda data: len(data.changed))
    PROBE.wrap(ViewBuilder, "build", "build", info=lambda view: len(view.rows))
    PROBE.wrap(AlertsScreen, "_apply", "apply")
    PROBE.wrap(AlertTable, "show", "show", info=lambda touched: touched)
    # A frame: Textual's update timer (layout if needed, then the compositor's render), or a
    # layout refresh outside it (a screen being shown). ``paint`` marks each rendered frame.
    PROBE.wrap(Screen, "_on_timer_update", "frame", nest="frame")
    PROBE.wrap(Screen, "_refresh_layout", "frame", nest="frame")
    PROBE.wrap(Screen, "_compositor_refresh", "paint")
    PROBE.wrap(DataTable, "action_cursor_down", "key")
    PROBE.wrap(DataTable, "action_cursor_up", "key")
    PROBE.watch_gc()


def bench_app_class() -> type:
    """PenguinApp whose headless frames still pay for their escape sequences."""
    from textual._compositor import CompositorUpdate

    from penguin_tui.app import PenguinApp

    class BenchApp(PenguinApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            # The headless driver drops a frame before turning it into terminal output; a
            # terminal's console pays for that on the event loop, so it is paid here too.
            if self.is_headless and isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            super()._display(screen, renderable)

    return BenchApp


async def until(cond: Callable[[], object], timeout: float, what: str) -> None:
    """Wait on the event loop until ``cond()``; BenchError naming ``what`` after ``timeout`` s."""
    deadline = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > deadline:
            raise BenchError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(POLL_S)


# --- the console --------------------------------------------------------------------------------


class Console:
    """One instrumented console and what the parent can ask of it."""

    def __init__(self, app: Any, out: Any) -> None:
        self.app = app
        self.out = out
        self.sent: list[float] = []
        self.lags: list[float] = []
        self._keys_stop = threading.Event()
        self._keys_thread: threading.Thread | None = None
        self._lag_task: asyncio.Task[None] | None = None

    def say(self, **data: Any) -> None:
        """One JSON answer to the parent."""
        self.out.write(json.dumps(data) + "\n")
        self.out.flush()

    def table_rows(self) -> int:
        """How many rows the alert table holds."""
        from penguin_tui.widgets.alert_table import AlertTable

        return len(self.app.screen.query_one(AlertTable).keys)

    def send_key(self, key: str) -> None:
        """Send ``key`` as the terminal driver would (from any thread)."""
        from textual import events

        # What Textual's Linux driver does with a key read from the terminal, from any thread.
        self.app._driver.send_message(events.Key(key, key if len(key) == 1 else None))

    async def refresh(self, rows: int, touched: int) -> dict[str, Any]:
        """One read of the alert stream, as the watch starts it, until its frame is painted."""
        cpu0, t0 = time.thread_time(), time.perf_counter()
        self.app.refresh_alerts()
        return await self.painted(t0, cpu0, rows, touched, "refresh")

    async def painted(
        self, t0: float, cpu0: float, rows: int, touched: int, what: str
    ) -> dict[str, Any]:
        """Wait for the first show since ``t0`` that touched ``touched`` rows or more and the
        frame after it; what it took: wall, the event loop's CPU, and each part. (A second
        build may follow with a few rows whose coarse age moved on: not this one's work.)"""

        def shown() -> Span | None:
            shows = [s for s in PROBE.of("show", t0) if s.info >= touched]
            return shows[0] if shows else None

        def done() -> bool:
            show = shown()
            if show is None:
                return False
            # Nothing on screen may have changed (every changed row below the fold): then
            # no frame comes, and the work ended with the screen's apply.
            return PROBE.frame_after(show.end) is not None or (
                time.perf_counter() - show.end > NO_FRAME_S
            )

        await until(done, 60, f"{what}: the table's frame")
        show = shown()
        assert show is not None
        frame = PROBE.frame_after(show.end)
        painted = frame is not None
        if frame is None:  # no repaint was needed: done when the apply around the show ended
            applies = [s for s in PROBE.of("apply", t0) if s.start <= show.start <= s.end]
            frame = applies[-1] if applies else show
        if self.table_rows() < rows:
            raise BenchError(f"{what}: {self.table_rows()} rows shown, {rows} expected")
        return {
            "wall": frame.end - t0,
            "ui_cpu": frame.cpu_end - cpu0,  # the event loop's thread, start to painted
            "load": sum(s.end - s.start for s in PROBE.of("load", t0) if s.start < frame.end),
            "build": sum(s.end - s.start for s in PROBE.of("build", t0) if s.end <= show.start),
            "apply": sum(
                s.end - s.start for s in PROBE.of("apply", t0) if s.start <= show.start <= s.end
            ),
            "show": show.end - show.start,
            "touched": show.info,
            "paint": frame.end - frame.start if painted else 0.0,
            **PROBE.gc_pauses(t0),
        }

    # --- a held arrow key ------------------------------------------------------------------

    async def keys_start(self) -> None:
        """Put the cursor on the first alert followed by another (moving through a storm is
        mostly alert to alert; a group header's pane is shorter) and start pressing."""
        from penguin_tui.alerts.view import GROUP_PREFIX
        from penguin_tui.widgets.alert_table import AlertTable

        table = self.app.screen.query_one(AlertTable)
        keys = table.keys
        first = next(
            i
            for i in range(len(keys) - 1)
            if not keys[i].startswith(GROUP_PREFIX) and not keys[i + 1].startswith(GROUP_PREFIX)
        )
        table.move_cursor(row=first, animate=False)
        await asyncio.sleep(0.5)  # its detail and history shown
        PROBE.clear()
        self.sent, self.lags = [], []
        self._keys_stop.clear()
        self._keys_thread = threading.Thread(target=self._press, daemon=True)
        self._lag_task = asyncio.create_task(self._lag())
        self._keys_thread.start()

    def _press(self) -> None:
        rnd = random.Random(SEED)
        n = 0
        while not self._keys_stop.wait(rnd.uniform(*KEY_GAP_S)):
            self.sent.append(time.perf_counter())
            self.send_key("down" if n % 2 == 0 else "up")  # the list never scrolls
            n += 1

    async def _lag(self) -> None:
        """How late a 1 ms sleep wakes: what any event waits for the loop at that moment."""
        while not self._keys_stop.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lags.append(time.perf_counter() - began - 0.001)

    async def keys_stop(self, busy: list[tuple[float, float]]) -> dict[str, Any]:
        """Stop pressing; each press's latency = its send to the end of the first frame painted
        after its handler ran. ``busy``: refresh windows (start, painted)."""
        self._keys_stop.set()
        assert self._keys_thread is not None and self._lag_task is not None
        self._keys_thread.join()
        await self._lag_task
        sent = list(self.sent)
        await until(lambda: len(PROBE.of("key")) >= len(sent), 10, "every key handled")
        await asyncio.sleep(0.2)  # the last key's frame
        handled = PROBE.of("key")
        if len(handled) != len(sent):
            raise BenchError(f"{len(sent)} keys sent, {len(handled)} handled")
        latencies, during, frames, waits = [], [], [], []
        for at, key in zip(sent, handled, strict=True):
            frame = PROBE.frame_after(key.end)
            if frame is None:
                raise BenchError("a key's frame was never painted")
            latencies.append(frame.end - at)
            frames.append(frame.end - frame.start)
            waits.append(key.start - at)  # until the loop got to the key
            if any(a <= at <= b for a, b in busy):
                during.append(frame.end - at)
        return {
            "latencies": latencies,
            "during": during,
            "frames": frames,
            "waits": waits,
            "handling": [s.end - s.start for s in handled],
            "lag_max": max(self.lags, default=0.0),
            **PROBE.gc_pauses(),
        }


async def first_render(app: Any, console: Console, expect: int) -> None:
    """The feed holds the alerts (read at start); ``2`` is pressed; until the table is painted."""
    from textual import events

    await until(
        lambda: app.alert_data is not None and len(app.alert_data.alerts) >= expect,
        60,
        "the alert feed's first read",
    )
    load = PROBE.of("load")[0]
    await asyncio.sleep(0.5)  # the health screen settles
    gc.collect()
    cpu0, t0 = time.thread_time(), time.perf_counter()
    app._driver.send_message(events.Key("2", "2"))
    result = await console.painted(t0, cpu0, expect, expect, "key 2")
    result["load"] = load.end - load.start  # the feed's read of all of them, at start
    # The view the feed built ahead of the key (after that read): part of the chain too.
    result["prebuild"] = sum(s.end - s.start for s in PROBE.of("build", load.start) if s.end <= t0)
    console.say(**result)


async def serve(app: Any, console: Console) -> None:
    """On the alerts screen, answer the parent's commands in order until it closes stdin."""
    import tracemalloc

    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, '{"cmd": "quit"}')

    threading.Thread(target=read, daemon=True).start()
    console.send_key("2")
    await until(lambda: type(app.screen).__name__ == "AlertsScreen", 20, "the alerts screen")
    await asyncio.sleep(0.5)
    console.say(ready=True)
    busy: list[tuple[float, float]] = []
    while True:
        cmd = json.loads(await lines.get())
        what = cmd["cmd"]
        if what == "quit":
            return
        if what == "rss":
            gc.collect()
            started = time.thread_time()
            gc.collect()  # again, timed: what one full pass costs with what is held now
            full_gc = time.thread_time() - started
            traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
            objects = len(gc.get_objects())
            console.say(rss=rss_mib(), traced=traced, objects=objects, full_gc=full_gc)
        elif what == "trace":
            gc.collect()
            tracemalloc.start()
            console.say(ok=True)
        elif what == "refresh":
            t0 = time.perf_counter()
            result = await console.refresh(cmd["rows"], cmd["touched"])
            busy.append((t0, t0 + result["wall"]))
            console.say(**result)
        elif what == "keys-start":
            busy.clear()
            await console.keys_start()
            console.say(ok=True)
        elif what == "keys-stop":
            console.say(**await console.keys_stop(list(busy)))


async def console_child(mode: str, cache: str, url: str, expect: int, out: Any) -> None:
    """The real console (attached: ``record=False``) over ``cache``, at 120x40, headless."""
    from penguin_tui.config_model import AlertmanagerConfig, Config

    config = Config(alertmanager=AlertmanagerConfig(urls=(url,)))
    app = bench_app_class()(config, cache, record=False)
    async with app.run_test(size=SIZE, notifications=True):
        console = Console(app, out)
        if mode == "first":
            await first_render(app, console, expect)
        else:
            await serve(app, console)


# --- the baseline -------------------------------------------------------------------------------


async def bare_child(expect: int, out: Any) -> None:
    """The same rows as text into a bare DataTable in one add_rows, until painted."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            for name in ("", "Severity", "State", "Age", "Alert", "Service", "Summary"):
                table.add_column(name)
            table.focus()

    # DataTable measures new rows when idle; the frame after that shows them.
    PROBE.wrap(DataTable, "_update_dimensions", "dims")
    app = BareApp()
    async with app.run_test(size=SIZE):
        await asyncio.sleep(0.5)
        gc.collect()
        rss0 = rss_mib()
        now = time.time()
        rows = table_rows(make_alerts(expect, now), now)  # the strings count as memory added
        gc.collect()
        table = app.query_one(DataTable)
        cpu0, t0 = time.thread_time(), time.perf_counter()
        table.add_rows(rows)

        def painted() -> Span | None:
            dims = PROBE.of("dims", t0)
            return PROBE.frame_after(dims[-1].end) if dims and table.row_count >= expect else None

        await until(painted, 60, "bare table painted")
        frame = painted()
        assert frame is not None
        gc.collect()
        result = {"wall": frame.end - t0, "ui_cpu": frame.cpu_end - cpu0, "rss": rss_mib() - rss0}
        out.write(json.dumps(result) + "\n")
        out.flush()


def main() -> None:
    """``MODE CACHE URL N`` from the command line (see the module's docstring)."""
    mode, cache, url, n = sys.argv[1:5]
    out = os.fdopen(os.dup(1), "w", buffering=1)  # Textual may take sys.stdout over
    instrument()
    if mode == "bare":
        asyncio.run(bare_child(int(n), out))
    else:
        asyncio.run(console_child(mode, cache, url, int(n), out))


if __name__ == "__main__":
    main()
