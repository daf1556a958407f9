"""The recorder's running cost: `penguin-tui daemon` with 200 HTTP targets at 15 s.

    .venv/bin/python bench/bench_daemon.py [--targets 200] [--interval 15] [--seconds 75]
                                           [--warmup 20]

A separate process serves the targets (one loopback port each, demo/httpserver.py, a JSON
``{"status": "ok"}`` body), so the server's CPU is not counted. Then, side by side:

- ``penguin-tui daemon --config ... --cache ...``: a real subprocess with a written config
  (200 http checks, ``[STATUS] == 200`` and ``[BODY].status == ok``, host sampling on);
- the baseline: a bare asyncio + httpx loop doing the same 200 GETs every interval (same
  concurrency bound), storing nothing.

After the warm-up (first polls spread, connections made, imports done) each process's CPU is
read from /proc/PID/stat (utime + stime) once per interval over the window; the median of the
per-interval CPU % and the whole-window figure are printed with their ratio. At the end:
the daemon's RSS, then SIGTERM, and the cache's size per raw sample (also net of an empty
cache's size, and the samples table's own pages where SQLite has dbstat).
Goals (issue 2): CPU <= 1 % of a core, RSS <= 80 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HZ = os.sysconf("SC_CLK_TCK")
CONCURRENCY = 50


def serve(targets: int) -> None:
    """Child process: one HTTPServer per target on one loop, ports on stdout, until stdin closes."""
    from penguin_tui.demo.httpserver import HTTPServer, Response

    body = Response.json({"status": "ok", "version": "bench"})

    async def handler(*_request: object) -> Response:
        return body

    async def main() -> None:
        servers = [HTTPServer(handler, idle_timeout=120.0, name="bench") for _ in range(targets)]
        for server in servers:
            await server.start()
        print(json.dumps([s.port for s in servers]), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await asyncio.gather(*(s.stop() for s in servers))

    asyncio.run(main())


def bare(ports: list[int], interval: float) -> None:
    """Child process: the baseline. The same GETs every interval, nothing stored."""
    import httpx

    async def main() -> None:
        limits = httpx.Limits(
            max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=90
        )
        sem = asyncio.Semaphore(CONCURRENCY)
        async with httpx.AsyncClient(limits=limits) as client:

            async def get(port: int) -> bool:
                async with sem:
                    r = await client.get(f"http://127.0.0.1:{port}/health")
                    return r.status_code == 200 and r.json().get("status") == "ok"

            while True:
                started = time.monotonic()
                ok = await asyncio.gather(*(get(p) for p in ports))
                assert all(ok), "a target failed"
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    asyncio.run(main())


def write_config(path: Path, ports: list[int], interval: float) -> None:
    lines = [
        "[general]",
        f"max_concurrency = {CONCURRENCY}",
        "[host]",
        "enabled = true",
        f'interval = "{interval:g}s"',
    ]
    for n, port in enumerate(ports):
        lines += [
            "[[check]]",
            f'name = "target-{n:03d}"',
            f'url = "http://127.0.0.1:{port}/health"',
            'conditions = ["[STATUS] == 200", "[BODY].status == ok"]',
            f'interval = "{interval:g}s"',
            'timeout = "5s"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def threads_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of the main thread (the event loop) and of all other threads together."""
    main = other = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # a worker thread that just ended
        used = (int(fields[11]) + int(fields[12])) / HZ
        if int(task.name) == pid:
            main += used
        else:
            other += used
    return main, other


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cache_figures(cache: Path, empty_bytes: int) -> None:
    from penguin_tui.store import Store

    store = Store.open(cache, readonly=True)
    size = store.size_bytes()
    store.close()
    conn = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
    samples = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
    series = conn.execute("SELECT count(*) FROM series").fetchone()[0]
    print(f"cache: {size:,} B on disk after the daemon stopped; {samples:,} raw samples in "
          f"{series} series; an empty cache is {empty_bytes:,} B")  # fmt: skip
    if samples:
        print(f"disk bytes per sample: {size / samples:.1f} all-in (cache size / samples), "
              f"{(size - empty_bytes) / samples:.1f} net of the empty cache")  # fmt: skip
    try:  # dbstat is compiled into most SQLite builds, not all
        pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        if samples:
            print(f"samples table alone: {pages.get('samples', 0) / samples:.1f} B per sample")
        big = sorted(pages.items(), key=lambda kv: -kv[1])[:6]
        print("largest tables/indexes: " + ", ".join(f"{k} {v // 1024} KiB" for k, v in big))
    except sqlite3.Error:
        pass
    conn.close()


