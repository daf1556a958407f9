"""The recorder's alert loop: Alertmanager polled into the cache, local rules recorded.

``Recorder`` (penguin_tui/recorder.py) owns one ``AlertRecorder``. It feeds every batch to
``observe``, calls ``after_flush`` once a flush is written, and runs ``run(stop)`` as a task
next to its maintenance. All SQLite work goes through ``run_on_store_thread`` (the
recorder's one store thread); this module never touches a Store on the event loop.

- Every ``[alertmanager].interval``: local alerts pushed first (when ``push_local``), then
  ``AlertmanagerPool.poll()``. A complete poll replaces the known silences and the
  Alertmanager alert set; a failed one only marks the source down and its alerts stale:
  nothing is resolved, nothing dropped.
- Local rules are evaluated after each flush (and every few seconds when no flush comes);
  the firing set is written when it changed, and every ``LOCAL_REFRESH_S`` so local acks and
  last-seen stay current. Nothing is written per alert when nothing changed.
- After each write, changes of alerts linked to open incidents go on those incidents'
  timelines ("alert fired", "alert resolved": ``incidents/alert_entries.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from penguin_tui.alerts.model import (
    Alert,
    AlertChange,
    AlertSource,
    MaintenanceWindow,
    SourceStatus,
)
from penguin_tui.alerts.rules import RuleEngine
from penguin_tui.config_model import Config
from penguin_tui.errors import CacheError, PenguinError
from penguin_tui.incidents.alert_entries import AlertEntryWriter, wanted
from penguin_tui.model import Batch, ItemInfo, ItemState
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.alerts.am_client import AlertmanagerPool, PollResult
    from penguin_tui.store import Store

log = logging.getLogger("penguin_tui.alerts")

# Runs ``func(store)`` on the recorder's store thread and returns its result.
StoreRunner = Callable[[Callable[["Store"], Any]], Awaitable[Any]]

LOCAL_TICK_S = 5.0  # local rules are evaluated at least this often, flushes or not
LOCAL_REFRESH_S = 10.0  # the local set is written at least this often (acks, last seen)
MAINTENANCE_EVERY_S = 10.0  # maintenance windows are read from the cache at most this often
SETTLE_MAX_S = 120.0  # local alerts are written once every item was read, or after this
PUSH_ENDS_AFTER = 4  # pushed alerts end after this many intervals unless pushed again
LOG_EVERY_S = 300.0  # a repeated failure is logged again after this long
MAX_LOGGED_CHANGES = 20  # per poll; the rest are counted in one line


class _Throttle:
    """Logs a recurring problem when it is new or changed, else once per LOG_EVERY_S."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._last: dict[str, tuple[str, float]] = {}

    def warn(self, topic: str, message: str, *args: object) -> None:
        text = message % args if args else message
        now = self._clock()
        last = self._last.get(topic)
        if last is not None and last[0] == text and now - last[1] < LOG_EVERY_S:
            return
        self._last[topic] = (text, now)
        log.warning("%s", text)

    def clear(self, topic: str) -> None:
        self._last.pop(topic, None)


