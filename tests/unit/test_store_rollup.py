"""Rollups, retention, tier selection, downsampling, extremes and uptime."""

from __future__ import annotations

import sqlite3
import statistics
from pathlib import Path

import pytest

from penguin_tui.config_model import RetentionConfig
from penguin_tui.model import Batch, Event, EventKind, Reading, Sample, Status
from penguin_tui.store import Store
from penguin_tui.store import meta as m
from penguin_tui.store.query import choose_tier

H = 3600
DAY = 86400
T0 = 1_699_999_200  # on an hour boundary, so bucket arithmetic below stays readable


def value_at(i: int) -> float:
    return (i * 7) % 13 + 0.25 * (i % 4)


def fill(store: Store, key: str, start: int, end: int, step: int, f=value_at) -> dict[int, float]:
    """Write one sample per ``step`` seconds in [start, end) in poller-sized batches."""
    written = {}
    batch: list[Sample] = []
    for i, ts in enumerate(range(start, end, step)):
        written[ts] = f(i)
        batch.append(Sample(key, ts, written[ts]))
        if len(batch) == 200:
            store.write(Batch(samples=batch))
            batch = []
    store.write(Batch(samples=batch))
    return written


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def _rows(path: str, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_choose_tier() -> None:
    assert choose_tier(0, 24 * H, {}) == "raw"
    assert choose_tier(0, 26 * H, {}) == "raw"
    assert choose_tier(0, 27 * H, {}) == "minute"
    assert choose_tier(0, 7 * DAY, {}) == "minute"
    assert choose_tier(0, 30 * DAY, {}) == "hour"
    # A short window reaching back past what raw retention kept reads minute rollups.
    assert choose_tier(1000, 2000, {m.RAW_HORIZON: 1500}) == "minute"
    assert choose_tier(1000, 2000, {m.RAW_HORIZON: 1500, m.MINUTE_HORIZON: 1200}) == "hour"


def test_rollups_match_the_raw_samples(store: Store) -> None:
    raw = fill(store, "metric:x", T0, T0 + 3 * H, 15)
    store.maintain(now=T0 + 3 * H + 120)
    # 30-day window: hour buckets, stamped at their centres, averaging their samples.
    hourly = store.points("metric:x", T0 - 20 * DAY, T0 + 10 * DAY, max_points=100_000)
    expected = []
    for h in range(3):
        vals = [v for ts, v in raw.items() if T0 + h * H <= ts < T0 + (h + 1) * H]
        expected.append((T0 + h * H + 1800.0, pytest.approx(statistics.fmean(vals))))
    assert hourly == expected
    # 7-day window: minute buckets.
    minutes = store.points("metric:x", T0 - 3 * DAY, T0 + 4 * DAY, max_points=100_000)
    assert len(minutes) == 180
    assert all(ts % 60 == 30 for ts, _ in minutes)
    first = [raw[T0 + s] for s in (0, 15, 30, 45)]
    assert minutes[0] == (T0 + 30.0, pytest.approx(statistics.fmean(first)))
    # Extremes through rollups find the true min and max (at their bucket's centre).
    low, high = store.extremes("metric:x", T0 - 20 * DAY, T0 + 10 * DAY)
    assert low[1] == min(raw.values()) and high[1] == max(raw.values())
    assert low[0] % H == 1800 and high[0] % H == 1800


def test_each_window_reads_its_tier(store: Store) -> None:
    fill(store, "metric:x", T0, T0 + 2 * H, 15)
    now = T0 + 2 * H
    store.maintain(now=now)
    day = store.points("metric:x", now - DAY, now, max_points=100_000)
    assert len(day) == 480 and all(ts % 15 == 0 for ts, _ in day)  # raw samples
    week = store.points("metric:x", now - 7 * DAY, now, max_points=100_000)
    assert len(week) == 120 and all(ts % 60 == 30 for ts, _ in week)  # minute rollups
    month = store.points("metric:x", now - 30 * DAY, now, max_points=100_000)
    assert len(month) == 2 and all(ts % H == 1800 for ts, _ in month)  # hour rollups


def test_long_windows_include_the_not_yet_rolled_tail(store: Store) -> None:
    fill(store, "metric:x", T0, T0 + 2 * H, 15)
    store.maintain(now=T0 + 2 * H)
    # Before any maintenance, and after the last one: the newest samples are raw only.
    fill(store, "metric:x", T0 + 2 * H, T0 + 2 * H + 300, 15, f=lambda i: 1000.0 + i)
    month = store.points("metric:x", T0 - 29 * DAY, T0 + DAY, max_points=10**6)
    assert month[-20:] == [(float(T0 + 2 * H + 15 * i), 1000.0 + i) for i in range(20)]
    assert store.extremes("metric:x", T0 - 29 * DAY, T0 + DAY)[1] == (T0 + 2 * H + 285, 1019.0)


def test_points_are_bucket_averages_at_most_max_points(store: Store) -> None:
    end = T0 + DAY
    raw = fill(store, "metric:x", T0, end, 15)  # 5,760 samples
    start, span, n = T0, end - 1 - T0, 500
    got = store.points("metric:x", start, end - 1, max_points=n)
    buckets: dict[int, list[tuple[int, float]]] = {}
    for ts, v in raw.items():
        buckets.setdefault(min(n - 1, int((ts - start) * n / span)), []).append((ts, v))
    expected = [
        (
            pytest.approx(statistics.fmean(t for t, _ in b)),
            pytest.approx(statistics.fmean(v for _, v in b)),
        )
        for _, b in sorted(buckets.items())
    ]
    assert len(got) <= n
    assert got == expected
    assert store.points("metric:x", start, end, max_points=1) == [
        (pytest.approx(statistics.fmean(raw)), pytest.approx(statistics.fmean(raw.values())))
    ]


def test_late_samples_are_read_at_once_and_rolled_up_next_time(store: Store) -> None:
    fill(store, "metric:x", T0, T0 + 3 * H, 15)
    store.maintain(now=T0 + 3 * H)
    late = T0 + H + 7  # inside a minute (and an hour) already rolled up
    store.write(Batch(samples=[Sample("metric:x", late, 500.0)]))
    week = (T0 - 3 * DAY, T0 + 3 * DAY)
    month = (T0 - 20 * DAY, T0 + 10 * DAY)
    # Until maintenance runs, that stretch is read from raw rows: exact time and value.
    assert store.extremes("metric:x", *week)[1] == (late, 500.0)
    assert store.extremes("metric:x", *month)[1] == (late, 500.0)
    store.maintain(now=T0 + 3 * H + 60)
    assert store.extremes("metric:x", *week)[1] == (T0 + H + 30, 500.0)
    assert store.extremes("metric:x", *month)[1] == (T0 + H + 1800, 500.0)
    # Nothing counted twice: the hour's average includes the late sample exactly once.
    hour = store.points("metric:x", *month, max_points=100_000)[1]
    vals = [value_at(i) for i in range(240, 480)] + [500.0]
    assert hour[1] == pytest.approx(statistics.fmean(vals))


def test_backfill_older_than_raw_retention_goes_into_rollups(store: Store) -> None:
    store.set_retention(RetentionConfig(raw_s=H, minute_s=DAY, hour_s=30 * DAY))
    fill(store, "metric:x", T0, T0 + 4 * H, 15)
    store.maintain(now=T0 + 4 * H)
    old = T0 + H + 20  # raw rows this old were deleted by retention
    store.write(Batch(samples=[Sample("metric:x", old, 900.0)]))
    assert _rows(store.path, f"SELECT count(*) FROM samples WHERE ts < {T0 + 3 * H}") == [(0,)]
    assert store.extremes("metric:x", T0, T0 + 4 * H)[1] == (T0 + H + 30, 900.0)
    store.maintain(now=T0 + 4 * H + 60)
    assert store.extremes("metric:x", T0 - 20 * DAY, T0 + 5 * DAY)[1] == (T0 + H + 1800, 900.0)


def test_retention_deletes_each_tier_past_its_period(store: Store) -> None:
    store.set_retention(RetentionConfig(raw_s=2 * H, minute_s=DAY, hour_s=7 * DAY))
    now = T0 + 10 * DAY
    fill(store, "metric:x", T0, now, 300)
    store.write(
        Batch(
            readings=[
                Reading("check:a", T0 + DAY, Status.CRIT, None, "old", probe_ok=False),
                Reading("check:a", now - 60, Status.CRIT, None, "new", probe_ok=False),
            ],
            events=[
                Event(T0 + DAY, "check:a", EventKind.NOTE, None, None, None, "old"),
                Event(now - 60, "check:a", EventKind.NOTE, None, None, None, "new"),
            ],
        )
    )
    store.maintain(now=now)

    def oldest(table: str) -> int:
        return _rows(store.path, f"SELECT min(ts) FROM {table}")[0][0]

    assert oldest("samples") == now - 2 * H
    assert oldest("rollup_minute") == now - DAY
    assert oldest("rollup_hour") == now - 7 * DAY
    assert [r for _, r in store.failures("check:a")] == ["new"]
    assert [e.reason for e in store.events(0)] == ["new"]
    # A short window from before the raw horizon still has data, from minute rollups.
    three_h_ago = store.points("metric:x", now - 3 * H, now - 2 * H - 60, max_points=1000)
    assert len(three_h_ago) == 12 and all(ts % 60 == 30 for ts, _ in three_h_ago)
    assert store.points("metric:x", now - 9 * DAY, now - 8 * DAY) == []


def test_maintenance_is_idempotent_and_resumable(store: Store) -> None:
    fill(store, "metric:x", T0, T0 + 5 * H, 15)
    store.maintain(now=T0 + 5 * H)
    before = _rows(store.path, "SELECT * FROM rollup_hour ORDER BY ts") + _rows(
        store.path, "SELECT * FROM rollup_minute ORDER BY ts"
    )
    store.maintain(now=T0 + 5 * H)
    after = _rows(store.path, "SELECT * FROM rollup_hour ORDER BY ts") + _rows(
        store.path, "SELECT * FROM rollup_minute ORDER BY ts"
    )
    assert before == after and len(before) == 5 + 300


def test_uptime_is_weighted_by_probe_count_across_tiers(store: Store) -> None:
    assert store.uptime("check:api", T0, T0 + DAY) is None
    # A day probed every 15 s, all up; then a day probed every 60 s, all down.
    fill(store, "check:api:up", T0, T0 + DAY, 15, f=lambda i: 1.0)
    fill(store, "check:api:up", T0 + DAY, T0 + 2 * DAY, 60, f=lambda i: 0.0)
    store.maintain(now=T0 + 2 * DAY)
    expected = 5760 / (5760 + 1440)
    assert store.uptime("check:api", T0 - 25 * DAY, T0 + 5 * DAY) == pytest.approx(expected)
    assert store.uptime("check:api", T0 - 5 * DAY, T0 + 2 * DAY) == pytest.approx(expected)
    assert store.uptime("check:api", T0, T0 + DAY - 1) == 1.0
    assert store.uptime("check:api", T0 + DAY, T0 + 2 * DAY) == 0.0
    # Chart points average the same way: buckets with more samples weigh more.
    (point,) = store.points("check:api:up", T0 - 25 * DAY, T0 + 5 * DAY, max_points=1)
    assert point[1] == pytest.approx(expected)