def measure(args: argparse.Namespace, ports: list[int], work: Path) -> None:
    config, cache, empty = work / "config.toml", work / "cache.db", work / "empty.db"
    write_config(config, ports, args.interval)
    from penguin_tui.store import Store

    Store.open(empty).close()
    empty_bytes = Store.open(empty, readonly=True).size_bytes()
    exe = Path(sys.executable).with_name("penguin-tui")
    log = open(work / "daemon.log", "w+b")  # noqa: SIM115 - read back at the end
    daemon = subprocess.Popen(
        [str(exe), "daemon", "--config", str(config), "--cache", str(cache)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    baseline = subprocess.Popen(
        [sys.executable, __file__, "--bare", json.dumps(ports), "--interval", str(args.interval)]
    )
    procs = {"penguin-tui daemon": daemon, "bare asyncio+httpx": baseline}
    try:
        time.sleep(args.warmup)
        for name, proc in procs.items():
            if proc.poll() is not None:
                sys.exit(f"{name} exited early ({proc.returncode}); log in {work}")
        windows = max(1, round(args.seconds / args.interval))
        marks = [{n: cpu_s(p.pid) for n, p in procs.items()}]
        threads0 = threads_cpu_s(daemon.pid)
        t0 = time.monotonic()
        for w in range(windows):
            time.sleep(max(0.0, t0 + (w + 1) * args.interval - time.monotonic()))
            marks.append({n: cpu_s(p.pid) for n, p in procs.items()})
        span = time.monotonic() - t0
        threads1 = threads_cpu_s(daemon.pid)
        rss = {n: rss_mib(p.pid) for n, p in procs.items()}
    finally:
        baseline.terminate()
        daemon.send_signal(signal.SIGTERM)
        baseline.wait(10)
        code = daemon.wait(30)
    log.seek(0)
    tail = log.read().decode(errors="replace").strip().splitlines()
    log.close()
    if code != 0:
        sys.exit(f"penguin-tui daemon exited {code}:\n" + "\n".join(tail[-10:]))
    print(f"targets={len(ports)} interval={args.interval:g}s warm-up={args.warmup:g}s "
          f"window={span:.0f}s ({windows} intervals)")  # fmt: skip
    print(f"{'':22}{'cpu % median':>13}{'cpu % window':>13}{'rss MiB':>9}")
    cpu = {}
    for name in procs:
        per = [100 * (b[name] - a[name]) / args.interval for a, b in itertools.pairwise(marks)]
        whole = 100 * (marks[-1][name] - marks[0][name]) / span
        cpu[name] = (statistics.median(per), whole)
        print(f"{name:22}{cpu[name][0]:>13.2f}{whole:>13.2f}{rss[name]:>9.1f}")
    d, b = cpu["penguin-tui daemon"], cpu["bare asyncio+httpx"]
    print(f"ratio daemon/bare cpu: {d[1] / max(b[1], 1e-9):.2f} (window), "
          f"{d[0] / max(b[0], 1e-9):.2f} (medians)")  # fmt: skip
    main_pct, other_pct = (100 * (b - a) / span for a, b in zip(threads0, threads1, strict=True))
    print(f"daemon by thread: event loop (polling, conditions, tracker) {main_pct:.2f} %, "
          f"other threads (SQLite writer, psutil, DNS) {other_pct:.2f} %")  # fmt: skip
    daemon_rss = rss["penguin-tui daemon"]
    print(f"goals: cpu <= 1 % of a core: {'met' if d[1] <= 1.0 else 'NOT met'}; "
          f"rss <= 80 MiB: {'met' if daemon_rss <= 80 else 'NOT met'}")  # fmt: skip
    print("daemon: " + next((t for t in reversed(tail) if "wrote" in t), "(no summary line)"))
    cache_figures(cache, empty_bytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--interval", type=float, default=15.0)
    parser.add_argument("--seconds", type=float, default=75.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", metavar="PORTS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.targets)
        return
    if args.bare:
        bare(json.loads(args.bare), args.interval)
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--targets", str(args.targets)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        ports = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="penguin-bench-daemon-") as tmp:
            measure(args, ports, Path(tmp))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
