"""The recorder: runs the poller and writes what it sees into the cache.

It is the one writer of a cache, whether it runs inside ``penguin-tui daemon`` or inside a console
that found no daemon. SQLite work happens on one dedicated thread that owns the connection
(sqlite3 connections belong to the thread that made them, and one writer thread also serialises
writes without locks); the event loop only awaits it, so polling never stalls on the disk.
When alerts are configured it also runs the alert loop (``alerts/alert_recorder.py``):
Alertmanager polled into the cache, and the local rules fed every batch it writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from penguin_tui.config_model import Config
from penguin_tui.errors import CacheError
from penguin_tui.model import Batch, Event, EventKind, ItemInfo, ItemState

if TYPE_CHECKING:
    from penguin_tui.alerts.alert_recorder import AlertRecorder
    from penguin_tui.store import Store

log = logging.getLogger("penguin_tui.recorder")

T = TypeVar("T")

MAINTENANCE_EVERY_S = 60.0
# How often results are written. A console's own recorder writes every second (its operator
# is watching); a daemon every few seconds: fewer transactions, and kill -9 still loses only
# the last few seconds (the "at most the last batch").
FLUSH_EVERY_S = {"daemon": 3.0, "console": 1.0}
# Batches that could not be written (disk full, a long lock) are kept and retried, up to this
# many, so a short hiccup loses nothing; past it the oldest go, with a log line saying so.
MAX_PENDING_BATCHES = 600


class Recorder:
    """Poll every configured target and record the results in one cache.

    ``run`` returns when ``stop`` is set, after the last results were written and the writer
    lock released. Raises WriterLockHeld if another recorder already writes the cache.
    """

    def __init__(
        self,
        config: Config,
        cache_path: Path | str,
        *,
        role: str = "daemon",
        clock: Callable[[], float] = time.time,
        on_batch: Callable[[Batch], None] | None = None,
    ) -> None:
        self.config = config
        self.cache_path = cache_path
        self.role = role
        self.clock = clock
        self.on_batch = on_batch  # lets a console refresh as soon as data lands
        self.batches_written = 0
        self.samples_written = 0
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="penguin-store")
        self._store: Store | None = None
        self._pending: deque[Batch] = deque()
        self._known_items: frozenset[str] = frozenset()
        self._ready = asyncio.Event()
        self._alerts: AlertRecorder | None = None  # Alertmanager polling and local rules

    async def _on_store_thread(self, func: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, func, *args)

    def _open(self) -> Store:
        from penguin_tui.store import Store

        store = Store.open(self.cache_path)
        try:
            store.acquire_writer(self.role)
        except BaseException:
            store.close()
            raise
        store.set_retention(self.config.retention)
        store.set_alert_history(self.config.alerts.history_days * 86400)
        store.sync_items(self.config.items())
        return store

    async def _on_store(self, func: Callable[[Store], T]) -> T:
        """Run ``func(store)`` on the store thread (how the alert loop reaches the cache)."""
        store = self._store
        if store is None:
            raise CacheError(f"{self.cache_path}: the cache is closed")
        return await self._on_store_thread(func, store)

    async def wait_ready(self) -> None:
        """Wait until the cache is open and the writer lock is held."""
        await self._ready.wait()

    async def run(self, stop: asyncio.Event) -> None:
        """Record until ``stop`` is set."""
        from penguin_tui.poller import Poller

        try:
            self._store = await self._on_store_thread(self._open)
            store = self._store
            states = await self._on_store_thread(store.states)
            last_ts = await self._on_store_thread(store.last_sample_ts)
            self._ready.set()
            await self._sink(Batch(events=[self._note(f"recorder started ({self.role})")]))
            poller = Poller(
                self.config,
                self._sink,
                initial_states=states,
                last_sample_ts=last_ts,
                clock=self.clock,
                flush_interval_s=FLUSH_EVERY_S.get(self.role, 1.0),
            )
            self._poller = poller
            tasks = [asyncio.create_task(self._maintain_forever(stop))]
            alerts = self._start_alerts(states, last_ts, poller.items())
            if alerts is not None:
                tasks.append(asyncio.create_task(alerts.run(stop), name="alerts"))
            try:
                await poller.run(stop)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await self._sink(Batch(events=[self._note(f"recorder stopped ({self.role})")]))
        finally:
            await self._close()

    def _start_alerts(
        self, states: dict[str, ItemState], last_ts: dict[str, float], items: list[ItemInfo]
    ) -> AlertRecorder | None:
        from penguin_tui.alerts.alert_recorder import AlertRecorder

        alerts = AlertRecorder(self.config, self._on_store, self.clock)
        if not alerts.active:
            return None
        alerts.start(states, last_ts, items)
        self._alerts = alerts
        return alerts

    def _note(self, text: str) -> Event:
        return Event(self.clock(), "recorder", EventKind.NOTE, None, None, None, text)

    async def _sink(self, batch: Batch) -> None:
        """Write one batch (and any earlier ones that failed) on the store thread."""
        if not batch:
            return
        if self._alerts is not None:
            self._alerts.observe(batch)
        self._pending.append(batch)
        await self._write_pending()
        if self._alerts is not None:
            await self._alerts.after_flush()

    async def _write_pending(self) -> None:
        while len(self._pending) > MAX_PENDING_BATCHES:
            dropped = self._pending.popleft()
            log.error(
                "cache unwritable for too long: dropped a batch of %d samples", len(dropped.samples)
            )
        try:
            await self._sync_new_items()
        except CacheError as exc:
            log.warning("could not describe new items in the cache (will retry): %s", exc)
        while self._pending:
            head = self._pending[0]
            try:
                await self._on_store_thread(self._write, head)
            except CacheError as exc:
                log.warning("could not write the cache (will retry): %s", exc)
                return
            self._pending.popleft()
            self.batches_written += 1
            self.samples_written += len(head.samples)
            for event in head.events:
                if event.kind in (EventKind.STATE, EventKind.BREACH):
                    log.info("%s: %s -> %s %s", event.key, event.old, event.new, event.reason)
            if self.on_batch is not None:
                self.on_batch(head)

    def _write(self, batch: Batch) -> None:
        assert self._store is not None
        self._store.write(batch)

    async def _sync_new_items(self) -> None:
        """Host items (mounts, ...) are only known after the first sample: describe them."""
        poller = getattr(self, "_poller", None)
        if poller is None or self._store is None:
            return
        items = poller.items()
        keys = frozenset(i.key for i in items)
        if keys != self._known_items:
            await self._on_store_thread(self._store.sync_items, items)
            self._known_items = keys
            if self._alerts is not None:
                self._alerts.set_items(items)

    async def _maintain_forever(self, stop: asyncio.Event) -> None:
        """Rollups and retention once a minute, on the store thread."""
        assert self._store is not None
        while not stop.is_set():
            try:
                await self._on_store_thread(self._store.maintain, self.clock())
            except CacheError as exc:
                log.warning("cache maintenance failed (will retry): %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), MAINTENANCE_EVERY_S)

    async def _close(self) -> None:
        store = self._store
        if store is not None:

            def close() -> None:
                try:
                    store.release_writer()
                finally:
                    store.close()

            await self._on_store_thread(close)
            self._store = None
        self._executor.shutdown(wait=True)
