"""A real Alertmanager for the demo, when the machine has one (Debian ``prometheus-alertmanager``).

It listens on a free loopback port, keeps its state in the demo's temporary directory, gossips
with nobody, and is stopped (terminate, then kill) on every way the demo ends. Without the
binary the demo carries on with local rules alone; ``start_alertmanager`` says why in words the
start-up message can show.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

BINARY_NAMES = ("prometheus-alertmanager", "alertmanager")  # Debian's name, upstream's name
READY_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0
INSTALL_HINT = "apt-get install prometheus-alertmanager"

# A receiver with no integrations, so nothing is sent (the demo pages nobody), named as a
# team's would be ("null", the usual name of such a sink, read as a fault in the alert's
# detail); grouped at once so the alerts screen is lively, and one inhibit rule so
# "inhibited" shows: a critical alert of a service mutes that service's warnings, as most
# teams configure it.
DEMO_CONFIG = """\
route:
  receiver: ops-oncall
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 4h
receivers:
  - name: ops-oncall
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
"""


class AlertmanagerUnavailable(Exception):
    """No demo Alertmanager; ``str()`` says why, for the start-up message."""


def find_binary() -> str | None:
    """The Alertmanager executable on PATH (or in /usr/bin, for a PATH without it), or None."""
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return found
        if Path(f"/usr/bin/{name}").is_file():
            return f"/usr/bin/{name}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DemoAlertmanager:
    """A running Alertmanager; ``url`` is its API base, ``await stop()`` ends it."""

    url: str
    process: asyncio.subprocess.Process
    binary: str
    home: Path

    async def stop(self) -> None:
        """Terminate it and wait; kill it if it does not go within STOP_TIMEOUT_S."""
        proc = self.process
        if proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def start_alertmanager(
    workdir: Path, *, binary: str | None = None, ready_timeout_s: float = READY_TIMEOUT_S
) -> DemoAlertmanager:
    """Start Alertmanager with its storage under ``workdir`` and wait until it is ready.

    Raises AlertmanagerUnavailable (nothing left running) when there is no binary or it does
    not become ready.
    """
    exe = binary or find_binary()
    if exe is None:
        raise AlertmanagerUnavailable(f"prometheus-alertmanager is not installed ({INSTALL_HINT})")
    home = workdir / "alertmanager"
    home.mkdir(mode=0o700, exist_ok=True)
    config = home / "alertmanager.yml"
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    port = _free_port()
    log_path = home / "alertmanager.log"
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        try:
            proc = await asyncio.create_subprocess_exec(
                exe,
                f"--config.file={config}",
                f"--storage.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",  # no gossip: a lone instance, no settling wait
                "--log.level=warn",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        except OSError as exc:
            raise AlertmanagerUnavailable(
                f"{exe} could not be started: {exc.strerror or exc}"
            ) from None
    am = DemoAlertmanager(f"http://127.0.0.1:{port}", proc, exe, home)
    try:
        await _wait_ready(am, log_path, ready_timeout_s)
    except BaseException:
        await am.stop()
        raise
    return am


async def _wait_ready(am: DemoAlertmanager, log_path: Path, timeout_s: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=1.0) as http:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{am.url}/-/ready")).status_code == 200:
                    return
            if am.process.returncode is not None:
                raise AlertmanagerUnavailable(
                    f"{am.binary} exited at start-up: {_last_line(log_path)}"
                )
            if time.monotonic() > deadline:
                raise AlertmanagerUnavailable(f"{am.binary} was not ready within {timeout_s:g} s")
            await asyncio.sleep(0.1)


def _last_line(path: Path) -> str:
    from penguin_tui.text import sanitize

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return sanitize(lines[-1], single_line=True, max_len=200) if lines else "no log"
