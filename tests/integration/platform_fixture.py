"""The demo (`penguin-tui demo --no-console`) for tests: as a separate process, or in this one.

A separate process keeps the platform's CPU out of the code under test and exercises the real
command: its first output line names the config file that points at the platform. In this
process (``serving_demo``) a test reaches into the runner: what it printed, how it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

from penguin_tui.demo.runner import run_demo

SERVING = "Serving until interrupted"  # the demo's last banner line: everything is up


class _Banner(io.StringIO):
    """What the demo prints; ``serving`` is set once it says everything is up."""

    def __init__(self) -> None:
        super().__init__()
        self.serving = asyncio.Event()

    def write(self, s: str) -> int:
        if SERVING in s:
            self.serving.set()
        return super().write(s)


@contextlib.asynccontextmanager
async def serving_demo(
    base_dir: Path, *, history_hours: float = 1.0, timeout: float = 60.0
) -> AsyncIterator[str]:
    """``run_demo`` without a console until the block ends; yields what it printed once it
    serves. On leaving, asks it to stop and checks that it ended well (exit code 0)."""
    stop, out = asyncio.Event(), _Banner()
    task = asyncio.create_task(
        run_demo(False, out=out, base_dir=base_dir, history_hours=history_hours, stop=stop)
    )
    try:
        async with asyncio.timeout(timeout):
            await out.serving.wait()
        yield out.getvalue()
    finally:
        stop.set()
        assert await task == 0


class DemoPlatformProcess:
    """``with DemoPlatformProcess(tmp) as demo: demo.config_path``; stopped and cleaned on exit."""

    def __init__(self, workdir: Path, startup_timeout: float = 60.0) -> None:
        self.workdir = workdir
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.config_path = Path()
        self.cache_path = Path()
        self.banner: list[str] = []

    def __enter__(self) -> DemoPlatformProcess:
        env = dict(os.environ, TMPDIR=str(self.workdir))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "penguin_tui", "demo", "--no-console"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + self.startup_timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"penguin-tui demo --no-console exited early: {err}")
            self.banner.append(line.rstrip("\n"))
            if line.startswith("Config: "):
                self.config_path = Path(line.split(": ", 1)[1].strip())
            if line.startswith("Cache: "):
                self.cache_path = Path(line.split(": ", 1)[1].strip().split(" (")[0])
            if line.startswith(SERVING):
                return self
        raise RuntimeError("penguin-tui demo --no-console did not come up in time")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
