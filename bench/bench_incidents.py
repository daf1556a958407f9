"""The incidents screens with years of history: the list of 2,000 incidents, one incident of
5,000 timeline entries, and paging through that timeline, as a person sees them.

    .venv/bin/python bench/bench_incidents.py [--runs 5] [--pages 20] [--size 120x40]

The cache (built in a temporary directory through the real Store methods, ~30 s): 2,000
incidents declared over three years (a few still open), and one open Critical incident with
5,000 entries over two days (notes of every length, some of several lines, actions, status
changes, alerts fired and resolved, stakeholder updates, pins, corrections). It is the first
row of the list, so ``enter`` opens it.

Each run starts ``penguin-tui --config C --cache K`` in a fresh tmux pane (private server) and
polls ``tmux capture-pane -p`` every few ms. This script holds the cache's writer lock (as a
daemon would), so the console attaches and only reads.

- **list**: from ``tmux send-keys 3`` until the first incident's id is on screen (the
  screen's mount, the 2,000 read and built on the reader thread, the table filled, painted).
- **timeline**: from ``send-keys Enter`` until the newest entry's text is on screen (the
  view's mount, 5,000 entries read and sanitised on the reader thread, wrapped, one screenful
  rendered). Goal (issue 5): both <= 300 ms.
- **paging**: ``PageUp`` ``--pages`` times, then ``PageDown`` as often; each timed until the
  log's lines on screen changed. Median and p95 ("scrolls without lag").

Baseline in the same run, measured the same way, runs alternating: a bare Textual app (this
file, ``--bare``) that on ``3`` fills a ``DataTable`` with the same 2,000 rows of text, and on
``enter`` writes the same 5,000 entries (the same line format) into a ``RichLog``, then pages it.
Then, in this process, where the console's time goes (no terminal): the list's read and build,
the timeline's read, its wrap at the pane's width, and the render of one screenful.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOCKET = f"penguin-incidents-{os.getpid()}"
INCIDENTS = 2000
ENTRIES = 5000
TIMEOUT_S = 20.0
LOG_LINE = re.compile(r"^.?\d\d:\d\d #\d+ ")  # a timeline line, in the console and the baseline
AUTHORS = ("alice", "bob", "carol", "dave", "erin", "frank", "penguin-tui")
WORDS = tuple(
    [
        "relay",
        "queue",
        "bounce",
        "rate",
        "dkim",
        "blocklist",
        "deploy",
        "rollback",
        "restart",
        "disk",
        "pool",
        "spare",
        "ip",
        "customers",
        "gmail",
        "outlook",
        "delayed",
        "latency",
        "p95",
        "postgres",
        "replica",
        "failover",
        "webhook",
        "retry",
        "tls",
        "certificate",
        "dns",
        "resolver",
        "timeout",
        "mitigated",
        "holding",
        "watching",
        "ticket",
        "vendor",
    ]
)


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


# --- the cache -----------------------------------------------------------------------------


def sentence(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(words))


def build_cache(directory: Path) -> tuple[Path, Path, str, str]:
    """The cache and config; returns them, the big incident's id and its newest entry's text."""
    from penguin_tui.alerts.model import Severity
    from penguin_tui.incidents import entries as E
    from penguin_tui.incidents.model import EntryType, IncidentStatus
    from penguin_tui.store import Store

    rnd = random.Random(5)
    config = directory / "config.toml"
    config.write_text("[host]\nenabled = false\n", encoding="utf-8")
    cache = directory / "cache.db"
    now = time.time()
    store = Store.open(cache)
    try:
        sevs = list(Severity)
        for n in range(INCIDENTS):
            ts = now - 3 * 365 * 86400 + n * (3 * 365 * 86400 / INCIDENTS)
            sev = Severity.LOW if n % 7 else rnd.choice(sevs[:3])
            inc = store.declare_incident(
                E.declare(
                    f"history {n}: {sentence(rnd, 6)}",
                    sev,
                    ts=ts,
                    author=rnd.choice(AUTHORS),
                    services=("smtp-relay",),
                    commander=rnd.choice(AUTHORS),
                )
            )
            if n < INCIDENTS - 5:  # all but the last few were resolved and closed
                for status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
                    store.append_incident_entry(
                        inc.id, lambda i, s=status, t=ts: E.status(i, s, ts=t + 3600, author="x")
                    )
        start = now - 2 * 86400
        big = store.declare_incident(
            E.declare(
                "SMTP relays bouncing everywhere",
                Severity.CRITICAL,
                ts=start,
                author="alice",
                services=("smtp-relay", "api"),
                commander="alice",
            )
        )
        statuses = [IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING,
                    IncidentStatus.INVESTIGATING]  # fmt: skip
        last = ""
        changes = 0
        for n in range(1, ENTRIES):
            ts = start + n * (2 * 86400 - 120) / ENTRIES
            author = rnd.choice(AUTHORS)
            kind = rnd.random()
            if n == ENTRIES - 1:
                last = f"newest entry {n}: {sentence(rnd, 8)}"
                build = lambda i, ts=ts, t=last: E.note(i, t, ts=ts, author="alice")  # noqa: E731
            elif kind < 0.02:
                status = statuses[changes % 3]
                changes += 1
                build = lambda i, s=status, ts=ts, a=author: E.status(i, s, ts=ts, author=a)  # noqa: E731
            elif kind < 0.05:
                text = sentence(rnd, 30) + "\n" + sentence(rnd, 20)
                build = lambda i, t=text, ts=ts: E.stakeholder_update(i, t, ts=ts, author="carol")  # noqa: E731
            elif kind < 0.15:
                text = f"{rnd.choice(WORDS)} fired ({rnd.choice(['Critical', 'High'])})"
                build = lambda i, t=text, ts=ts: E.note(  # noqa: E731
                    i, t, ts=ts, author="penguin-tui", kind=EntryType.ACTION
                )
            elif kind < 0.25:
                text = sentence(rnd, rnd.randint(20, 120))  # long: wraps over lines
                build = lambda i, t=text, ts=ts, a=author: E.note(i, t, ts=ts, author=a)  # noqa: E731
            else:
                text = f"{n}: {sentence(rnd, rnd.randint(3, 14))}"
                build = lambda i, t=text, ts=ts, a=author: E.note(i, t, ts=ts, author=a)  # noqa: E731
            store.append_incident_entry(big.id, build)
        for entry in store.incident_entries(big.id)[100:5000:700]:
            store.append_incident_entry(
                big.id, lambda i, e=entry: E.pin(i, e, ts=now - 100, author="bob")
            )
        # The pins were appended after the newest note: move the marker to the last entry.
        store.append_incident_entry(big.id, lambda i: E.note(i, last, ts=now - 60, author="alice"))
        store.maintain(now)
    finally:
        store.close()
    return cache, config, big.id, last


# --- the bare baseline ----------------------------------------------------------------------


def line_of(entry) -> str:  # type: ignore[no-untyped-def]
    """An entry in the console's line format (time, id, author, type, text)."""
    clock = time.strftime("%H:%M", time.localtime(entry.ts))
    return f" {clock} #{entry.id} {entry.author} {entry.type.value} {entry.text}"


