"""Run the console's recorder as a child ``penguin-tui daemon`` process.

A recorder thread shares the console's interpreter lock: with hundreds of targets its polls
held the UI thread back for up to ~200 ms per keypress (bench/bench_keypress.py). A child
process polls on its own core and talks to the console only through the cache, like a real
daemon. It stops when the console closes its stdin — on quit, on a crash, or when an SSH drop
kills the console — so it never outlives the console that started it.
"""

from __future__ import annotations

import collections
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from penguin_tui.errors import CacheError, PenguinError, WriterLockHeld

START_TIMEOUT_S = 15.0
RECORDER_NICENESS = 10


class RecorderProcess:
    """Start/stop a child recorder; same interface as RecorderThread (start, stop, running)."""

    def __init__(self, config_path: Path | None, cache_path: Path | str) -> None:
        self.config_path = config_path
        self.cache_path = Path(cache_path)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        """The child's command line (the config is resolved the same way as the console's)."""
        cmd = [sys.executable, "-m", "penguin_tui", "daemon", "--cache", str(self.cache_path)]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        return [*cmd, "--role", "console", "--exit-with-stdin"]

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start the child; return once it holds the writer lock, or raise why it could not.

        Raises WriterLockHeld when another recorder won the race (then: attach to it).
        """
        from penguin_tui.store.lock import WriterLock

        self._proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            # Never the terminal: the console owns it. Kept to explain an early exit.
            stderr=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C meant for the console is not the child's
        )
        # Polling is background work; keys are not. On a busy bastion (or 2 cores shared with
        # 500 targets) the scheduler should let the operator's keypress win.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self._proc.pid, RECORDER_NICENESS)
        threading.Thread(target=self._drain, name="penguin-recorder-log", daemon=True).start()
        lock = WriterLock(str(self.cache_path))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._raise_exit()
            try:
                holder = lock.holder()
            except CacheError:
                holder = None
            if holder is not None and holder.pid == self._proc.pid:
                return
            time.sleep(0.05)
        self.stop()
        raise PenguinError(f"the recorder did not start within {timeout:g} s")

    def _drain(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            self._stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def _raise_exit(self) -> None:
        assert self._proc is not None
        self._proc.wait()
        time.sleep(0.05)  # let the drain thread read the last lines
        lines = [line for line in self._stderr_tail if line.startswith("penguin-tui: ")]
        message = lines[-1].removeprefix("penguin-tui: ") if lines else "the recorder exited"
        if "already being recorded" in message:
            raise WriterLockHeld(str(self.cache_path), 0, "another host")
        raise PenguinError(message)

    def last_log_lines(self) -> list[str]:
        """The child's most recent log lines (for a status message when it ends)."""
        return list(self._stderr_tail)

    def stop(self, timeout: float = 15.0) -> None:
        """Close the child's stdin (it finishes the poll in flight, writes, releases the lock)."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
