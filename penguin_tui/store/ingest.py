"""The write path: one poller batch into the cache, inside the caller's transaction.

This is the hot path (every sample of every poll passes here), so rows go in through plain
``sqlite3`` ``executemany`` on prepared tuples: sqlite-utils' ``insert_all`` builds dicts,
checks columns and chunks statements per call, which costs several times the insert itself
at this row size.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence

from penguin_tui.model import ConditionResult, Event, ItemInfo, Reading, Sample
from penguin_tui.store import meta
from penguin_tui.store.meta import HOUR, MINUTE
from penguin_tui.text import sanitize

REASON_MAX = 500  # characters of a failure reason or event reason kept


def clean_reason(text: str) -> str:
    """Untrusted reason text as stored: no control characters, one line, bounded."""
    return sanitize(text or "", max_len=REASON_MAX, single_line=True)


def encode_conditions(conditions: Sequence[ConditionResult]) -> str | None:
    """Compact JSON ``[[expression, ok, actual], ...]`` (None when there are none)."""
    if not conditions:
        return None
    return json.dumps(
        [
            [sanitize(c.expression, single_line=True), bool(c.ok), clean_reason(c.actual)]
            for c in conditions
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def decode_conditions(text: str | None) -> tuple[ConditionResult, ...]:
    """The inverse of ``encode_conditions``; unreadable JSON yields no conditions."""
    if not text:
        return ()
    try:
        return tuple(ConditionResult(str(e), bool(ok), str(a)) for e, ok, a in json.loads(text))
    except (ValueError, TypeError):
        return ()


def series_ids(conn: sqlite3.Connection, keys: Iterable[str], cache: dict[str, int]) -> None:
    """Fill ``cache`` with the series id of every key, creating series that are new."""
    missing = [k for k in keys if k not in cache]
    if not missing:
        return
    conn.executemany("INSERT OR IGNORE INTO series (key) VALUES (?)", [(k,) for k in missing])
    marks = ",".join("?" * len(missing))
    for key, sid in conn.execute(f"SELECT key, id FROM series WHERE key IN ({marks})", missing):
        cache[key] = sid


_MERGE = (
    "INSERT INTO {table} (series_id, ts, min, max, sum, count) VALUES (?, ?, ?, ?, ?, 1)"
    " ON CONFLICT(series_id, ts) DO UPDATE SET min = min(min, excluded.min),"
    " max = max(max, excluded.max), sum = sum + excluded.sum, count = count + 1"
)


def _write_old(
    conn: sqlite3.Connection, rows: list[tuple[int, int, float]], marks: dict[str, float]
) -> None:
    """Samples older than the raw horizon (a long backfill) go straight into the rollups.

    Raw rows there would be deleted by the next retention pass before ever being rolled up.
    These samples were never counted (retention deleted everything raw that old), so adding
    them to the buckets is right; hours holding new minutes are marked for recomputation.
    """
    minute_horizon = marks.get(meta.MINUTE_HORIZON, -math.inf)
    minute_rows, hour_rows = [], []
    for sid, ts, v in rows:
        if ts < minute_horizon:
            hour_rows.append((sid, ts - ts % HOUR, v, v, v))
        else:
            minute_rows.append((sid, ts - ts % MINUTE, v, v, v))
    if minute_rows:
        conn.executemany(_MERGE.format(table="rollup_minute"), minute_rows)
        oldest = min(r[1] for r in minute_rows)
        meta.lower(conn, meta.HOUR_DONE, oldest - oldest % HOUR)
    if hour_rows:
        conn.executemany(_MERGE.format(table="rollup_hour"), hour_rows)


def write_samples(conn: sqlite3.Connection, samples: Sequence[Sample], ids: dict[str, int]) -> None:
    """Insert samples (a repeat of the same series and second replaces the earlier value)."""
    series_ids(conn, {s.key for s in samples}, ids)
    isfinite = math.isfinite
    # Whole seconds, rounded down: the key stays a 4-byte integer, and a sample never lands
    # after the moment it was taken (a window ending "now" must include what was just polled).
    rows = [
        (ids[s.key], math.floor(s.ts), float(s.value))
        for s in samples
        if s.value is not None and isfinite(s.value)
    ]
    if not rows:
        return
    marks = meta.get_many(conn, meta.MINUTE_DONE, meta.RAW_HORIZON, meta.MINUTE_HORIZON)
    minute_done = marks.get(meta.MINUTE_DONE)
    if minute_done is not None:
        oldest = min(r[1] for r in rows)
        if oldest < minute_done:
            raw_horizon = marks.get(meta.RAW_HORIZON)
            if raw_horizon is not None and oldest < raw_horizon:
                _write_old(conn, [r for r in rows if r[1] < raw_horizon], marks)
                rows = [r for r in rows if r[1] >= raw_horizon]
            if rows:
                # Late samples: rewind the watermark so reads take this stretch from raw
                # rows and the next maintenance run recomputes its rollups.
                oldest = min(r[1] for r in rows)
                meta.lower(conn, meta.MINUTE_DONE, oldest - oldest % MINUTE)
    conn.executemany("INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)", rows)


_STATE_UPSERT = (
    "INSERT INTO states (key, status, since, checked_at, value, reason, conditions)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT(key) DO UPDATE SET"
    # SET expressions see the row as it was: keep `since` while the status stays the same.
    " since = CASE WHEN states.status = excluded.status THEN states.since ELSE excluded.since END,"
    " status = excluded.status, checked_at = excluded.checked_at, value = excluded.value,"
    " reason = excluded.reason, conditions = excluded.conditions"
    # A reading older than the stored one (a slow probe finishing late) must not win.
    " WHERE excluded.checked_at >= states.checked_at"
)


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def write_readings(conn: sqlite3.Connection, readings: Sequence[Reading]) -> None:
    """Update item states (and keep the reason of every failed probe)."""
    conn.executemany(
        _STATE_UPSERT,
        [
            (
                r.key,
                str(r.status),
                r.ts,
                r.ts,
                _finite(r.value),
                clean_reason(r.reason),
                encode_conditions(r.conditions),
            )
            for r in readings
        ],
    )
    failed = [
        (r.key, math.floor(r.ts), clean_reason(r.reason) or "probe failed")
        for r in readings
        if not r.probe_ok
    ]
    if failed:
        conn.executemany("INSERT INTO failures (key, ts, reason) VALUES (?, ?, ?)", failed)


def write_events(conn: sqlite3.Connection, events: Sequence[Event]) -> None:
    """Append events."""
    conn.executemany(
        "INSERT INTO events (ts, key, kind, old, new, value, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.ts,
                e.key,
                str(e.kind),
                None if e.old is None else str(e.old),
                None if e.new is None else str(e.new),
                _finite(e.value),
                clean_reason(e.reason),
            )
            for e in events
        ],
    )


def sync_items(conn: sqlite3.Connection, items: Sequence[ItemInfo]) -> None:
    """Upsert item descriptions; ``items()`` lists them in the order of their latest sync."""
    base = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM items").fetchone()[0]
    conn.executemany(
        "INSERT INTO items (key, kind, section, name, unit, interval_s, warn, crit, direction,"
        " position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
        " kind = excluded.kind, section = excluded.section, name = excluded.name,"
        " unit = excluded.unit, interval_s = excluded.interval_s, warn = excluded.warn,"
        " crit = excluded.crit, direction = excluded.direction, position = excluded.position",
        [
            (
                i.key,
                str(i.kind),
                sanitize(i.section, single_line=True),
                sanitize(i.name, single_line=True),
                sanitize(i.unit, single_line=True),
                i.interval_s,
                i.warn,
                i.crit,
                i.direction,
                base + n,
            )
            for n, i in enumerate(items)
        ],
    )