def run_bare(cache: str, incident_id: str) -> None:
    """``--bare``: the same rows in a plain DataTable and RichLog, shown on the same keys."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import DataTable, RichLog, Static

    from penguin_tui.store import Store

    store = Store.open(cache)
    incidents = store.incidents()
    entries = store.incident_entries(incident_id)
    store.close()
    rows = [
        (i.id, i.severity.title, i.status.value, "1d", i.roles.get("commander", "—"), "—", i.title)
        for i in incidents
    ]

    class Bare(App[None]):
        BINDINGS = [("3", "show_list"), Binding("enter", "show_log", priority=True)]

        def compose(self) -> ComposeResult:
            yield Static("bare ready")

        def action_show_list(self) -> None:
            table: DataTable = DataTable(cursor_type="row")
            self.mount(table)
            table.add_columns("Incident", "Severity", "Status", "Age", "IC", "Update", "Title")
            table.add_rows([tuple(Text(c) for c in row) for row in rows])
            table.focus()

        def action_show_log(self) -> None:
            for table in self.query(DataTable):
                table.remove()
            log = RichLog(wrap=True)
            self.mount(log)
            for entry in entries:
                log.write(Text(line_of(entry)))
            log.focus()

    Bare().run()


# --- measuring ------------------------------------------------------------------------------


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", "bench")


def wait_for(texts: tuple[str, ...], started: float) -> float:
    """Seconds from ``started`` until every one of ``texts`` is on screen."""
    while time.perf_counter() - started < TIMEOUT_S:
        shown = screen()
        if all(text in shown for text in texts):
            return time.perf_counter() - started
        time.sleep(0.003)
    sys.exit(f"{texts!r} not on screen after {TIMEOUT_S:g} s:\n{screen()}")


def log_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if LOG_LINE.match(line)]


def page_times(key: str, pages: int) -> list[float]:
    out = []
    for _ in range(pages):
        before = log_lines(screen())
        started = time.perf_counter()
        tmux("send-keys", "-t", "bench", key)
        while log_lines(screen()) == before:
            if time.perf_counter() - started > TIMEOUT_S:
                sys.exit(f"{key}: the log did not move:\n{screen()}")
            time.sleep(0.002)
        out.append(time.perf_counter() - started)
        time.sleep(0.15)  # a person reads; and the next press starts from a settled screen
    return out


def one_run(cmd: list[str], ready: str, listed: tuple[str, ...], newest: str, size: str,
            pages: int) -> dict[str, list[float]]:  # fmt: skip
    """One console (or baseline) in a fresh pane: list, timeline, pages up and down."""
    width, height = size.split("x")
    tmux("new-session", "-d", "-s", "bench", "-x", width, "-y", height,
         subprocess.list2cmdline(cmd))  # fmt: skip
    tmux("set-option", "-t", "bench", "remain-on-exit", "on")
    try:
        wait_for((ready,), time.perf_counter())
        time.sleep(1.5)  # start-up done (first reads, the first paint settled)
        started = time.perf_counter()
        tmux("send-keys", "-t", "bench", "3")
        list_s = wait_for(listed, started)
        time.sleep(1.0)
        started = time.perf_counter()
        tmux("send-keys", "-t", "bench", "Enter")
        opened = wait_for((newest[:30],), started)
        time.sleep(1.0)
        up = page_times("PageUp", pages)
        down = page_times("PageDown", pages)
        return {"list": [list_s], "timeline": [opened], "page": up + down}
    finally:
        tmux("kill-session", "-t", "bench")
        time.sleep(0.3)


def stats(xs: list[float]) -> tuple[float, float, float]:
    ms = sorted(x * 1000 for x in xs)
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 2 else ms[0]
    return statistics.median(ms), p95, ms[-1]


def where_the_time_goes(cache: Path, incident_id: str, width: int, height: int) -> None:
    """In this process: the list's read and build, the timeline's read and wrap, one screen."""
    from penguin_tui.incidents.view import IncidentsLoader
    from penguin_tui.store import Store
    from penguin_tui.widgets.timeline import INDENT, Timeline, wrap

    store = Store.open(cache)
    try:
        now = time.time()
        reads, timelines, wraps = [], [], []
        items = ()
        for _ in range(5):
            loader = IncidentsLoader()
            t = time.perf_counter()
            view = loader.load_list(store, now)
            reads.append(time.perf_counter() - t)
            t = time.perf_counter()
            data = loader.load_timeline(store, incident_id)
            timelines.append(time.perf_counter() - t)
            assert view is not None and data is not None
            items = data.new
            t = time.perf_counter()
            for it in items:
                wrap(it.text, width - Timeline._prefix_width(it), width - INDENT)
            wraps.append(time.perf_counter() - t)
    finally:
        store.close()
    print(f"  list: read {INCIDENTS:,} + build rows (reader thread)     "
          f"{statistics.median(reads) * 1000:7.1f} ms")  # fmt: skip
    print(f"  timeline: read {len(items):,} entries, sanitise (reader)  "
          f"{statistics.median(timelines) * 1000:7.1f} ms")  # fmt: skip
    print(f"  timeline: wrap {len(items):,} entries at {width} columns (UI) "
          f"{statistics.median(wraps) * 1000:7.1f} ms; then {height} lines rendered")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--bare", nargs=2, metavar=("CACHE", "INCIDENT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        run_bare(*args.bare)
        return
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: apt-get install tmux")

    from penguin_tui.store import Store

    with tempfile.TemporaryDirectory(prefix="penguin-bench-incidents-") as tmp:
        started = time.perf_counter()
        cache, config, big, newest = build_cache(Path(tmp))
        print(f"cache: {INCIDENTS:,} incidents over 3 years + {big} with "
              f"{ENTRIES:,} entries, built in {time.perf_counter() - started:.0f} s; "
              f"{cache.stat().st_size / 2**20:.1f} MiB")  # fmt: skip
        exe = str(Path(sys.executable).with_name("penguin-tui"))
        # What says the list is up: its first row (and, in the console, the list's header line:
        # the health screen's overnight panel may show the same incident id already).
        cmds = {
            "bare DataTable/RichLog (baseline)": (
                [sys.executable, __file__, "--bare", str(cache), big], "bare ready", (big,)),
            "penguin-tui console": (
                [exe, "--config", str(config), "--cache", str(cache)], "1 health",
                (big, "resolved or closed")),
        }  # fmt: skip
        holder = Store.open(cache)
        holder.acquire_writer("bench")  # the console attaches, reads only
        tmux("new-session", "-d", "-s", "keepalive", "sleep 3600")
        try:
            results: dict[str, dict[str, list[float]]] = {
                name: {"list": [], "timeline": [], "page": []} for name in cmds
            }
            for cmd, ready, listed in cmds.values():  # warm-up: page cache, .pyc files
                one_run(cmd, ready, listed, newest, args.size, 2)
            for _ in range(args.runs):
                for name, (cmd, ready, listed) in cmds.items():
                    found = one_run(cmd, ready, listed, newest, args.size, args.pages)
                    for key, values in found.items():
                        results[name][key] += values
        finally:
            tmux("kill-server")
            holder.close()
        print(f"{args.size}, {args.runs} runs each (alternating), {args.pages} pages up and "
              f"{args.pages} down per run")  # fmt: skip
        print(f"{'':36}{'list open':>18}{'timeline open':>18}{'page up/down':>22}")
        print(f"{'':36}{'median   max ms':>18}{'median   max ms':>18}{'median    p95   max':>22}")
        for name, res in results.items():
            lm, _, lx = stats(res["list"])
            tm, _, tx = stats(res["timeline"])
            pm, pp, px = stats(res["page"])
            print(f"{name:36}{lm:>9.0f}{lx:>7.0f}  {tm:>9.0f}{tx:>7.0f}  "
                  f"{pm:>8.1f}{pp:>7.1f}{px:>7.1f}")  # fmt: skip
        base, ours = results["bare DataTable/RichLog (baseline)"], results["penguin-tui console"]
        ratio = {k: statistics.median(ours[k]) / statistics.median(base[k]) for k in ours}
        print("ratio console/baseline (medians): "
              + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))  # fmt: skip
        for what in ("list", "timeline"):
            med = statistics.median(ours[what]) * 1000
            print(f"goal {what} open <= 300 ms: {'met' if med <= 300 else 'NOT met'} "
                  f"({med:.0f} ms)")  # fmt: skip
        width, height = (int(x) for x in args.size.split("x"))
        print("where the console's time goes (this process, no terminal):")
        where_the_time_goes(cache, big, width - 2, height - 8)


if __name__ == "__main__":
    main()
