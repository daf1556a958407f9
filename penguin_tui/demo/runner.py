"""``penguin-tui demo``: start the platform, write its config and a cache with a night of
history into a private temporary directory, then run the console on it (or just serve).

When ``prometheus-alertmanager`` is installed, a real Alertmanager runs beside the platform
(storage in the same directory) and is fed the scenario's alerts; without it the demo shows
local-rule alerts alone and says so. The Vault API test double runs beside the platform (in
memory, on this loop) for the secrets screen; see ``penguin_tui.demo.vault``.

Nothing is left behind: the directory goes when the demo ends, whether the console quit,
the operator pressed Ctrl+C, or the process got SIGTERM or SIGHUP, and the Alertmanager is
stopped first. (Nothing can clean up after SIGKILL; the directory lives under $TMPDIR so the
system's tmp cleaning gets it.)
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TextIO

from penguin_tui.demo.alertmanager import (
    AlertmanagerUnavailable,
    DemoAlertmanager,
    start_alertmanager,
)
from penguin_tui.demo.alerts_feed import AlertFeeder
from penguin_tui.demo.config import demo_config, demo_config_toml
from penguin_tui.demo.episodes import LIVE_CYCLE, LIVE_CYCLE_S
from penguin_tui.demo.history import prefill
from penguin_tui.demo.platform import Clock, DemoPlatform
from penguin_tui.demo.vault import DemoVault, start_demo_vault, vault_environment
from penguin_tui.errors import EXIT_OK

# The console, provided by the CLI/app: run it on (config file, cache file) until it quits.
ConsoleRunner = Callable[[Path, Path], Awaitable[object]]

# SIGHUP too: a dropped SSH session or `tmux kill-session` hangs up on the demo, and it must
# still clean up after itself.
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


async def run_demo(
    console: bool,
    run_console: ConsoleRunner | None = None,
    *,
    out: TextIO | None = None,
    base_dir: str | Path | None = None,
    clock: Clock = time.time,
    seed: int = 7,
    history_hours: float = 12.0,
    extra_lines: Iterable[str] = (),
    stop: asyncio.Event | None = None,
) -> int:
    """Run the demo until the console quits (``console``) or until interrupted.

    Returns the exit code: the console's own when it returns an int, else 0.

    ``run_console`` is required with ``console=True``. ``base_dir`` is where the temporary
    directory is made ($TMPDIR by default). ``extra_lines`` are printed after the addresses
    (e.g. how to reach a demo Vault). ``stop`` lets a caller end a ``console=False`` demo
    without a signal.
    """
    if console and run_console is None:
        raise ValueError("run_demo(console=True) needs run_console")
    out = out or sys.stdout
    stop = stop or asyncio.Event()
    workdir = Path(tempfile.mkdtemp(prefix="penguin-tui-demo-", dir=base_dir))  # mode 0700
    platform = DemoPlatform(clock=clock, seed=seed)
    loop = asyncio.get_running_loop()
    console_task: asyncio.Task[object] | None = None

    def interrupted() -> None:
        stop.set()
        if console_task is not None:
            console_task.cancel()

    installed = _install_signals(loop, interrupted)
    alertmanager: DemoAlertmanager | None = None
    feeder: asyncio.Task[None] | None = None
    vault: DemoVault | None = None
    try:
        await platform.start()
        vault = await start_demo_vault()
        alertmanager, am_line = await _start_alertmanager(workdir)
        if alertmanager is not None:
            feeder = asyncio.create_task(_feed(alertmanager, platform, clock), name="demo-alerts")
        config_path = workdir / "config.toml"
        cache_path = workdir / "cache.db"
        am_url = alertmanager.url if alertmanager is not None else None
        toml = demo_config_toml(platform, am_url, vault.addr)
        config_path.write_text(toml, encoding="utf-8")
        config_path.chmod(0o600)
        stats = await asyncio.to_thread(
            prefill,
            cache_path,
            demo_config(platform),
            platform.scenario,
            platform.scenario.origin,
            hours=history_hours,
        )
        if console:
            assert run_console is not None
            if alertmanager is None:
                print(am_line, file=out, flush=True)  # seen before and after the screen
            # The console finds the demo Vault's token in the environment, never in a file.
            with vault_environment(vault.environment()):
                console_task = asyncio.ensure_future(run_console(config_path, cache_path))
                try:
                    result = await console_task
                except asyncio.CancelledError:
                    return EXIT_OK  # a signal while the console ran: a normal way to end
            return result if isinstance(result, int) else EXIT_OK
        history = f"{history_hours:g} h of history: {stats.samples:,} samples, "
        history += f"{stats.events} events"
        _print_banner(out, platform, config_path, cache_path, history, am_line, am_url)
        print(f"Vault (a test double of its API, not a Vault): {vault.addr}", file=out)
        for line in vault.export_lines():
            print(line, file=out)
        for line in extra_lines:
            print(line, file=out, flush=True)
        print("Serving until interrupted (Ctrl+C); the directory goes with it.", file=out)
        out.flush()
        await stop.wait()
        return EXIT_OK
    finally:
        _remove_signals(loop, installed)
        try:
            await _stop_alertmanager(feeder, alertmanager)
            if vault is not None:
                await vault.stop()
            await platform.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


async def _start_alertmanager(workdir: Path) -> tuple[DemoAlertmanager | None, str]:
    """The demo's Alertmanager (or None) and the start-up line that says which it is."""
    try:
        am = await start_alertmanager(workdir)
    except AlertmanagerUnavailable as exc:
        return None, f"Alertmanager: none ({exc}); the alerts screen shows local rules alone."
    return am, f"Alertmanager: {am.url} (real, fed the scenario's alerts every few seconds)"


