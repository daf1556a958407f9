"""Steady-state cost of the console on the demo platform: CPU, terminal bytes, RSS, and where
the bytes go.

    .venv/bin/python bench/bench_termcost.py [--seconds 60] [--runs 1] [--size 120x40]
                                             [--attribution-seconds 30] [--no-attribution]

Part 1 runs ../shared/tools/termcost.py (tmux pane under script(1); CPU of the whole process
tree, bytes written to the terminal per minute, RSS) on ``penguin-tui demo`` — the console
records itself, so the poller is embedded, and the demo platform serves from the same process —
and, as the baseline in the same run, on bench/bare_textual_app.py --live (ten table cells and a
clock updated each second). Runs alternate; medians and the ratio are printed.
Goals (issue 3): CPU <= 3 % of a core, <= 60 KiB/min.

Part 2 says where the console's bytes go. It logs the demo's terminal stream with timing
(``script -T``): every chunk the console writes is one frame. Textual paints a frame as pieces
opened by a cursor move ``ESC [ row ; col H``; every byte up to the next move belongs to that
row. Frames are grouped by which rows and columns they touch, rows are ranked by bytes, each
with the text the screen showed there.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TERMCOST = ROOT.parent / "shared" / "tools" / "termcost.py"
PY = sys.executable
LINE = re.compile(r"cpu ([\d.]+)% of a core, terminal ([\d.]+) KiB/min, rss (\d+) MiB")
CUP = re.compile(rb"\x1b\[(\d+);(\d+)H")
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
FRAME_GAP_S = 0.003
SPLIT_COL = 72  # where the health screen's right column (overnight, detail) starts at 120x40


def console_cmd() -> list[str]:
    exe = Path(PY).with_name("penguin-tui")
    return [str(exe), "demo"]


def bare_cmd() -> list[str]:
    return [PY, str(ROOT / "bench" / "bare_textual_app.py"), "--live"]


def termcost(name: str, seconds: float, cmd: list[str], size: str) -> tuple[float, float, float]:
    """One termcost.py run: (cpu %, KiB/min, rss MiB)."""
    env = dict(os.environ, TERMCOST_SIZE=size)
    out = subprocess.run(
        [PY, str(TERMCOST), name, str(seconds), "--", *cmd],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 60,
    )
    found = LINE.search(out.stdout)
    if not found:
        sys.exit(f"termcost.py gave no figures for {name}: {out.stdout}{out.stderr}")
    print(f"  {out.stdout.strip()}")
    return float(found[1]), float(found[2]), float(found[3])


# --- part 2: the stream, frame by frame ----------------------------------------------------


@dataclass
class RowCost:
    """Bytes written to one screen row, left and right of SPLIT_COL, and how many pieces."""

    left: int = 0
    right: int = 0
    pieces: int = 0


@dataclass
class Stream:
    """The frames written during the measured window, and the screen's text at its end."""

    seconds: float
    frames: list[bytes]
    screen: list[str]
    rows: dict[int, RowCost] = field(default_factory=lambda: defaultdict(RowCost))

    def per_min(self, n: float) -> float:
        return 60.0 * n / self.seconds


def capture(cmd: list[str], seconds: float, size: str, settle: float = 6.0) -> Stream:
    """Run ``cmd`` in a tmux pane under ``script -T``; keep the frames after ``settle`` s."""
    width, height = size.split("x")
    work = Path(tempfile.mkdtemp(prefix="penguin-bench-tty-"))
    log, timing = work / "tty.log", work / "tty.timing"
    session = f"benchtty{os.getpid()}"
    inner = subprocess.list2cmdline(cmd)
    shell = f"script -qf -T {timing} -c {subprocess.list2cmdline([inner])} {log}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", width, "-y", height, shell], check=True
    )
    try:
        time.sleep(settle + seconds)
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout.splitlines()
        data, chunks = log.read_bytes(), timing.read_text().splitlines()
    finally:
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], capture_output=True)
        time.sleep(1.5)  # the console quits on q and the demo cleans up after itself
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    frames, clock, offset = [], 0.0, 0
    for line in chunks:
        parts = line.split()
        delay, size_b = float(parts[-2]), int(parts[-1])  # classic "d n" or advanced "O d n"
        clock += delay
        if settle <= clock <= settle + seconds:
            chunk = data[offset : offset + size_b]
            # script(1) reads the pty in pieces of at most a few KiB: pieces that follow each
            # other within a couple of milliseconds are one frame written in one go.
            if frames and delay < FRAME_GAP_S:
                frames[-1] += chunk
            else:
                frames.append(chunk)
        offset += size_b
    return Stream(seconds, frames, screen)


