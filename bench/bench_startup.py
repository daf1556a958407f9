"""Console start-up with a full cache, measured as a person would see it, and RSS after a minute.

    .venv/bin/python bench/bench_startup.py [--runs 5] [--size 120x40] [--skip-minute]

The cache is bench_chart_query.py's (200 series at 15 s, 48 h raw, 14 d of minute rollups,
400 d of hour rollups; built on first use, ~316 MiB), copied once under $TMPDIR/penguin-bench/
and given what a recorder would have added: the 200 items, their current states and a night of
threshold breaches. The config watches exactly those 200 series (as JSON metrics, never polled).

The console only reads: this script holds the cache's writer lock (as a daemon would), so the
console attaches instead of recording (and its retention pass never touches the shared cache).
The cache's history ends at a fixed moment, so the console is started with its clock at that
moment: its queries hit 24 h of data as they would in the morning. That needs a small launcher
(``--console``: the same steps as ``penguin-tui --config C --cache K``, plus the clock); the
plain CLI on the real clock is measured too, for reference (its windows hold no data: the cache
is from 2023, every row is STALE).

Each run starts the program in a fresh tmux pane (private tmux server, ``-x 120 -y 40``) and
polls ``tmux capture-pane -p`` until the checklist's rows are on screen; the time is wall time
from the spawn. Baseline in the same run, measured the same way: bench/bare_textual_app.py
(a DataTable of 200 rows) until its rows show. Runs alternate; medians and the ratio are printed.
Goals (issue 3): <= 0.6 s to the first painted frame, RSS <= 120 MiB after a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SOCKET = f"penguin-bench-{os.getpid()}"
SECTIONS = ("Services", "Databases", "API", "Email deliverability", "Support")
TIMEOUT_S = 20.0


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


# --- the cache and config -----------------------------------------------------------------


def derived_paths() -> tuple[Path, Path]:
    import bench_chart_query as chart

    base = chart.cache_path()
    return base.with_name("startup-" + base.name), base.with_name("startup-config.toml")


def write_config(path: Path) -> None:
    import bench_chart_query as chart

    lines = ["[host]", "enabled = false"]
    for i in range(chart.SERIES):
        lines += [
            "[[metric]]",
            f'name = "bench{i}"',
            f'title = "bench series {i:03d}"',
            f'section = "{SECTIONS[i % len(SECTIONS)]}"',
            'unit = "ms"',
            'json = "http://127.0.0.1:9/never-polled"',
            'field = "value"',
            "warn = 250",
            "crit = 290",
            'interval = "15s"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare() -> tuple[Path, Path, float]:
    """The derived cache and config (made once), and the moment the cache's history ends."""
    import bench_chart_query as chart

    from penguin_tui.config import load_config
    from penguin_tui.model import Batch, Event, EventKind, Reading, Status
    from penguin_tui.store import Store

    cache, config_path = derived_paths()
    now = float(chart.NOW)
    write_config(config_path)
    if cache.exists():
        return cache, config_path, now
    source = chart.cache_path()
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        chart.build(source)
    started = time.perf_counter()
    tmp = cache.with_suffix(".copying")
    shutil.copyfile(source, tmp)
    config = load_config(config_path, explicit=True)
    store = Store.open(tmp)
    store.sync_items(config.items())
    readings, events = [], []
    for n, item in enumerate(config.items()):
        status = Status.CRIT if n % 50 == 0 else Status.WARN if n % 17 == 0 else Status.OK
        value = 295.0 if status is Status.CRIT else 260.0 if status is Status.WARN else 42.0
        readings.append(Reading(item.key, now - 7, status, value))
        if status is not Status.OK:  # a night of breaches for the overnight panel
            for hour in range(1, 11, 3):
                ts = now - hour * 3600
                events.append(Event(ts, item.key, EventKind.BREACH, Status.OK, status, value))
                events.append(Event(ts + 600, item.key, EventKind.BREACH, status, Status.OK, 40))
    store.write(Batch(readings=readings, events=events))
    store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, cache)
    print(f"derived {cache} in {time.perf_counter() - started:.1f} s")
    return cache, config_path, now


def run_console(config_path: Path, cache: Path, now: float) -> None:
    """``--console``: what ``penguin-tui --config --cache`` does, with the clock at ``now``."""
    import penguin_tui.cli  # noqa: F401 - the real command pays for click too
    from penguin_tui.app import PenguinApp
    from penguin_tui.context import resolve
    from penguin_tui.store import Store

    ctx = resolve(config_path, cache)
    Store.open(ctx.cache_path).close()  # the launcher's probe of the cache
    offset = time.time() - now
    app = PenguinApp(
        ctx.config, ctx.cache_path, config_path=ctx.config_path, clock=lambda: time.time() - offset
    )
    app.run()


