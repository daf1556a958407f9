"""Rollups and retention: keeping long windows cheap and the file from growing without bound.

Everything here runs in short transactions (one chunk of time, or one series) so that the
recorder's next batch, or a console's sign-off, waits milliseconds at most. Each chunk moves
its watermark in the same transaction as its rows, so a crash at any point leaves a cache that
is consistent and simply resumes where it stopped. See ``penguin_tui.store.meta`` for the
invariants.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from penguin_tui.config_model import RetentionConfig
from penguin_tui.store import alerts, meta
from penguin_tui.store.meta import HOUR, MINUTE

# How much time one rollup transaction covers: an hour of raw rows for 200 series at 15 s is
# ~48,000 rows, a few tens of milliseconds of work.
_MINUTE_CHUNK_S = HOUR
_HOUR_CHUNK_S = 6 * HOUR
_DELETE_BATCH = 20_000  # rows deleted per transaction, a few tens of milliseconds
_RAW_STEP_S = 10 * MINUTE


def _floor(ts: float, size: int) -> int:
    return math.floor(ts / size) * size


def _ceil(ts: float, size: int) -> int:
    return math.ceil(ts / size) * size


def _oldest(conn: sqlite3.Connection, table: str) -> int | None:
    # Per-series min through the primary key: a handful of index seeks instead of a full scan.
    row = conn.execute(
        f"SELECT min((SELECT min(ts) FROM {table} WHERE series_id = series.id)) FROM series"
    ).fetchone()
    return None if row[0] is None else int(row[0])


# CROSS JOIN fixes the loop order (series outside, a primary-key range seek inside): without
# table statistics SQLite would otherwise scan the whole samples table for every chunk.
_ROLL_SQL = {
    "rollup_minute": (
        "INSERT OR REPLACE INTO rollup_minute (series_id, ts, min, max, sum, count)"
        " SELECT s.series_id, (s.ts / 60) * 60, min(s.value), max(s.value), sum(s.value),"
        " count(s.value) FROM series CROSS JOIN samples AS s ON s.series_id = series.id"
        " AND s.ts >= ? AND s.ts < ? WHERE s.value IS NOT NULL GROUP BY s.series_id, s.ts / 60"
    ),
    "rollup_hour": (
        "INSERT OR REPLACE INTO rollup_hour (series_id, ts, min, max, sum, count)"
        " SELECT m.series_id, (m.ts / 3600) * 3600, min(m.min), max(m.max), sum(m.sum),"
        " sum(m.count) FROM series CROSS JOIN rollup_minute AS m ON m.series_id = series.id"
        " AND m.ts >= ? AND m.ts < ? GROUP BY m.series_id, m.ts / 3600"
    ),
}


def _roll(
    conn: sqlite3.Connection,
    *,
    dst: str,
    src: str,
    size: int,
    done_key: str,
    horizon_key: str,
    until: int,
    chunk: int,
    after=None,
) -> None:
    """Recompute ``dst`` buckets from ``src`` from the watermark up to ``until``, chunk by chunk.

    The watermark is read again in every chunk's transaction: a writer that rewound it for a
    late sample in between is honoured instead of overwritten.
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = meta.get(conn, done_key)
            if done is None:
                oldest = _oldest(conn, src)
                start = until if oldest is None else _floor(oldest, size)
            else:
                start = int(done)
            # Below the horizon the source may already be partly deleted: recomputing there
            # would replace complete rollups with partial ones.
            horizon = meta.get(conn, horizon_key)
            if horizon is not None:
                start = max(start, _ceil(horizon, size))
            if start >= until:
                if done is None:
                    meta.put(conn, done_key, until)
                conn.execute("COMMIT")
                return
            stop = min(until, start + chunk)
            conn.execute(_ROLL_SQL[dst], (start, stop))
            meta.put(conn, done_key, stop)
            if after is not None:
                after(conn, start)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _rewind_hour(conn: sqlite3.Connection, minute_start: int) -> None:
    # Minutes recomputed inside an hour that was already rolled make that hour stale.
    meta.lower(conn, meta.HOUR_DONE, _floor(minute_start, HOUR))


def roll_up(conn: sqlite3.Connection, now: float) -> None:
    """Roll closed minutes of raw samples into minute rollups, closed hours into hour rollups."""
    _roll(
        conn,
        dst="rollup_minute",
        src="samples",
        size=MINUTE,
        done_key=meta.MINUTE_DONE,
        horizon_key=meta.RAW_HORIZON,
        until=_floor(now, MINUTE),
        chunk=_MINUTE_CHUNK_S,
        after=_rewind_hour,
    )
    minute_done = meta.get(conn, meta.MINUTE_DONE) or 0
    _roll(
        conn,
        dst="rollup_hour",
        src="rollup_minute",
        size=HOUR,
        done_key=meta.HOUR_DONE,
        horizon_key=meta.MINUTE_HORIZON,
        until=min(_floor(now, HOUR), _floor(minute_done, HOUR)),
        chunk=_HOUR_CHUNK_S,
    )


