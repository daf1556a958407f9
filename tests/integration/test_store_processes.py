"""The cache between real processes: one writer, readers alongside, and writers that die.

Each test starts real Python processes on a real cache file; nothing is simulated.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from penguin_tui.errors import WriterLockHeld
from penguin_tui.store import Store

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000
SERIES = 250
PER_SERIES = 20  # a batch is SERIES * PER_SERIES samples, all carrying the batch number

CHILD = textwrap.dedent(
    f"""
    import sys, time
    from penguin_tui.model import Batch, Reading, Sample, Status
    from penguin_tui.store import Store

    mode, path = sys.argv[1], sys.argv[2]
    store = Store.open(path)
    if mode == "hold":
        store.acquire_writer(sys.argv[3])
        print("locked", flush=True)
        sys.stdin.readline()
    elif mode == "write":
        store.acquire_writer("daemon")
        seq = 0
        while True:
            seq += 1
            base = {T0} + seq * {PER_SERIES}
            batch = Batch(
                samples=[Sample(f"metric:s{{s}}", base + k, float(seq))
                         for s in range({SERIES}) for k in range({PER_SERIES})],
                readings=[Reading("check:seq", base, Status.OK, float(seq))],
            )
            print(f"writing {{seq}}", flush=True)
            store.write(batch)
            print(f"committed {{seq}}", flush=True)
            if seq % 10 == 0:
                store.maintain(now=base)
    elif mode == "hold-tx":
        # A writer in the middle of a long write transaction.
        store.acquire_writer("daemon")
        store._conn.execute("BEGIN IMMEDIATE")
        store._conn.execute(
            "UPDATE states SET value = -1, checked_at = checked_at + 1 WHERE key = 'check:seq'"
        )
        print("in-transaction", flush=True)
        sys.stdin.readline()
        store._conn.execute("COMMIT")
        print("committed", flush=True)
        sys.stdin.readline()
    """
)


class Child:
    """A child process running CHILD, with its stdout lines readable with a timeout."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("<eof>")

    def expect(self, prefix: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"child never printed {prefix!r}") from None
            if line == "<eof>":
                raise AssertionError(f"child exited: {self.proc.stderr.read()}")
            if line.startswith(prefix):
                return line

    def send(self, text: str = "go") -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


@pytest.fixture
def children():
    started: list[Child] = []

    def start(*args: str) -> Child:
        child = Child(*args)
        started.append(child)
        return child

    yield start
    for child in started:
        child.stop()


def test_second_writer_is_refused_naming_the_holder(tmp_path: Path, children) -> None:
    path = str(tmp_path / "cache.db")
    holder = children("hold", path, "daemon")
    holder.expect("locked")
    with Store.open(path) as other:
        with pytest.raises(WriterLockHeld) as err:
            other.acquire_writer("console")
        assert (err.value.pid, err.value.host, err.value.role) == (
            holder.proc.pid,
            socket.gethostname(),
            "daemon",
        )
        message = str(err.value)
        assert f"pid {holder.proc.pid}" in message and socket.gethostname() in message
        assert path in message
        # Any reader can see who records.
        info = other.writer()
        assert (info.pid, info.role) == (holder.proc.pid, "daemon")


def test_lock_of_a_killed_writer_does_not_block(tmp_path: Path, children) -> None:
    path = str(tmp_path / "cache.db")
    holder = children("hold", path, "daemon")
    holder.expect("locked")
    holder.kill()
    # The dead writer's details are still in the lock file: only information, not a lock.
    assert str(holder.proc.pid) in Path(path + ".lock").read_text()
    with Store.open(path) as store:
        assert store.writer() is None
        store.acquire_writer("console")
        assert store.writer().pid == os.getpid()
        # And within one process, a second Store on the same cache is refused too.
        with Store.open(path) as second, pytest.raises(WriterLockHeld):
            second.acquire_writer()
        store.release_writer()
        assert store.writer() is None


def test_reader_sees_live_data_while_a_writer_writes(tmp_path: Path, children) -> None:
    path = str(tmp_path / "cache.db")
    writer = children("write", path)
    writer.expect("committed 1")
    seen = []
    with Store.open(path, readonly=True) as reader:
        assert reader.writer().pid == writer.proc.pid
        while not seen or seen[-1] < 40:
            started = time.monotonic()
            state = reader.states()["check:seq"]
            _low, high = reader.extremes("metric:s7", T0, T0 + 10**5)
            assert time.monotonic() - started < 1.0  # never stuck behind the writer
            seen.append(int(state.value))
            # Whole batches only: the sample series is never behind the state it came with.
            assert high[1] >= state.value
    assert seen == sorted(seen) and len(set(seen)) > 3


def test_readers_are_not_blocked_by_an_open_write_transaction(tmp_path: Path, children) -> None:
    path = str(tmp_path / "cache.db")
    from penguin_tui.model import Batch, Reading, Status

    with Store.open(path) as seed:
        seed.write(Batch(readings=[Reading("check:seq", T0, Status.OK, 5.0)]))
    writer = children("hold-tx", path)
    writer.expect("in-transaction")
    with Store.open(path) as reader:
        started = time.monotonic()
        assert reader.states()["check:seq"].value == 5.0  # the committed value, at once
        assert time.monotonic() - started < 0.5
        writer.send()
        writer.expect("committed")
        assert reader.states()["check:seq"].value == -1.0


@pytest.mark.parametrize("round_", range(3))
def test_kill_9_mid_write_leaves_a_sound_cache_missing_at_most_the_last_batch(
    tmp_path: Path, children, round_: int
) -> None:
    path = str(tmp_path / "cache.db")
    writer = children("write", path)
    target = 15 + 7 * round_
    writer.expect(f"writing {target}")
    last = target - 1
    # Writing a batch of 5,000 samples takes tens of milliseconds: a kill a few
    # milliseconds after it started lands inside the transaction.
    time.sleep(0.002 * (round_ + 1))
    writer.kill()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = dict(conn.execute("SELECT value, count(*) FROM samples GROUP BY value"))
    finally:
        conn.close()
    batch = SERIES * PER_SERIES
    assert max(counts) >= last  # nothing reported as committed was lost ...
    assert max(counts) <= last + 1  # ... and at most the batch in flight
    # Every batch is there whole (a killed batch is all or nothing).
    assert all(counts.get(float(seq)) == batch for seq in range(1, int(max(counts)) + 1))
    with Store.open(path) as store:
        store.acquire_writer()  # the dead writer's lock is gone with it
        assert store.states()["check:seq"].value >= last