# --- measuring ----------------------------------------------------------------------------


def time_to_rows(name: str, cmd: list[str], ready: str, size: str) -> float:
    """Spawn ``cmd`` in a new tmux window; seconds until a screen line contains ``ready``."""
    width, height = size.split("x")
    line = subprocess.list2cmdline(cmd)
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", name, "-x", width, "-y", height, line)
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            screen = tmux("capture-pane", "-p", "-t", name)
            if ready in screen:
                return time.perf_counter() - started
            time.sleep(0.005)
        sys.exit(f"{name}: {ready!r} not on screen after {TIMEOUT_S:g} s:\n{screen}")
    finally:
        tmux("kill-session", "-t", name)
        time.sleep(0.3)  # let it exit before the next run starts


def tree_rss_mib(session: str) -> float:
    pane = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip() or 0)
    total, todo = 0, [pane] if pane else []
    while todo:
        pid = todo.pop()
        kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        todo += [int(k) for k in kids.split()]
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def rss_after_minute(cmds: dict[str, tuple[list[str], str]], size: str) -> dict[str, float]:
    width, height = size.split("x")
    for n, (cmd, _ready) in enumerate(cmds.values()):
        tmux("new-session", "-d", "-s", f"rss{n}", "-x", width, "-y", height,
             subprocess.list2cmdline(cmd))  # fmt: skip
    try:
        time.sleep(60)
        return {name: tree_rss_mib(f"rss{n}") for n, name in enumerate(cmds)}
    finally:
        for n in range(len(cmds)):
            tmux("kill-session", "-t", f"rss{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--skip-minute", action="store_true", help="skip RSS after a minute")
    parser.add_argument("--console", nargs=3, metavar=("CONFIG", "CACHE", "NOW"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.console:
        run_console(Path(args.console[0]), Path(args.console[1]), float(args.console[2]))
        return
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: apt-get install tmux")

    from penguin_tui.store import Store

    cache, config_path, now = prepare()
    size_mib = cache.stat().st_size / 2**20
    py, exe = sys.executable, str(Path(sys.executable).with_name("penguin-tui"))
    cmds = {
        "bare_textual_app.py (baseline)": (
            [py, str(ROOT / "bench" / "bare_textual_app.py"), "--rows", "200"],
            "bare row 0",
        ),
        "console, clock at the cache's end": (
            [py, __file__, "--console", str(config_path), str(cache), str(now)],
            "bench series 000",
        ),
        "penguin-tui CLI, real clock": (
            [exe, "--config", str(config_path), "--cache", str(cache)],
            "bench series 000",
        ),
    }
    # Hold the writer lock as a daemon would: the consoles attach and only read.
    holder = Store.open(cache)
    holder.acquire_writer("bench")
    tmux("new-session", "-d", "-s", "keepalive", "sleep 3600")  # the tmux server, started once
    env_note = os.environ.get("TERM", "?")
    try:
        print(f"cache {cache} ({size_mib:.0f} MiB), 200 items; {args.size}, TERM={env_note}, "
              f"{args.runs} runs each, alternating")  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for cmd, ready in cmds.values():  # warm-up: page cache, .pyc files
            time_to_rows("warm", cmd, ready, args.size)
        for run in range(args.runs):
            for name, (cmd, ready) in cmds.items():
                times[name].append(time_to_rows(f"run{run}", cmd, ready, args.size))
        base = statistics.median(times["bare_textual_app.py (baseline)"])
        print(f"{'spawn to checklist rows on screen':36}{'median s':>9}{'min':>7}{'max':>7}"
              f"{'ratio':>7}")  # fmt: skip
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"{name:36}{med:>9.3f}{min(ts):>7.3f}{max(ts):>7.3f}{med / base:>7.2f}")
        console = statistics.median(times["console, clock at the cache's end"])
        print(f"goal <= 0.6 s: {'met' if console <= 0.6 else 'NOT met'} ({console:.3f} s)")
        if not args.skip_minute:
            picked = {k: cmds[k] for k in list(cmds)[:2]}
            rss = rss_after_minute(picked, args.size)
            print("RSS after a minute: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items()))
            console_rss = rss["console, clock at the cache's end"]
            print(f"goal <= 120 MiB: {'met' if console_rss <= 120 else 'NOT met'}")
    finally:
        tmux("kill-server")
        holder.close()


if __name__ == "__main__":
    tempfile.gettempdir()  # the derived cache lives next to bench_chart_query's
    main()
