"""Keypress to repaint on the health screen while the console's own poller is busy.

    .venv/bin/python bench/bench_keypress.py [--targets 500] [--interval 2] [--presses 50]

A separate process serves the targets (bench_daemon.py --serve: one loopback port each). The
console runs for real in a tmux pane at 120x40 (``penguin-tui --config C --cache K``) and
records itself: its recorder thread polls 500 http checks every 2 s, faster than a cycle can
finish here (bench_poll.py: ~2.8 s for 500 targets), so the poller never rests and a batch lands
in the cache every second, each refreshing the screen.

Why not Textual's pilot: ``pilot.press``/``pilot.pause`` wait until the *process* is idle
(``textual._wait.wait_for_idle`` compares process CPU time with wall time, up to 1 s each). An
in-process poller is never idle, so every press measured ~3 s of waiting, not the app.

Each press is ``tmux send-keys Down`` (then Up, alternately, so the list never scrolls), timed
until ``tmux capture-pane -e`` shows the cursor row's style on the new line. The cursor's
style is learnt first: the SGR sequence that marks exactly one line and moves down one line
with one press. Baseline in the same run: the same presses on the same cache with the poller
idle (this script holds the writer lock, so the console attaches and polls nothing).
Prints median, p95 and max and the ratio of medians. Goal (issue 3): <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOCKET = f"penguin-keys-{os.getpid()}"
SGR = re.compile(r"\x1b\[[0-9;]*m")
WAIT_S = 5.0


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


def write_config(path: Path, ports: list[int], interval: float) -> None:
    sections = ("Services", "Databases", "API", "Email deliverability", "Support")
    lines = ["[general]", "max_concurrency = 50", "[host]", "enabled = false"]
    for n, port in enumerate(ports):
        lines += [
            "[[check]]",
            f'name = "target-{n:03d}"',
            f'section = "{sections[n % len(sections)]}"',
            f'url = "http://127.0.0.1:{port}/health"',
            'conditions = ["[STATUS] == 200", "[BODY].status == ok"]',
            f'interval = "{interval:g}s"',
            f'timeout = "{min(5.0, 0.9 * interval):g}s"',  # must be shorter than the interval
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def styled_lines(session: str) -> list[set[str]]:
    """Per screen line, the SGR sequences on it (left part: the checklist)."""
    screen = tmux("capture-pane", "-e", "-p", "-t", session)
    return [set(SGR.findall(line[:400])) for line in screen.splitlines()]


def line_of(marker: str, lines: list[set[str]]) -> int | None:
    found = [n for n, seqs in enumerate(lines) if marker in seqs]
    return found[0] if len(found) == 1 else None


def learn_cursor(session: str) -> tuple[str, int]:
    """The SGR sequence only the cursor row has, and the line it is on."""
    before = styled_lines(session)
    tmux("send-keys", "-t", session, "Down")
    time.sleep(1.0)
    after = styled_lines(session)
    tmux("send-keys", "-t", session, "Up")
    time.sleep(1.0)
    for n, seqs in enumerate(before):
        for seq in seqs:
            if line_of(seq, before) == n and line_of(seq, after) == n + 1:
                return seq, n
    sys.exit("could not tell the cursor row's style from the screen")


def press_times(session: str, presses: int, rnd: random.Random) -> list[float]:
    marker, line = learn_cursor(session)
    out = []
    for n in range(presses):
        key, target = ("Down", line + 1) if n % 2 == 0 else ("Up", line)
        started = time.perf_counter()
        tmux("send-keys", "-t", session, key)
        while line_of(marker, styled_lines(session)) != target:
            if time.perf_counter() - started > WAIT_S:
                sys.exit(f"cursor not on line {target} {WAIT_S:g} s after {key}")
        out.append(time.perf_counter() - started)
        time.sleep(rnd.uniform(0.1, 0.3))  # don't march in step with the 1 s batches
    return out


def run(cmd: list[str], ready: str, presses: int, seed: int) -> list[float]:
    session = "keys"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", subprocess.list2cmdline(cmd))
    tmux("set-option", "-t", session, "remain-on-exit", "on")  # keep an error message readable
    try:
        deadline = time.monotonic() + 30
        while ready not in tmux("capture-pane", "-p", "-t", session):
            if time.monotonic() > deadline:
                sys.exit(f"{ready!r} not on screen:\n{tmux('capture-pane', '-p', '-t', session)}")
            time.sleep(0.2)
        time.sleep(5.0)  # the poller well under way (or the idle console settled)
        return press_times(session, presses, random.Random(seed))
    finally:
        tmux("send-keys", "-t", session, "q")
        time.sleep(2.0)  # the recorder stops cleanly and releases the lock
        tmux("kill-session", "-t", session)


def stats(xs: list[float]) -> tuple[float, float, float]:
    ms = sorted(x * 1000 for x in xs)
    return statistics.median(ms), statistics.quantiles(ms, n=20)[-1], ms[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=500)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--presses", type=int, default=50)
    args = parser.parse_args()

    from penguin_tui.store import Store

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bench_daemon.py"), "--serve",
         "--targets", str(args.targets)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )  # fmt: skip
    exe = str(Path(sys.executable).with_name("penguin-tui"))
    try:
        assert server.stdout is not None
        ports = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="penguin-bench-keys-") as tmp:
            config, cache = Path(tmp) / "config.toml", Path(tmp) / "cache.db"
            write_config(config, ports, args.interval)
            cmd = [exe, "--config", str(config), "--cache", str(cache)]
            started = time.monotonic()
            busy = run(cmd, "● recording", args.presses, seed=1)
            span = time.monotonic() - started
            with sqlite3.connect(f"file:{cache}?mode=ro", uri=True) as conn:
                probes = conn.execute(
                    "SELECT count(*) FROM samples s JOIN series ON series.id = s.series_id"
                    " WHERE series.key LIKE '%:up'"
                ).fetchone()[0]
            holder = Store.open(cache)
            holder.acquire_writer("bench")  # the console attaches: no poller
            try:
                idle = run(cmd, "● attached", args.presses, seed=1)
            finally:
                holder.close()
    finally:
        tmux("kill-server")
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    b, i = stats(busy), stats(idle)
    print(f"{args.presses} presses (Down/Up) on a {args.targets}-row checklist in tmux at 120x40; "
          f"poller: {args.targets} targets every {args.interval:g} s, did {probes / span:.0f} "
          f"probes/s of the {args.targets / args.interval:.0f}/s asked")  # fmt: skip
    print(f"{'keypress to repaint':24}{'median ms':>10}{'p95 ms':>8}{'max ms':>8}")
    print(f"{'poller busy':24}{b[0]:>10.1f}{b[1]:>8.1f}{b[2]:>8.1f}")
    print(f"{'poller idle (baseline)':24}{i[0]:>10.1f}{i[1]:>8.1f}{i[2]:>8.1f}")
    print(f"ratio busy/idle (medians): {b[0] / i[0]:.2f}; goal <= 50 ms, poller busy: "
          f"median {'met' if b[0] <= 50 else 'NOT met'}, "
          f"p95 {'met' if b[1] <= 50 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
