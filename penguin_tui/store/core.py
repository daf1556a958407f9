"""``Store``: the SQLite cache every other part of penguin-tui reads and the recorder writes.

One connection per Store, guarded by a re-entrant lock so a Store may be handed to a worker
thread. Concurrency between processes is SQLite's: WAL lets any number of readers read while
one writer writes, and ``busy_timeout`` makes occasional other writers (a console adding a
sign-off while the daemon records) wait their turn instead of failing. The writer lock
(``acquire_writer``) is about roles, not safety: it decides which process records.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from penguin_tui.alerts.model import (
    Alert,
    AlertChange,
    AlertSource,
    AlertSummary,
    LocalAck,
    MaintenanceWindow,
    Severity,
    Silence,
    SourceStatus,
)
from penguin_tui.config_model import AlertsConfig, RetentionConfig
from penguin_tui.errors import CacheError
from penguin_tui.incidents.model import Entry, Incident
from penguin_tui.model import (
    Batch,
    Event,
    ItemInfo,
    ItemKind,
    ItemState,
    SignOff,
    Status,
    WriterInfo,
)
from penguin_tui.store import alerts as alert_sql
from penguin_tui.store import export, ingest, journal, maintain, meta, query
from penguin_tui.store import incidents as incident_sql
from penguin_tui.store import vault_audit as vault_audit_sql
from penguin_tui.store.connect import connect, connect_memory, translated
from penguin_tui.store.lock import WriterLock
from penguin_tui.store.schema import SCHEMA_VERSION, migrate, version
from penguin_tui.vault.audit import VaultAccess

MEMORY = ":memory:"


class Store:
    """The metrics cache. Open with ``Store.open(path)`` or ``Store.memory()``."""

    def __init__(self, conn: sqlite3.Connection, path: str, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.retention = RetentionConfig()
        self.alert_history_s = AlertsConfig().history_days * 86400.0
        self._conn = conn
        self._mutex = threading.RLock()
        self._ids: dict[str, int] = {}
        self._lock = None if path == MEMORY else WriterLock(path)
        self._memory_writer: WriterInfo | None = None
        # The recorder's memory of active alerts (see store/alerts.py), loaded on first use.
        self._alert_tracker = alert_sql.Tracker()
        self._load_retention()

    # ----------------------------------------------------------------- opening and closing

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, readonly: bool = False) -> Store:
        """Open (create, upgrade) the cache at ``path``; CacheError when it can't be used."""
        if str(path) == MEMORY:
            return cls.memory()
        shown = str(Path(path).expanduser())
        conn = connect(path, create=create, readonly=readonly)
        try:
            with translated(shown):
                if readonly:
                    found = version(conn)
                    if found < SCHEMA_VERSION:
                        raise CacheError(
                            f"{shown}: the cache has schema version {found} and needs an "
                            f"upgrade to {SCHEMA_VERSION}; open it once without read-only "
                            "(start the daemon or the console) to upgrade it"
                        )
                else:
                    migrate(conn, shown)
            return cls(conn, shown, readonly=readonly)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def memory(cls) -> Store:
        """An in-memory cache: the console's fallback when the cache file can't be used."""
        conn = connect_memory()
        migrate(conn, MEMORY)
        return cls(conn, MEMORY)

    def close(self) -> None:
        """Release the writer lock (if held) and close the connection."""
        with self._mutex:
            self.release_writer()
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._mutex, translated(self.path):
            yield self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; everything in it lands, or nothing does."""
        if self.readonly:
            raise CacheError(f"{self.path}: the cache was opened read-only")
        with self._mutex, translated(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                # Series ids handed out inside the rolled-back transaction no longer exist.
                self._ids.clear()
                raise

    # ------------------------------------------------------------------------- writer lock

    def acquire_writer(self, role: str = "daemon") -> None:
        """Become this cache's one recorder; WriterLockHeld names the current holder."""
        if self.readonly:
            raise CacheError(f"{self.path}: a read-only cache cannot be recorded into")
        if self._lock is None:
            import socket
            import time

            self._memory_writer = WriterInfo(os.getpid(), socket.gethostname(), time.time(), role)
            return
        self._lock.acquire(role)

    def release_writer(self) -> None:
        """Stop being the recorder (a no-op when not holding the lock)."""
        self._memory_writer = None
        if self._lock is not None:
            self._lock.release()

    def writer(self) -> WriterInfo | None:
        """Who records into this cache now, from any process (None when nobody does)."""
        return self._memory_writer if self._lock is None else self._lock.holder()

    # ------------------------------------------------------------------------------ writes

    def sync_items(self, items: Iterable[ItemInfo]) -> None:
        """Upsert item descriptions (the checklist as configured)."""
        items = list(items)
        if items:
            with self._write() as conn:
                ingest.sync_items(conn, items)

    def write(self, batch: Batch) -> None:
        """Write a poller batch in one transaction: samples, readings (states, failures), events."""
        if not batch:
            return
        with self._write() as conn:
            if batch.samples:
                ingest.write_samples(conn, batch.samples, self._ids)
            if batch.readings:
                ingest.write_readings(conn, batch.readings)
            if batch.events:
                ingest.write_events(conn, batch.events)

    def maintain(self, now: float) -> None:
        """Roll samples up into minute and hour buckets, then delete what is past retention."""
        if self.readonly:
            raise CacheError(f"{self.path}: the cache was opened read-only")
        with self._mutex, translated(self.path):
            maintain.roll_up(self._conn, now)
            maintain.enforce_retention(self._conn, now, self.retention)
            maintain.prune_alerts(self._conn, now, self.alert_history_s, self.retention)

    def set_retention(self, retention: RetentionConfig) -> None:
        """Use these retention periods from the next ``maintain`` on (and record them)."""
        self.retention = retention
        if self.readonly:
            return
        with self._write() as conn:
            values = (retention.raw_s, retention.minute_s, retention.hour_s)
            for key, value in zip(meta.RETENTION_KEYS, values, strict=True):
                meta.put(conn, key, float(value))

    def set_alert_history(self, seconds: float) -> None:
        """Keep resolved alerts and alert changes this long (``[alerts].history_days``).

        Like ``set_retention`` the value is recorded in the cache, so whichever process runs
        ``maintain`` prunes with the configured period.
        """
        self.alert_history_s = float(seconds)
        if self.readonly:
            return
        with self._write() as conn:
            meta.put(conn, meta.ALERT_HISTORY_KEY, self.alert_history_s)

    def _load_retention(self) -> None:
        with self._read() as conn:
            found = meta.get_many(conn, *meta.RETENTION_KEYS, meta.ALERT_HISTORY_KEY)
        if all(k in found for k in meta.RETENTION_KEYS):
            self.retention = RetentionConfig(*(found[k] for k in meta.RETENTION_KEYS))
        if meta.ALERT_HISTORY_KEY in found:
            self.alert_history_s = found[meta.ALERT_HISTORY_KEY]

    def add_signoff(self, signoff: SignOff, event: Event | None = None) -> int:
        """Record an operator's sign-off (and the event other consoles list) in one transaction.

        Returns its id. Any process may sign off, while a recorder writes or not.
        """
        with self._write() as conn:
            signoff_id = journal.add_signoff(conn, signoff)
            if event is not None:
                ingest.write_events(conn, [event])
            return signoff_id

    # ------------------------------------------------------------------------ alert writes

    def record_alerts(
        self, source: AlertSource, alerts: Sequence[Alert], now: float
    ) -> list[AlertChange]:
        """Record the complete current set of ``source``'s alerts after a successful poll.

        New alerts get first_seen=now; every active one is last seen now (one value per
        source, no row write); active ones of the source missing from ``alerts`` are resolved;
        a resolved one that comes back is re-opened. Only rows that changed are written, with
        one new ``alerts_rev``. Returns the derived-state changes (also stored as history).
        Call ``record_silences`` first in the same poll: ack silences are told apart by them.
        """
        with self._write() as conn:
            try:
                return alert_sql.record_alerts(conn, self._alert_tracker, source, alerts, now)
            except BaseException:
                self._alert_tracker.rev = None  # rolled back: the memory may be ahead
                raise

    def mark_alerts_stale(self, source: AlertSource, stale: bool) -> None:
        """Mark the source's active alerts as the last known copy (its poll failed), or not."""
        with self._write() as conn:
            try:
                alert_sql.mark_stale(conn, self._alert_tracker, source, stale)
            except BaseException:
                self._alert_tracker.rev = None
                raise

    def record_silences(self, silences: Sequence[Silence], now: float) -> None:
        """Replace the known silences with ``silences`` (a complete poll's set)."""
        del now  # in the contract for symmetry with record_alerts; the rows carry their times
        with self._write() as conn:
            alert_sql.record_silences(conn, silences)

    def set_alert_sources(self, statuses: Sequence[SourceStatus]) -> None:
        """Store each endpoint's last poll; ``down_since`` is kept across consecutive failures.

        Alertmanager rows not in ``statuses`` are dropped; the "local" row is kept unless given.
        """
        with self._write() as conn:
            alert_sql.set_sources(conn, statuses)

    def add_local_ack(self, ack: LocalAck) -> None:
        """Ack a local-rule alert until ``ack.until`` (the recorder records the state change)."""
        with self._write() as conn:
            alert_sql.add_local_ack(conn, ack)

    def add_maintenance(self, window: MaintenanceWindow) -> int:
        """Store a maintenance window; returns its id."""
        with self._write() as conn:
            return alert_sql.add_maintenance(conn, window)

    def cancel_maintenance(self, window_id: int, now: float) -> None:
        """End a maintenance window at ``now``; CacheError when there is no such window."""
        with self._write() as conn:
            if not alert_sql.cancel_maintenance(conn, window_id, now):
                raise CacheError(f"{self.path}: there is no maintenance window {window_id}")

    # ----------------------------------------------------------------------------- incidents

    def declare_incident(self, entry: Entry) -> Incident:
        """Store a new incident from its DECLARED entry; its id is the day's next one."""
        with self._write() as conn:
            return incident_sql.declare(conn, entry)

    def append_incident_entry(
        self, incident_id: str, build: Callable[[Incident], Entry]
    ) -> tuple[Incident, Entry]:
        """Append ``build(incident as it stands)`` to the timeline, in one write transaction.

        ``build`` validates against the incident as stored at that moment (the write lock is
        held), so two operators' changes are serialised, never lost; IncidentError passes.
        """
        with self._write() as conn:
            return incident_sql.append(conn, incident_id, build)

    def incident(self, incident_id: str) -> Incident | None:
        with self._read() as conn:
            return incident_sql.incident(conn, incident_id)

    def incidents(self, *, since: float | None = None, limit: int | None = None) -> list[Incident]:
        """Open incidents first, then by severity, then newest; ``since``: updated since."""
        with self._read() as conn:
            return incident_sql.incidents(conn, since=since, limit=limit)

    def incident_entries(self, incident_id: str, after_id: int = 0) -> list[Entry]:
        """An incident's timeline, oldest first (only entries newer than ``after_id``)."""
        with self._read() as conn:
            return incident_sql.entries(conn, incident_id, after_id)

    def newest_incident_entry_id(self) -> int:
        """The newest timeline entry's id in the whole cache (0 when none)."""
        with self._read() as conn:
            return incident_sql.newest_entry_id(conn)

    def linked_open_incidents(self, fingerprints: Iterable[str]) -> dict[str, list[str]]:
        """Open incidents linked to each of ``fingerprints``."""
        with self._read() as conn:
            return incident_sql.linked_open_incidents(conn, fingerprints)

    # ------------------------------------------------------------------- vault audit trail

    def add_vault_audit(self, access: VaultAccess) -> int:
        """Record one reveal or copy of a Vault secret's key (never its value); its id."""
        with self._write() as conn:
            return vault_audit_sql.add(conn, access)

    def vault_audit(
        self, since: float | None = None, limit: int | None = None
    ) -> list[VaultAccess]:
        """Reveals and copies at or after ``since``, newest first (at most ``limit``)."""
        with self._read() as conn:
            return vault_audit_sql.records(conn, since, limit)

    # ------------------------------------------------------------------------- alert reads

    def alerts_since(self, rev: int, *, resolved_after: float) -> tuple[int, list[Alert]]:
        """``(current rev, alerts)``: for rev 0 every active alert and those resolved after
        ``resolved_after``; otherwise only the alerts written since ``rev``."""
        with self._read() as conn:
            return alert_sql.alerts_since(conn, rev, resolved_after)

    def alert(self, fingerprint: str) -> Alert | None:
        """One alert by fingerprint (active or resolved), None when unknown."""
        with self._read() as conn:
            return alert_sql.alert(conn, fingerprint)

    def alert_history(self, fingerprint: str, limit: int = 100) -> list[AlertChange]:
        """The alert's newest ``limit`` state changes, oldest first."""
        with self._read() as conn:
            return alert_sql.alert_history(conn, fingerprint, limit)

    def firing_counts(self) -> dict[Severity, int]:
        """Alerts firing now (not silenced, inhibited, acked or resolved) by severity."""
        with self._read() as conn:
            return alert_sql.firing_counts(conn)

    def alert_summary(self, since: float, until: float) -> AlertSummary:
        """What the alert stream did in ``[since, until]`` (the overnight panel, reports)."""
        with self._read() as conn:
            return alert_sql.summary(conn, since, until)

    def silences(self) -> list[Silence]:
        """The silences of the last complete poll."""
        with self._read() as conn:
            return alert_sql.silences(conn)

    def alert_sources(self) -> list[SourceStatus]:
        """Each alert endpoint's last poll (Alertmanager URLs, "local")."""
        with self._read() as conn:
            return alert_sql.sources(conn)

    def local_acks(self, now: float) -> dict[str, LocalAck]:
        """Local acks in force at ``now``, by fingerprint."""
        with self._read() as conn:
            return alert_sql.local_acks(conn, now)

    def maintenance_windows(
        self, now: float, *, include_ended_s: float = 86400
    ) -> list[MaintenanceWindow]:
        """Pending, active and (cancelled or) ended-within-``include_ended_s`` windows."""
        with self._read() as conn:
            return alert_sql.maintenance_windows(conn, now - include_ended_s)

    # ------------------------------------------------------------------------------- reads

    def _sid(self, conn: sqlite3.Connection, key: str) -> int | None:
        sid = self._ids.get(key)
        if sid is None:
            row = conn.execute("SELECT id FROM series WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None  # not cached: the series may appear later
            sid = self._ids[key] = row[0]
        return sid

    def items(self) -> list[ItemInfo]:
        """Item descriptions, in the order they were last synced."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key, kind, section, name, unit, interval_s, warn, crit, direction"
                " FROM items ORDER BY position, key"
            ).fetchall()
        out = []
        for key, kind, section, name, unit, interval_s, warn, crit, direction in rows:
            try:
                kind = ItemKind(kind)
            except ValueError:
                continue  # written by a newer program with kinds we don't know
            out.append(
                ItemInfo(key, kind, section, name, unit or "", interval_s, warn, crit, direction)
            )
        return out

    def states(self) -> dict[str, ItemState]:
        """The newest state of every item that has been read at least once."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key, status, since, checked_at, value, reason, conditions FROM states"
            ).fetchall()
        return {
            key: ItemState(
                key,
                journal.status(status) or Status.UNKNOWN,
                since,
                checked_at,
                value,
                reason or "",
                ingest.decode_conditions(conditions),
            )
            for key, status, since, checked_at, value, reason, conditions in rows
        }

    def points(
        self, key: str, start: float, end: float, max_points: int = 500
    ) -> list[tuple[float, float]]:
        """``(ts, value)`` over ``[start, end]`` from the fitting tier, at most ``max_points``."""
        with self._read() as conn:
            sid = self._sid(conn, key)
            return [] if sid is None else query.points(conn, sid, start, end, max_points)

    def extremes(
        self, key: str, start: float, end: float
    ) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        """``((min_ts, min), (max_ts, max))`` over the window (None, None without data)."""
        with self._read() as conn:
            sid = self._sid(conn, key)
            return (None, None) if sid is None else query.extremes(conn, sid, start, end)

    def uptime(self, key: str, start: float, end: float) -> float | None:
        """Fraction 0..1 of good probes in ``<key>:up`` over the window; None without data."""
        with self._read() as conn:
            sid = self._sid(conn, f"{key}:up")
            return None if sid is None else query.uptime(conn, sid, start, end)

    def events(
        self,
        since: float,
        until: float | None = None,
        keys: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events in ``[since, until]``, optionally for some keys only, newest first."""
        with self._read() as conn:
            return journal.events(conn, since, until, None if keys is None else list(keys), limit)

    def failures(self, key: str, limit: int = 10) -> list[tuple[float, str]]:
        """``(ts, reason)`` of the item's latest failed probes, newest first."""
        with self._read() as conn:
            return journal.failures(conn, key, limit)

    def signoffs(self, since: float | None = None, limit: int | None = None) -> list[SignOff]:
        """Sign-offs, newest first."""
        with self._read() as conn:
            return journal.signoffs(conn, since, limit)

    def last_signoff(self) -> SignOff | None:
        """The newest sign-off, if any."""
        found = self.signoffs(limit=1)
        return found[0] if found else None

    def newest_ts(self, key: str | None = None) -> float | None:
        """Time of the newest raw sample or reading (of one item, or of any)."""
        with self._read() as conn:
            if key is None:
                reading = conn.execute("SELECT max(checked_at) FROM states").fetchone()[0]
                sample = conn.execute(
                    "SELECT max((SELECT max(ts) FROM samples WHERE series_id = series.id))"
                    " FROM series"
                ).fetchone()[0]
            else:
                reading = conn.execute(
                    "SELECT checked_at FROM states WHERE key = ?", (key,)
                ).fetchone()
                reading = None if reading is None else reading[0]
                sid = self._sid(conn, key)
                sample = None
                if sid is not None:
                    sample = conn.execute(
                        "SELECT max(ts) FROM samples WHERE series_id = ?", (sid,)
                    ).fetchone()[0]
        found = [float(v) for v in (reading, sample) if v is not None]
        return max(found) if found else None

    def last_sample_ts(self) -> dict[str, float]:
        """Per series key, the time of its newest raw sample (what backfill starts from)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key, (SELECT max(ts) FROM samples WHERE series_id = series.id) FROM series"
            ).fetchall()
        return {key: float(ts) for key, ts in rows if ts is not None}

    def export_rows(self, what: str, since: float) -> Iterator[dict]:
        """Rows for ``penguin-tui export``: ``what`` is samples, checks or events."""
        return export.rows(self._conn, self._mutex, self.path, what, since)

    def size_bytes(self) -> int:
        """Bytes the cache takes on disk (database plus write-ahead log)."""
        if self.path == MEMORY:
            with self._read() as conn:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                size = conn.execute("PRAGMA page_size").fetchone()[0]
            return int(pages) * int(size)
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(FileNotFoundError):
                total += os.path.getsize(self.path + suffix)
        return total