def _delete_series(conn: sqlite3.Connection, table: str, cutoff: int) -> int:
    """Delete rows older than ``cutoff`` from a per-series table in bounded transactions."""
    removed = 0
    ids = [r[0] for r in conn.execute("SELECT id FROM series")]
    pending = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sid in ids:
            cur = conn.execute(f"DELETE FROM {table} WHERE series_id = ? AND ts < ?", (sid, cutoff))
            removed += cur.rowcount
            pending += cur.rowcount
            if pending >= _DELETE_BATCH:
                # Let the recorder's next batch in between.
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                pending = 0
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return removed


def _delete_by_ts(conn: sqlite3.Connection, table: str, cutoff: float) -> int:
    """Delete rows older than ``cutoff`` from a table with an ``id`` and a ``ts`` index."""
    removed = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                f"DELETE FROM {table} WHERE id IN"
                f" (SELECT id FROM {table} WHERE ts < ? LIMIT {_DELETE_BATCH})",
                (cutoff,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        removed += cur.rowcount
        if cur.rowcount < _DELETE_BATCH:
            return removed


def _move_horizon(conn: sqlite3.Connection, key: str, cutoff: int) -> bool:
    """Advance a tier's horizon (before deleting, so no reader trusts a half-deleted range)."""
    old = meta.get(conn, key)
    if old is not None and old >= cutoff:
        return False
    conn.execute("BEGIN IMMEDIATE")
    meta.put(conn, key, cutoff)
    conn.execute("COMMIT")
    return True


def enforce_retention(conn: sqlite3.Connection, now: float, retention: RetentionConfig) -> int:
    """Delete data past retention, never anything not yet rolled up; return rows removed."""
    removed = 0
    marks = meta.get_many(conn, meta.MINUTE_DONE, meta.HOUR_DONE)
    # Cut-offs move in steps (10 minutes, an hour) so deletion passes run a few times an
    # hour, not on every maintenance call.
    if meta.MINUTE_DONE in marks:
        raw_cut = _floor(min(now - retention.raw_s, marks[meta.MINUTE_DONE]), _RAW_STEP_S)
        if raw_cut > 0 and _move_horizon(conn, meta.RAW_HORIZON, raw_cut):
            removed += _delete_series(conn, "samples", raw_cut)
    if meta.HOUR_DONE in marks:
        minute_cut = _floor(min(now - retention.minute_s, marks[meta.HOUR_DONE]), HOUR)
        if minute_cut > 0 and _move_horizon(conn, meta.MINUTE_HORIZON, minute_cut):
            removed += _delete_series(conn, "rollup_minute", minute_cut)
    hour_cut = _floor(now - retention.hour_s, HOUR)
    if hour_cut > 0 and _move_horizon(conn, meta.HOUR_HORIZON, hour_cut):
        removed += _delete_series(conn, "rollup_hour", hour_cut)
    # Failure reasons explain the minute-resolution past; events are the long-term story.
    removed += _delete_by_ts(conn, "failures", now - retention.minute_s)
    removed += _delete_by_ts(conn, "events", now - retention.hour_s)
    return removed


T = TypeVar("T")
_ALERT_BATCH = 2_000  # resolved alerts (and their change rows) deleted per transaction


def prune_alerts(
    conn: sqlite3.Connection, now: float, history_s: float, retention: RetentionConfig
) -> int:
    """Delete alert history older than ``history_s``; return alerts removed.

    Resolved alerts go with their change rows; change rows of alerts still active are cut at
    the same age. Maintenance windows are tiny and uptime reports over the hour tier's whole
    span still need them, so they are kept as long as hour rollups are. Runs every minute:
    each step first looks (an indexed read) and takes the write lock only when there is
    something to delete.
    """
    cutoff = now - history_s
    removed = 0
    while _exists(conn, "SELECT 1 FROM alerts WHERE resolved_at < ? LIMIT 1", cutoff):
        n = _in_transaction(conn, lambda: alerts.prune(conn, cutoff, _ALERT_BATCH))
        removed += n
        if n < _ALERT_BATCH:
            break
    if _exists(conn, "SELECT 1 FROM alert_changes WHERE ts < ? LIMIT 1", cutoff):
        _delete_by_ts(conn, "alert_changes", cutoff)
    if _exists(conn, "SELECT 1 FROM local_acks WHERE until < ? LIMIT 1", cutoff):
        _in_transaction(
            conn, lambda: conn.execute("DELETE FROM local_acks WHERE until < ?", (cutoff,))
        )
    keep_from = now - retention.hour_s
    ended = "min(ends_at, coalesce(cancelled_at, ends_at)) < ?"
    if _exists(conn, f"SELECT 1 FROM maintenance WHERE {ended} LIMIT 1", keep_from):
        _in_transaction(
            conn, lambda: conn.execute(f"DELETE FROM maintenance WHERE {ended}", (keep_from,))
        )
    return removed


def _exists(conn: sqlite3.Connection, sql: str, value: float) -> bool:
    return conn.execute(sql, (value,)).fetchone() is not None


def _in_transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """Run ``work`` in one short write transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result
