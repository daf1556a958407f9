"""Rows for ``penguin-tui export``: what the cache holds, as plain dicts, streamed.

Rows are fetched a chunk at a time, each chunk under the Store's lock, so an export of two
days of samples never holds the lock (or the memory) for the whole file.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
from collections.abc import Iterator

from penguin_tui.store.connect import translated

WHAT = ("samples", "checks", "events")
_CHUNK = 2000


def _stream(
    conn: sqlite3.Connection, mutex: threading.RLock, path: str, sql: str, params: tuple
) -> Iterator[tuple]:
    with mutex, translated(path):
        cur = conn.execute(sql, params)
    while True:
        with mutex, translated(path):
            rows = cur.fetchmany(_CHUNK)
        if not rows:
            return
        yield from rows


def _samples(conn, mutex, path, since: float) -> Iterator[dict]:
    # Series in key order, each in time order: the primary key's order, so nothing is sorted.
    sql = (
        "SELECT s.ts, series.key, s.value FROM series JOIN samples AS s"
        " ON s.series_id = series.id AND s.ts >= ? ORDER BY series.key, s.ts"
    )
    for ts, key, value in _stream(conn, mutex, path, sql, (since,)):
        yield {"ts": float(ts), "key": key, "value": value}


def _checks(conn, mutex, path, since: float) -> Iterator[dict]:
    """One row per probe, rebuilt from the response-time series, ``:up`` and failure reasons."""
    with mutex, translated(path):
        names = dict(conn.execute("SELECT key, name FROM items WHERE kind = 'check'").fetchall())
        for (key,) in conn.execute(
            "SELECT key FROM series WHERE key LIKE 'check:%' AND key NOT LIKE '%:up'"
        ):
            names.setdefault(key, key.removeprefix("check:"))
    for key in sorted(names):
        with mutex, translated(path):
            timing = conn.execute(
                "SELECT s.ts, s.value FROM samples AS s JOIN series ON s.series_id = series.id"
                " WHERE series.key = ? AND s.ts >= ? ORDER BY s.ts",
                (key, since),
            ).fetchall()
            up = conn.execute(
                "SELECT s.ts, s.value FROM samples AS s JOIN series ON s.series_id = series.id"
                " WHERE series.key = ? AND s.ts >= ? ORDER BY s.ts",
                (f"{key}:up", since),
            ).fetchall()
            reasons = dict(
                conn.execute(
                    "SELECT ts, reason FROM failures WHERE key = ? AND ts >= ? ORDER BY ts, id",
                    (key, since),
                ).fetchall()
            )
        times = dict.fromkeys(heapq.merge((t for t, _ in up), (t for t, _ in timing)))
        ok_at, ms_at = dict(up), dict(timing)
        for ts in times:
            ok = ok_at.get(ts)
            yield {
                "ts": float(ts),
                "check": names[key],
                "ok": None if ok is None else ok >= 0.5,
                "response_ms": ms_at.get(ts),
                "reason": reasons.get(ts, ""),
            }


def _events(conn, mutex, path, since: float) -> Iterator[dict]:
    sql = "SELECT ts, key, kind, old, new, value, reason FROM events WHERE ts >= ? ORDER BY ts, id"
    for ts, key, kind, old, new, value, reason in _stream(conn, mutex, path, sql, (since,)):
        yield {
            "ts": ts,
            "key": key,
            "kind": kind,
            "old": old,
            "new": new,
            "value": value,
            "reason": reason or "",
        }


def rows(
    conn: sqlite3.Connection, mutex: threading.RLock, path: str, what: str, since: float
) -> Iterator[dict]:
    """Export rows of one kind since ``since``, oldest first within each series or check."""
    if what not in WHAT:
        raise ValueError(f"cannot export {what!r}: choose one of {', '.join(WHAT)}")
    return {"samples": _samples, "checks": _checks, "events": _events}[what](
        conn, mutex, path, since
    )
