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
def served(args: list[str], url: str, what: str) -> Iterator[str]:
    """Run the server ``args`` until the block ends; yields ``url`` once its ``/-/ready``
    answers. Stopped with SIGTERM, killed if it has not stopped 10 s later."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(proc, f"{url}/-/ready", what)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


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
    args = [exe, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"]  # fmt: skip
    with served(args, f"http://127.0.0.1:{port}", "Prometheus") as url:
        yield url


async def post_alert(
    url: str, labels: dict[str, str], summary: str, *, ends_in: float = 3600.0
) -> None:
    """POST one alert to Alertmanager's API (as Prometheus does), ending ``ends_in`` seconds
    from now (0: resolved)."""
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + ends_in))
    body = [{"labels": labels, "annotations": {"summary": summary}, "endsAt": ends}]
    async with httpx.AsyncClient(timeout=5) as http:
        (await http.post(f"{url}/api/v2/alerts", json=body)).raise_for_status()


# A null receiver (nothing is sent anywhere), one-second grouping so alerts show at once, and
# an inhibit rule: a critical alert mutes warnings of the same service.
ALERTMANAGER_CONFIG = """\
route:
  receiver: "null"
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: "null"
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
"""


@contextlib.contextmanager
def alertmanager(
    workdir: Path,
    *,
    peers: list[str] | None = None,
    cluster_port: int | None = None,
    route_prefix: str = "",
    config_yaml: str = ALERTMANAGER_CONFIG,
) -> Iterator[str]:
    """A real Alertmanager on a free loopback port with its own storage; yields its URL.

    Clustering is off unless ``cluster_port`` is given (then it gossips on that port with
    ``peers``, ``host:port`` cluster addresses of the others). ``route_prefix``
    (``/alertmanager``) serves everything under that path, as behind a reverse proxy; the
    yielded URL includes it.
    """
    exe = binary("prometheus-alertmanager", "prometheus-alertmanager")
    port = free_port()
    home = workdir / f"alertmanager-{port}"
    home.mkdir(parents=True)
    config = home / "alertmanager.yml"
    config.write_text(config_yaml)
    args = [exe, f"--config.file={config}", f"--storage.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"]  # fmt: skip
    if cluster_port is None:
        args.append("--cluster.listen-address=")  # empty: no gossip, no settling wait
    else:
        args += [f"--cluster.listen-address=127.0.0.1:{cluster_port}",
                 f"--cluster.advertise-address=127.0.0.1:{cluster_port}",
                 "--cluster.gossip-interval=100ms", "--cluster.pushpull-interval=1s",
                 "--cluster.settle-timeout=2s"]  # fmt: skip
        args += [f"--cluster.peer={peer}" for peer in peers or ()]
    if route_prefix:
        args.append(f"--web.route-prefix={route_prefix}")
    with served(args, f"http://127.0.0.1:{port}{route_prefix.rstrip('/')}", "Alertmanager") as url:
        yield url