class AlertRecorder:
    """Polls Alertmanager and evaluates local rules for one recorder."""

    def __init__(
        self,
        config: Config,
        run_on_store_thread: StoreRunner,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._run = run_on_store_thread
        self._clock = clock
        self.engine = RuleEngine(config.rules, clock=clock) if config.rules else None
        self._started = clock()
        self._local_lock = asyncio.Lock()
        self._local: list[Alert] = []  # the firing local alerts last evaluated
        self._recorded_version = -1
        self._recorded_at = -math.inf
        self._evaluated_at = -math.inf
        self._windows: list[MaintenanceWindow] = []
        self._windows_read_at = -math.inf
        self._pushed: dict[str, Alert] = {}  # local alerts last pushed as firing
        self._to_resolve: dict[str, Alert] = {}  # pushed ones since ended: pushed resolved
        self._known: dict[AlertSource, dict[str, Alert]] = {}  # for naming changes in logs
        self._source_ok: dict[str, bool] = {}
        self._throttle = _Throttle(clock)
        self._timeline = AlertEntryWriter()
        self.polls = 0  # complete or not; for tests and status lines

    @property
    def active(self) -> bool:
        """Whether there is anything to do (an Alertmanager or a rule is configured)."""
        return self.config.alertmanager.enabled or self.engine is not None

    # ------------------------------------------------------------------ fed by the recorder

    def start(
        self,
        states: dict[str, ItemState],
        last_sample_ts: dict[str, float],
        items: Sequence[ItemInfo],
    ) -> None:
        """Seed the rules from the cache (statuses, newest samples) and watch ``items``."""
        if self.engine is not None:
            self.engine.seed(states, last_sample_ts, items)

    def set_items(self, items: Sequence[ItemInfo]) -> None:
        """Items that appeared later (host mounts) are watched too."""
        if self.engine is not None:
            self.engine.set_items(items)

    def observe(self, batch: Batch) -> None:
        """Take in one batch as it reaches the recorder."""
        if self.engine is not None:
            self.engine.observe(batch)

    async def after_flush(self) -> None:
        """Evaluate local rules after a flush; write the firing set when it changed."""
        if self.engine is None:
            return
        async with self._local_lock:
            now = self._clock()
            windows = await self._maintenance(now)
            self._local = self.engine.evaluate(now, windows)
            self._evaluated_at = now
            if not (self.engine.settled or now - self._started >= SETTLE_MAX_S):
                return
            fresh = self.engine.version == self._recorded_version
            if fresh and now - self._recorded_at < LOCAL_REFRESH_S:
                return
            alerts = self._local
            try:
                changes = await self._run(
                    lambda store: store.record_alerts(AlertSource.LOCAL, alerts, now)
                )
            except CacheError as exc:
                self._throttle.warn("local", "could not record local alerts (will retry): %s", exc)
                return
            self._throttle.clear("local")
            self._recorded_version = self.engine.version
            self._recorded_at = now
            await self._log_changes(AlertSource.LOCAL, alerts, changes)
            await self._incident_entries(changes)

    async def _maintenance(self, now: float) -> list[MaintenanceWindow]:
        if now - self._windows_read_at < MAINTENANCE_EVERY_S:
            return self._windows
        try:
            self._windows = await self._run(
                lambda store: store.maintenance_windows(now, include_ended_s=0)
            )
        except CacheError as exc:
            self._throttle.warn("maint", "could not read maintenance windows: %s", exc)
        self._windows_read_at = now
        return self._windows

    # ------------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event) -> None:
        """Poll Alertmanager and tick local rules until ``stop`` is set."""
        tasks = []
        if self.config.alertmanager.enabled:
            tasks.append(asyncio.create_task(self._poll_forever(stop), name="alertmanager"))
        if self.engine is not None:
            tasks.append(asyncio.create_task(self._tick_forever(stop), name="local-rules"))
        if not tasks:
            return
        await self._guarded(self._catch_up_incidents(), "incident timelines")
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _tick_forever(self, stop: asyncio.Event) -> None:
        # Flushes drive evaluation; this covers the quiet times (a stale rule must fire even
        # when every item has a long interval and nothing is flushed for minutes).
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LOCAL_TICK_S)
            if not stop.is_set() and self._clock() - self._evaluated_at >= LOCAL_TICK_S:
                await self._guarded(self.after_flush(), "local rules")

    async def _poll_forever(self, stop: asyncio.Event) -> None:
        interval = self.config.alertmanager.interval_s
        pool: AlertmanagerPool | None = None
        try:
            while not stop.is_set():
                began = time.monotonic()
                if pool is None:
                    pool = await self._open_pool()
                if pool is not None:
                    # Push before polling: a local alert that ended is resolved in
                    # Alertmanager before its list is read back.
                    await self._guarded(self.push_local(pool), "pushing local alerts")
                    await self._guarded(self.poll_once(pool), "polling Alertmanager")
                wait = max(0.0, interval - (time.monotonic() - began))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
        finally:
            if pool is not None:
                await pool.aclose()

    async def _guarded(self, job: Awaitable[None], what: str) -> None:
        try:
            await job
        except CacheError as exc:
            self._throttle.warn(what, "%s: could not write the cache (will retry): %s", what, exc)
        except Exception:
            # A bug must not end the alert loop for good; it is logged with its traceback.
            log.exception("%s failed unexpectedly; retrying next interval", what)

    async def _open_pool(self) -> AlertmanagerPool | None:
        from penguin_tui.alerts.am_client import AlertmanagerPool

        try:
            return AlertmanagerPool(self.config.alertmanager, clock=self._clock)
        except PenguinError as exc:
            # An unreadable password or CA file: every URL is down, for a reason worth saying.
            reason = sanitize(exc, single_line=True, max_len=300)
            self._throttle.warn("pool", "Alertmanager not polled: %s", reason)
            now = self._clock()
            statuses = [
                SourceStatus(url, False, now, error=reason) for url in self.config.alertmanager.urls
            ]
            await self._record_failure(statuses)
            return None

    async def poll_once(self, pool: AlertmanagerPool) -> PollResult:
        """One poll, recorded: the whole set when complete, else the source marked down."""
        result = await pool.poll()
        now = self._clock()
        self.polls += 1
        self._log_sources(result.statuses)
        if result.problems:
            shown = "; ".join(result.problems[:3])
            more = f" (and {len(result.problems) - 3} more)" if len(result.problems) > 3 else ""
            self._throttle.warn("problems", "Alertmanager answer: %s%s", shown, more)
        if not result.complete:
            await self._record_failure(result.statuses)
            return result

        alerts = result.alerts
        engine = self.engine
        if self.config.alertmanager.push_local and engine is not None:
            # Our pushed alerts come back from Alertmanager. The rules decide whether they
            # fire; an echo read just before a resolved push landed must not re-open one.
            alerts = [a for a in alerts if not engine.owns(a.fingerprint)]

        def write(store: Store) -> list[AlertChange]:
            # Silences first: the store tells acks (ACK by ... silences) apart by them.
            store.record_silences(result.silences, now)
            changes = store.record_alerts(AlertSource.ALERTMANAGER, alerts, now)
            store.set_alert_sources(result.statuses)
            return changes

        changes = await self._run(write)
        await self._log_changes(AlertSource.ALERTMANAGER, alerts, changes)
        await self._incident_entries(changes)
        return result

    async def _record_failure(self, statuses: list[SourceStatus]) -> None:
        def write(store: Store) -> None:
            store.set_alert_sources(statuses)
            store.mark_alerts_stale(AlertSource.ALERTMANAGER, True)

        await self._run(write)

    async def push_local(self, pool: AlertmanagerPool) -> None:
        """POST the firing local alerts (endsAt a few intervals ahead, as Prometheus does)
        and, once, those that ended (endsAt now). Muted ones are not sent: a maintenance
        window is planned work, nobody is to be paged for it."""
        if not self.config.alertmanager.push_local or self.engine is None:
            return
        now = self._clock()
        interval = self.config.alertmanager.interval_s
        current = {a.fingerprint: a for a in self._local if not a.silenced_by}
        for fp, alert in self._pushed.items():
            if fp not in current:
                self._to_resolve[fp] = alert
        for fp in current:
            self._to_resolve.pop(fp, None)
        self._pushed = current
        alerts = [replace(a, ends_at=now + PUSH_ENDS_AFTER * interval) for a in current.values()]
        alerts += [replace(a, ends_at=now) for a in self._to_resolve.values()]
        if not alerts:
            return
        from penguin_tui.alerts.am_client import AlertmanagerError

        try:
            await pool.post_alerts(alerts)
        except AlertmanagerError as exc:
            # Ended ones stay queued; firing ones are sent again next interval anyway.
            self._throttle.warn("push", "could not push local alerts to Alertmanager: %s", exc)
            return
        self._throttle.clear("push")
        self._to_resolve.clear()

    # ------------------------------------------------------------------ incident timelines

    async def _incident_entries(self, changes: Sequence[AlertChange]) -> None:
        """Put "alert fired"/"alert resolved" on the open incidents the changed alerts are
        linked to. Free when nothing fired or resolved (no query); a failed write is retried."""
        writer = self._timeline
        if not (writer.has_pending or wanted(changes)):
            return
        try:
            written = await self._run(lambda store: writer.write(store, changes))
        except CacheError as exc:
            self._throttle.warn(
                "incidents", "could not add alert entries to incidents (will retry): %s", exc
            )
            return
        self._throttle.clear("incidents")
        for entry in written:
            log.info("incident %s: %s", entry.incident_id, entry.text)

    async def _catch_up_incidents(self) -> None:
        # Entries a crash between recording a change and writing its entry left out.
        writer = self._timeline
        for entry in await self._run(writer.catch_up):
            log.info("incident %s: %s (caught up)", entry.incident_id, entry.text)

    # ------------------------------------------------------------------ logging

    def _log_sources(self, statuses: Sequence[SourceStatus]) -> None:
        for status in statuses:
            was = self._source_ok.get(status.name)
            self._source_ok[status.name] = status.ok
            if status.ok and was is False:
                log.info("Alertmanager %s reachable again", sanitize(status.name, single_line=True))
            elif not status.ok and was is not False:
                log.warning(
                    "Alertmanager %s unreachable: %s (its alerts are kept, marked stale)",
                    sanitize(status.name, single_line=True),
                    sanitize(status.error, single_line=True, max_len=300),
                )

    async def _log_changes(
        self, source: AlertSource, alerts: Sequence[Alert], changes: Sequence[AlertChange]
    ) -> None:
        """One INFO line per state change: ``alert firing: <alertname> <subject> (<sev>)``."""
        known = self._known.get(source)
        if not changes and known is not None:
            return  # the common case: nothing to say, nothing built
        current = {a.fingerprint: a for a in alerts}
        previous = known or {}
        shown = changes[:MAX_LOGGED_CHANGES]
        found: dict[str, Alert] = {}
        missing = [
            c.fingerprint
            for c in shown
            if c.fingerprint not in current and c.fingerprint not in previous
        ]
        if missing:
            # Resolved while no recorder ran: the cache still knows what they were.
            with contextlib.suppress(CacheError):
                stored = await self._run(lambda store: [store.alert(fp) for fp in missing])
                found.update({a.fingerprint: a for a in stored if a is not None})
        for change in shown:
            fp = change.fingerprint
            alert = current.get(fp) or previous.get(fp) or found.get(fp)
            log.info("alert %s: %s", sanitize(change.new, single_line=True), _describe(alert))
        if len(changes) > MAX_LOGGED_CHANGES:
            log.info("... and %d more alert changes", len(changes) - MAX_LOGGED_CHANGES)
        self._known[source] = current


def _describe(alert: Alert | None) -> str:
    """``<alertname> <subject> (<severity>)`` for a log line, sanitised and short."""
    if alert is None:
        return "(an alert no longer in the cache)"
    name = sanitize(alert.alertname or "(no alertname)", single_line=True, max_len=80)
    subject = sanitize(alert.subject, single_line=True, max_len=80)
    severity = alert.severity.name.lower()
    return f"{name} {subject} ({severity})" if subject else f"{name} ({severity})"
