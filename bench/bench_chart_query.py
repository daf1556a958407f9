"""Chart query benchmark: one series' chart from a cache with every retention tier full.

    python bench/bench_chart_query.py [--runs 25] [--rebuild]

The cache holds 200 series sampled every 15 s: 48 h of raw samples, 14 days of minute rollups
and 400 days of hour rollups (~8 million rows). Generating it takes a while, so it is built
once with plain executemany (in primary-key order, the fastest way in) and kept under
``$TMPDIR/penguin-bench/`` between runs; ``--rebuild`` makes a new one.

For each window, Store.points(max_points=500) is timed (median over runs, each on a different
series) against a baseline in the same run: plain sqlite3 fetching the same window's rows of
the tier Store reads, without downsampling - what charting straight from SQL would cost.
Goals: 24 h <= 30 ms, 7 d and 30 d <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from penguin_tui.store import SCHEMA_VERSION, Store
from penguin_tui.store import meta as m

SERIES = 200
STEP = 15
NOW = 1_699_999_200  # an hour boundary: "now" for the generated history
H, DAY = 3600, 86400
RAW_S, MINUTE_S, HOUR_S = 48 * H, 14 * DAY, 400 * DAY

WINDOWS = [  # label, span, goal in ms, tier table the baseline reads
    ("24 h", DAY, 30.0, "samples"),
    ("7 d", 7 * DAY, 50.0, "rollup_minute"),
    ("30 d", 30 * DAY, 50.0, "rollup_hour"),
]


def cache_path() -> Path:
    base = Path(tempfile.gettempdir()) / "penguin-bench"
    return base / f"chart-cache-v{SCHEMA_VERSION}-{SERIES}x{STEP}s.db"


def _buckets(rnd: random.Random, start: int, end: int, size: int, per: int):
    for ts in range(start, end, size):
        vals = [rnd.uniform(5, 300) for _ in range(3)]
        lo, hi = min(vals), max(vals)
        yield ts, lo, hi, (lo + hi) / 2 * per, per


def build(path: Path) -> None:
    """Fill every tier as a long-running recorder would have left it."""
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    Store.open(tmp).close()  # the real schema, through the real code
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    rnd = random.Random(7)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO series (id, key) VALUES (?, ?)",
        [(i + 1, f"metric:bench{i}") for i in range(SERIES)],
    )
    for sid in range(1, SERIES + 1):
        conn.executemany(
            "INSERT INTO samples VALUES (?, ?, ?)",
            ((sid, ts, rnd.uniform(5, 300)) for ts in range(NOW - RAW_S, NOW, STEP)),
        )
        for table, size, span in (("rollup_minute", 60, MINUTE_S), ("rollup_hour", H, HOUR_S)):
            conn.executemany(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
                ((sid, *b) for b in _buckets(rnd, NOW - span, NOW, size, size // STEP)),
            )
    for key, value in (
        (m.MINUTE_DONE, NOW),
        (m.HOUR_DONE, NOW),
        (m.RAW_HORIZON, NOW - RAW_S),
        (m.MINUTE_HORIZON, NOW - MINUTE_S),
    ):
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    os.replace(tmp, path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s")


def baseline(conn: sqlite3.Connection, table: str, sid: int, start: int, end: int) -> int:
    col = "value" if table == "samples" else "sum / count"
    rows = conn.execute(
        f"SELECT ts, {col} FROM {table} WHERE series_id = ? AND ts >= ? AND ts <= ?",
        (sid, start, end),
    ).fetchall()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not path.exists():
        build(path)
    size = path.stat().st_size
    store = Store.open(path, readonly=True)
    plain = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    counts = {
        t: plain.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("samples", "rollup_minute", "rollup_hour")
    }
    print(
        f"cache: {size / 2**20:.0f} MiB on disk; {counts['samples']:,} raw samples, "
        f"{counts['rollup_minute']:,} minute and {counts['rollup_hour']:,} hour rollups"
    )
    try:  # dbstat is compiled into most SQLite builds, not all
        pages = dict(plain.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        print(
            "bytes per row on disk: " + ", ".join(f"{t} {pages[t] / counts[t]:.1f}" for t in counts)
        )
    except sqlite3.Error:
        pass
    print(
        f"{'window':8}{'points':>8}{'median ms':>11}{'p90 ms':>9}{'goal ms':>9}"
        f"{'baseline ms':>13}{'rows':>8}"
    )
    ratios = []
    for label, span, goal, table in WINDOWS:
        times, base_times, n_points, n_rows = [], [], 0, 0
        for run in range(args.runs):
            key = f"metric:bench{(run * 37) % SERIES}"
            sid = (run * 37) % SERIES + 1
            started = time.perf_counter()
            pts = store.points(key, NOW - span, NOW, max_points=500)
            times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            n_rows = baseline(plain, table, sid, NOW - span, NOW)
            base_times.append((time.perf_counter() - started) * 1000)
            n_points = len(pts)
        med, base = statistics.median(times), statistics.median(base_times)
        p90 = statistics.quantiles(times, n=10)[-1]
        ratios.append((label, med / base))
        print(f"{label:8}{n_points:>8}{med:>11.2f}{p90:>9.2f}{goal:>9.0f}{base:>13.2f}{n_rows:>8}")
    store.close()
    plain.close()
    print(
        "ratio Store.points / plain fetch of the tier's rows: "
        + ", ".join(f"{label} {r:.2f}" for label, r in ratios)
    )


if __name__ == "__main__":
    main()
