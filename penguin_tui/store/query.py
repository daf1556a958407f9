"""Reading series over a time window from the right tier: raw, minute or hour rollups.

Every tier is read as rows of ``(t, mn, mx, sm, n)``: a raw sample is a bucket of one
(``value, value, value, 1``) and a rollup bucket is stamped at its centre. Each tier only
covers time up to its watermark; the stretch after it (not rolled up yet) comes from the finer
tier, so a 30-day chart still ends with the last few minutes of raw samples.
"""

from __future__ import annotations

import math
import sqlite3

from penguin_tui.store import meta
from penguin_tui.store.meta import HOUR, MINUTE

RAW_MAX_SPAN_S = 26 * HOUR  # raw rows for windows up to a day (and a bit of slack)
MINUTE_MAX_SPAN_S = 8 * 86400  # minute rollups up to a week (and a bit)
_NEVER = -(2**62)  # "no watermark": stands in for -infinity in SQL comparisons

_RAW = "SELECT ts AS t, value AS mn, value AS mx, value AS sm, 1 AS n FROM samples"
_ROLL = "SELECT ts + {half} AS t, min AS mn, max AS mx, sum AS sm, count AS n FROM {table}"


def choose_tier(start: float, end: float, marks: dict[str, float]) -> str:
    """``raw``, ``minute`` or ``hour``: the finest tier that is complete for the window."""
    span = end - start
    if span <= RAW_MAX_SPAN_S and start >= marks.get(meta.RAW_HORIZON, _NEVER):
        return "raw"
    if span <= MINUTE_MAX_SPAN_S and start >= marks.get(meta.MINUTE_HORIZON, _NEVER):
        return "minute"
    return "hour"


def coarsest_sufficient_tier(
    tier: str, bucket_s: float, start: float, marks: dict[str, float]
) -> str:
    """A coarser tier when the requested buckets are at least as wide as its rows.

    A 24-bar sparkline over a day needs hour rows, not 5,760 raw ones per series: at start-up
    with 200 series that was most of the time to first paint. Averages stay exact (rollups
    keep sum and count); only where inside a bucket a point sits changes.
    """
    if bucket_s >= HOUR:
        return "hour"
    if bucket_s >= MINUTE and tier == "raw" and start >= marks.get(meta.MINUTE_HORIZON, _NEVER):
        return "minute"
    return tier


def _marks(conn: sqlite3.Connection) -> dict[str, float]:
    return meta.get_many(
        conn, meta.MINUTE_DONE, meta.HOUR_DONE, meta.RAW_HORIZON, meta.MINUTE_HORIZON
    )


def window_sql(
    sid: int, start: float, end: float, tier: str, marks: dict[str, float]
) -> tuple[str, list[float]]:
    """A ``UNION ALL`` of ``(t, mn, mx, sm, n)`` rows covering ``[start, end]`` for one series."""
    lo, hi = math.ceil(start), math.floor(end)  # sample times are whole seconds
    minute_done = int(marks.get(meta.MINUTE_DONE, _NEVER))
    # A rewound minute watermark (late samples) makes hour buckets after it stale: read those
    # hours from minutes and raw rows until maintenance has recomputed them.
    hour_done = min(int(marks.get(meta.HOUR_DONE, _NEVER)), (minute_done // HOUR) * HOUR)
    parts: list[str] = []
    params: list[float] = []
    raw_from = lo
    if tier in ("minute", "hour"):
        raw_from = max(lo, minute_done)
        minute_from = lo - MINUTE + 1  # buckets that overlap the window's start
        if tier == "hour":
            parts.append(
                _ROLL.format(half=HOUR // 2, table="rollup_hour")
                + " WHERE series_id = ? AND ts >= ? AND ts <= ? AND ts < ?"
            )
            params += [sid, lo - HOUR + 1, hi, hour_done]
            minute_from = max(minute_from, hour_done)
        parts.append(
            _ROLL.format(half=MINUTE // 2, table="rollup_minute")
            + " WHERE series_id = ? AND ts >= ? AND ts <= ? AND ts < ?"
        )
        params += [sid, minute_from, hi, minute_done]
    parts.append(_RAW + " WHERE series_id = ? AND ts >= ? AND ts <= ?")
    params += [sid, raw_from, hi]
    return " UNION ALL ".join(parts), params


def points(
    conn: sqlite3.Connection, sid: int, start: float, end: float, max_points: int
) -> list[tuple[float, float]]:
    """Bucket averages (weighted by sample count) over the window, at most ``max_points``."""
    marks = _marks(conn)
    buckets = max(1, int(max_points))
    span = max(end - start, 1e-9)
    tier = coarsest_sufficient_tier(choose_tier(start, end, marks), span / buckets, start, marks)
    inner, params = window_sql(sid, start, end, tier, marks)
    # Averaging happens in SQLite: only the (at most max_points) results cross into Python.
    sql = (
        "SELECT max(0, min(?, CAST((t - ?) * ? / ? AS INTEGER))) AS b,"
        f" avg(t), sum(sm) / sum(n) FROM ({inner}) GROUP BY b ORDER BY b"
    )
    rows = conn.execute(sql, [buckets - 1, start, buckets, span, *params])
    return [(float(t), float(v)) for _b, t, v in rows if v is not None]


def _pair(row: tuple | None) -> tuple[float, float] | None:
    return None if row is None else (float(row[0]), float(row[1]))


def extremes(
    conn: sqlite3.Connection, sid: int, start: float, end: float
) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    """``((min_ts, min), (max_ts, max))`` over the window; rollup times are bucket centres."""
    marks = _marks(conn)
    inner, params = window_sql(sid, start, end, choose_tier(start, end, marks), marks)
    low = conn.execute(
        f"SELECT t, mn FROM ({inner}) WHERE mn IS NOT NULL ORDER BY mn ASC, t ASC LIMIT 1", params
    ).fetchone()
    high = conn.execute(
        f"SELECT t, mx FROM ({inner}) WHERE mx IS NOT NULL ORDER BY mx DESC, t ASC LIMIT 1", params
    ).fetchone()
    return _pair(low), _pair(high)


def uptime(conn: sqlite3.Connection, sid: int, start: float, end: float) -> float | None:
    """Fraction of good probes in a 1.0/0.0 series, weighted by each bucket's count."""
    marks = _marks(conn)
    inner, params = window_sql(sid, start, end, choose_tier(start, end, marks), marks)
    total, count = conn.execute(f"SELECT sum(sm), sum(n) FROM ({inner})", params).fetchone()
    if not count:
        return None
    return max(0.0, min(1.0, float(total) / float(count)))