async def _feed(am: DemoAlertmanager, platform: DemoPlatform, clock: Clock) -> None:
    from penguin_tui.alerts.am_client import AlertmanagerClient
    from penguin_tui.config_model import AlertmanagerConfig

    config = AlertmanagerConfig(urls=(am.url,), timeout_s=5.0)
    async with AlertmanagerClient(am.url, config) as client:
        await AlertFeeder(client, platform.scenario, clock).run()


async def _stop_alertmanager(
    feeder: asyncio.Task[None] | None, alertmanager: DemoAlertmanager | None
) -> None:
    if feeder is not None:
        feeder.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await feeder
    if alertmanager is not None:
        await alertmanager.stop()


def _print_banner(
    out: TextIO,
    platform: DemoPlatform,
    config_path: Path,
    cache_path: Path,
    history: str,
    am_line: str,
    am_url: str | None,
) -> None:
    # The config path comes first and alone on its line, so scripts can take line 1.
    lines = [
        f"Config: {config_path}",
        f"Cache:  {cache_path} ({history})",
        "PenguinMails demo platform on 127.0.0.1:",
    ]
    lines += [f"  {name:<20} {url}" for name, url in platform.urls.items()]
    lines.append(f"  {'metrics':<20} {platform.metrics_url}")
    lines.append(f"  {'stats':<20} {platform.stats_url}")
    if am_url:
        lines.append(f"  {'alertmanager':<20} {am_url}")
    lines.append(am_line)
    episodes = ", ".join(f"{e.title} at {_mmss(e.start)}" for e in LIVE_CYCLE)
    lines.append(f"Every {LIVE_CYCLE_S / 60:g} min: {episodes}.")
    lines.append(f"Record it:  penguin-tui daemon --config {config_path} --cache {cache_path}")
    lines.append(f"Check it:   penguin-tui check --config {config_path} --cache {cache_path}")
    for line in lines:
        print(line, file=out)
    out.flush()


def _mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _install_signals(
    loop: asyncio.AbstractEventLoop, handler: Callable[[], None]
) -> list[signal.Signals]:
    """Route SIGINT/SIGTERM/SIGHUP to ``handler`` so cleanup runs (main thread only)."""
    installed = []
    for sig in _SIGNALS:
        try:
            loop.add_signal_handler(sig, handler)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (e.g. run from a test's worker): no signals to catch
        installed.append(sig)
    return installed


def _remove_signals(loop: asyncio.AbstractEventLoop, installed: list[signal.Signals]) -> None:
    for sig in installed:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(sig)
