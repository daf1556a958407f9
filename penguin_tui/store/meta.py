"""The cache's bookkeeping values (table ``meta``): tier watermarks and retention horizons.

Invariants the writer, maintenance and queries rely on (all epoch seconds, bucket-aligned):

- ``minute_done``: every raw sample older than this is summed into ``rollup_minute``; raw rows
  from here on are not (yet). ``hour_done`` is the same for ``rollup_minute`` -> ``rollup_hour``.
  A late sample (backfill) *rewinds* the watermark, so queries read raw rows for that stretch
  until maintenance has recomputed it: reads stay exact without any "dirty" flag to lose.
- ``raw_horizon``: raw rows older than this may have been deleted by retention, so raw data is
  complete only from here on. ``minute_horizon`` likewise for ``rollup_minute``.
- Retention never deletes what is not rolled up yet: raw_horizon <= minute_done and
  minute_horizon <= hour_done.
"""

from __future__ import annotations

import sqlite3

MINUTE = 60
HOUR = 3600

MINUTE_DONE = "minute_done"
HOUR_DONE = "hour_done"
RAW_HORIZON = "raw_horizon"
MINUTE_HORIZON = "minute_horizon"
HOUR_HORIZON = "hour_horizon"  # only records how far hour retention has deleted
RETENTION_KEYS = ("retention_raw_s", "retention_minute_s", "retention_hour_s")
ALERT_HISTORY_KEY = "alert_history_s"  # resolved alerts and alert changes are kept this long


def get(conn: sqlite3.Connection, key: str) -> float | None:
    """A numeric meta value, or None when unset."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def get_many(conn: sqlite3.Connection, *keys: str) -> dict[str, float]:
    """Several numeric meta values in one query (unset keys are absent)."""
    marks = ",".join("?" * len(keys))
    rows = conn.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", keys)
    return {k: float(v) for k, v in rows if v is not None}


def put(conn: sqlite3.Connection, key: str, value: float) -> None:
    """Set a numeric meta value (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, repr(value) if isinstance(value, float) else str(value)),
    )


def lower(conn: sqlite3.Connection, key: str, value: float) -> None:
    """Move a watermark back to ``value`` if it is set and later than that."""
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = ? AND CAST(value AS REAL) > ?",
        (str(value), key, value),
    )
