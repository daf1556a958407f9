"""Real servers from Debian's packages, started for a test on free loopback ports.

A missing binary fails the test with the command that installs it (scripts/test.sh does);
it never skips.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name: str, package: str) -> str:
    """Path of a server binary, or fail saying how to install it."""
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else "")
    if not found:
        pytest.fail(f"{name} is missing: run scripts/test.sh, or apt-get install {package}")
    return found


def _wait_ready(proc: subprocess.Popen[bytes], url: str, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
            pytest.fail(f"{what} did not start on {url}: {err[-500:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def prometheus(workdir: Path, targets: list[str], *, scrape_interval: str = "1s") -> Iterator[str]:
    """Prometheus scraping ``targets`` (``host:port``) every ``scrape_interval``; yields its URL."""
    exe = binary("prometheus", "prometheus")
    port = free_port()
    config = workdir / "prometheus.yml"
    listed = ", ".join(f"'{t}'" for t in targets)
    config.write_text(
        f"global:\n  scrape_interval: {scrape_interval}\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: platform\n"
        f"    static_configs:\n      - targets: [{listed}]\n"
    )
    proc = subprocess.Popen(
        [exe, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, f"{url}/-/ready", "Prometheus")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
