"""The demo platform as a separate process (`penguin-tui demo --no-console`), for tests.

A separate process keeps the platform's CPU out of the code under test and exercises the real
command: its first output line names the config file that points at the platform.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType


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
            if line.startswith("Serving until interrupted"):
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