def attribute(stream: Stream) -> tuple[Counter, dict[tuple, int]]:
    """Fill per-row costs; count frames and bytes per 'shape' (rows and columns touched)."""
    shapes: Counter = Counter()
    shape_bytes: dict[tuple, int] = defaultdict(int)
    for frame in stream.frames:
        marks = list(CUP.finditer(frame))
        touched_rows, touched_cols = set(), set()
        for n, mark in enumerate(marks):
            end = marks[n + 1].start() if n + 1 < len(marks) else len(frame)
            row, col = int(mark[1]), int(mark[2])
            piece = end - mark.start()
            if end - mark.end() == 0:
                continue  # a bare cursor move (where the terminal's cursor is parked)
            cost = stream.rows[row]
            cost.pieces += 1
            if col > SPLIT_COL:
                cost.right += piece
            else:
                cost.left += piece
            touched_rows.add(row)
            touched_cols.add(col)
        if touched_rows:
            shape = (min(touched_rows), max(touched_rows), tuple(sorted(touched_cols)))
        else:
            shape = (0, 0, ())
        shapes[shape] += 1
        shape_bytes[shape] += len(frame)
    return shapes, shape_bytes


def where_bytes_go(stream: Stream, top_rows: int = 12, top_shapes: int = 6) -> None:
    total = sum(len(f) for f in stream.frames)
    escapes = sum(len(m[0]) for f in stream.frames for m in ESCAPES.finditer(f))
    shapes, shape_bytes = attribute(stream)
    kib = 1024.0
    print(
        f"  {stream.per_min(total) / kib:.1f} KiB/min in {stream.per_min(len(stream.frames)):.0f}"
        f" frames/min ({total / max(len(stream.frames), 1):,.0f} B per frame on average);"
        f" escape sequences (cursor moves, colours) are {100 * escapes / max(total, 1):.0f}%"
        " of the bytes"
    )
    print("  frames by what they repaint (rows, columns where pieces start):")
    for shape, count in sorted(shapes.items(), key=lambda kv: -shape_bytes[kv[0]])[:top_shapes]:
        lo, hi, cols = shape
        cols_text = ",".join(map(str, cols[:8])) + ("…" if len(cols) > 8 else "")
        print(
            f"    rows {lo:>2}-{hi:<2} cols {cols_text:<22} {stream.per_min(count):>6.0f} /min"
            f" {shape_bytes[shape] / count:>8,.0f} B each"
            f" {stream.per_min(shape_bytes[shape]) / kib:>7.1f} KiB/min"
        )
    print(f"  rows by bytes (left | right of column {SPLIT_COL}), with what the screen showed:")
    ranked = sorted(stream.rows.items(), key=lambda kv: -(kv[1].left + kv[1].right))
    for row, rc in ranked[:top_rows]:
        text = stream.screen[row - 1] if 0 < row <= len(stream.screen) else ""
        left, right = text[:SPLIT_COL].strip(), text[SPLIT_COL:].strip()
        print(
            f"    row {row:>2} {stream.per_min(rc.left) / kib:>6.1f} | "
            f"{stream.per_min(rc.right) / kib:>5.1f} KiB/min  {stream.per_min(rc.pieces):>5.0f}"
            f" pieces/min  {left[:44]!r} | {right[:30]!r}"
        )
    rest = sum(rc.left + rc.right for _, rc in ranked[top_rows:])
    others = max(0, len(ranked) - top_rows)
    print(f"    other {others} rows: {stream.per_min(rest) / kib:.1f} KiB/min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per run")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (medians are printed)")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--attribution-seconds", type=float, default=30.0)
    parser.add_argument("--no-attribution", action="store_true")
    args = parser.parse_args()
    for tool in ("tmux", "script"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install tmux util-linux")

    print(f"termcost at {args.size}, {args.seconds:g} s per run, {args.runs} run(s) each")
    bare, console = [], []
    for _ in range(args.runs):
        bare.append(termcost("bare Textual app (baseline)", args.seconds, bare_cmd(), args.size))
        console.append(termcost("penguin-tui demo", args.seconds, console_cmd(), args.size))
    b = [statistics.median(x) for x in zip(*bare, strict=True)]
    c = [statistics.median(x) for x in zip(*console, strict=True)]
    print(f"{'median':30}{'cpu %':>8}{'KiB/min':>10}{'rss MiB':>9}")
    print(f"{'bare_textual_app.py --live':30}{b[0]:>8.1f}{b[1]:>10.1f}{b[2]:>9.0f}")
    print(f"{'penguin-tui demo':30}{c[0]:>8.1f}{c[1]:>10.1f}{c[2]:>9.0f}")
    print(
        f"ratio console/bare: cpu {c[0] / max(b[0], 0.01):.2f}, bytes {c[1] / max(b[1], 0.01):.2f}"
        f"  (goals: cpu <= 3 %: {'met' if c[0] <= 3 else 'NOT met'};"
        f" <= 60 KiB/min: {'met' if c[1] <= 60 else 'NOT met'})"
    )
    if args.no_attribution:
        return
    print(f"\nwhere penguin-tui demo's bytes go ({args.attribution_seconds:g} s, {args.size}):")
    where_bytes_go(capture(console_cmd(), args.attribution_seconds, args.size))


if __name__ == "__main__":
    main()
