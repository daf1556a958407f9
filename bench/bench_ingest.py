"""Ingest benchmark: samples per second through Store.write, and bytes per sample on disk.

    python bench/bench_ingest.py [--series 200] [--hours 6] [--repeats 3]

The poller's shape: every 15 s one batch with one sample per series, one transaction each.
The baseline is plain ``sqlite3.executemany`` of ready-made tuples into an equivalent table
(same WITHOUT ROWID layout, same pragmas, same batches and transactions) in the same run, so the
ratio is the price of Store.write's own work (key -> series id, time rounding, late-sample
checks). Runs alternate store/baseline and the medians are reported. Goal: ratio >= 0.5.
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

from penguin_tui.model import Batch, Sample
from penguin_tui.store import Store

T0 = 1_700_000_000
STEP = 15


def make_batches(series: int, hours: float, values: str) -> list[list[Sample]]:
    """One batch per poll round. ``values``: ``float`` (worst case) or ``mixed`` (realistic)."""
    rnd = random.Random(42)
    rounds = int(hours * 3600 / STEP)
    keys = [f"metric:bench{i}" for i in range(series)]

    def value(i: int) -> float:
        if values == "float":
            return rnd.random() * 300.0
        kind = i % 4  # a platform's mix: latencies, counters, gauges, up/down flags
        if kind == 0:
            return round(rnd.uniform(5, 300), 3)
        if kind == 1:
            return float(rnd.randrange(0, 50_000))
        if kind == 2:
            return round(rnd.uniform(0, 100), 1)
        return 1.0 if rnd.random() > 0.01 else 0.0

    return [
        [Sample(keys[i], T0 + r * STEP, value(i)) for i in range(series)] for r in range(rounds)
    ]


def run_store(path: Path, batches: list[list[Sample]]) -> float:
    store = Store.open(path)
    started = time.perf_counter()
    for samples in batches:
        store.write(Batch(samples=samples))
    elapsed = time.perf_counter() - started
    store.close()  # the last connection checkpoints the WAL into the file
    return elapsed


def run_raw(path: Path, batches: list[list[Sample]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,"
        " PRIMARY KEY (series_id, ts)) WITHOUT ROWID"
    )
    ids = {s.key: n + 1 for n, s in enumerate(batches[0])}
    # The baseline gets its rows ready-made: only SQLite's work is timed.
    prepared = [[(ids[s.key], s.ts, s.value) for s in samples] for samples in batches]
    started = time.perf_counter()
    for rows in prepared:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    batches = make_batches(args.series, args.hours, "float")
    count = sum(len(b) for b in batches)
    store_times, raw_times, sizes = [], [], []
    with tempfile.TemporaryDirectory(prefix="penguin-bench-") as tmp:
        for n in range(args.repeats):
            store_path = Path(tmp) / f"store{n}.db"
            raw_path = Path(tmp) / f"raw{n}.db"
            store_times.append(run_store(store_path, batches))
            raw_times.append(run_raw(raw_path, batches))
            sizes.append(os.path.getsize(store_path))
        mixed_path = Path(tmp) / "mixed.db"
        mixed = make_batches(args.series, args.hours, "mixed")
        run_store(mixed_path, mixed)
        mixed_bytes = os.path.getsize(mixed_path) / sum(len(b) for b in mixed)

    store_rate = count / statistics.median(store_times)
    raw_rate = count / statistics.median(raw_times)
    per_sample = statistics.median(sizes) / count
    print(
        f"ingest: {args.series} series x {args.hours:g} h at {STEP} s = {count:,} samples, "
        f"{len(batches):,} batches, median of {args.repeats}"
    )
    print(f"{'':32}{'samples/s':>12}{'s total':>10}")
    print(f"{'Store.write':32}{store_rate:>12,.0f}{statistics.median(store_times):>10.2f}")
    print(f"{'raw sqlite3 executemany':32}{raw_rate:>12,.0f}{statistics.median(raw_times):>10.2f}")
    print(f"bytes per sample on disk (random floats):   {per_sample:.1f}  (goal <= 24)")
    print(f"bytes per sample on disk (platform-like mix): {mixed_bytes:.1f}")
    print(f"ratio Store.write / raw executemany: {store_rate / raw_rate:.2f}  (goal >= 0.5)")


if __name__ == "__main__":
    main()
