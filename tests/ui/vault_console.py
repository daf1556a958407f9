"""The console on the secrets screen against the Vault API double, for UI tests.

Real parts only: the double serves its "demo" seed over HTTP on 127.0.0.1 (a thread of its
own), the console reaches it through hvac with ``VAULT_ADDR``/``VAULT_TOKEN`` as an operator
would set them, and the audit trail goes into a real cache file. One injected clock drives the
double (secret ages, token TTLs) and the console (reveal and clipboard timers), at 08:00 UTC.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import hvac
import pytest
from textual.pilot import Pilot

from penguin_tui.app import PenguinApp
from penguin_tui.config_model import Config
from penguin_tui.demo.vault import VAULT_VARIABLES
from penguin_tui.screens.secrets import SecretsScreen
from penguin_tui.store import Store
from penguin_tui.vaultdouble.runner import RunningVault, running_vault
from tests.ui import waiting
from tests.ui.clock import Clock
from tests.ui.seed import NOW, seed_config
from tests.ui.waiting import wait_until


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """UTC, the test's own XDG directories and home (no ~/.vault-token), no VAULT_* at all."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")
    for name in VAULT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@dataclass
class Console:
    """A console and the Vault double it reads."""

    app: PenguinApp
    vault: RunningVault
    clock: Clock

    def root(self) -> hvac.Client:
        """hvac with the double's root token: what Vault really holds, for comparing."""
        return hvac.Client(self.vault.addr, self.vault.token)

    def value(self, path: str, key: str, version: int | None = None) -> object:
        """A value in mount ``secret/`` as Vault has it."""
        answer = self.root().secrets.kv.v2.read_secret_version(
            path, version=version, mount_point="secret", raise_on_deleted_version=True
        )
        return answer["data"]["data"][key]

    def audit(self) -> list:  # type: ignore[type-arg]
        """The audit records in the cache file, oldest first."""
        store = Store.open(self.app.cache_path)
        try:
            return list(reversed(store.vault_audit()))
        finally:
            store.close()


@contextlib.contextmanager
def console(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    token: str = "oncall",
    seed: str = "demo",
    config: Config | None = None,
    prepare: Callable[[RunningVault], None] | None = None,
) -> Iterator[Console]:
    """Serve the double, point ``VAULT_*`` at it (``token``: a seed token's name, or "root"),
    and build the console on a cache in the test's data directory."""
    clock = Clock(NOW)  # the console's and the double's
    with running_vault(seed=seed, clock=clock) as vault:
        if prepare is not None:
            prepare(vault)
        secret = vault.token if token == "root" else vault.double.seed_tokens.get(token, token)
        monkeypatch.setenv("VAULT_ADDR", vault.addr)
        monkeypatch.setenv("VAULT_TOKEN", secret)
        cache = Path(os.environ["XDG_DATA_HOME"]) / "penguin-tui" / "cache.db"
        app = PenguinApp(config or seed_config(), cache, clock=clock, record=False)
        yield Console(app, vault, clock)


async def settle(pilot: Pilot, rounds: int = 6) -> None:
    """Wait for the screen's Vault reads and cache writes to land and be drawn (a Vault read
    may lead to another: six rounds unless told)."""
    await waiting.settle(pilot, rounds)


async def open_secrets(pilot: Pilot) -> SecretsScreen:
    """Key 4, then wait until the mounts' top folders are listed."""
    await settle(pilot, 2)
    await pilot.press("4")
    screen = pilot.app.screen
    assert isinstance(screen, SecretsScreen)
    await wait_until(
        pilot,
        lambda: screen.problem != "" or (bool(screen.tree.rows) and not screen.tree.loading),
    )
    await settle(pilot, 2)
    return screen


async def open_path(pilot: Pilot, screen: SecretsScreen, folder: str, secret: str) -> None:
    """Unfold ``folder`` (e.g. "secret/postgres/", and the folders on the way) with enter and
    open ``secret`` in it."""
    parts = folder.rstrip("/").split("/")
    for depth in range(2, len(parts) + 1):
        step = "/".join(parts[:depth]) + "/"
        assert screen.tree.select_path(step), step
        screen.tree.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda step=step: step not in screen.tree.loading)  # type: ignore[misc]
    assert screen.tree.select_path(folder + secret), folder + secret
    screen.tree.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.view.mode not in ("loading", "empty"))
    await settle(pilot, 2)


def screen_text(app: PenguinApp) -> str:
    """What the terminal shows, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def screen_segments(app: PenguinApp) -> str:
    """Every character the compositor would send for the screen's content (no styles)."""
    return "".join(
        segment.text
        for strip in app.screen._compositor.render_strips()
        for segment in strip
        if not segment.control
    )
