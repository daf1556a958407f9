"""Audit and secrecy (issue 6): a canary value revealed, copied, shown as JSON and in a diff
through the UI never reaches a file or a log.

The canary is planted in the Vault double (over its API, as a writer would), read through hvac
by the real console, revealed and copied by keys; then the app ends and every file under the
test's cache, config, state and home directories is searched for it (and for its base64 form,
which is how OSC 52 carries it), and so are the captured logs, at DEBUG for every logger, and
the console's log file. The copy goes to the terminal's clipboard only; in a test the app keeps
it in memory (``App.clipboard``), which is not a file.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.config import load_config
from penguin_tui.paths import config_dir
from penguin_tui.screens.secrets import SecretsScreen
from penguin_tui.vaultdouble.runner import RunningVault
from tests.ui.vault_console import console, isolate, open_path, open_secrets, settle, wait_until

CANARY = f"CANARY-{secrets.token_hex(8)}-d0-n0t-l3ak"


def needles(value: str) -> list[bytes]:
    """The forms a leak could take on disk: the text, UTF-16, and base64 (OSC 52's)."""
    raw = value.encode()
    return [raw, value.encode("utf-16-le"), base64.b64encode(raw), base64.b64encode(raw)[:-4]]


def files_holding(root: Path, value: str) -> list[Path]:
    """Every file under ``root`` whose bytes hold ``value`` in any form of ``needles``."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(needle in data for needle in needles(value)):
            found.append(path)
    return found


def test_the_search_finds_a_planted_value(tmp_path: Path) -> None:
    # The canary test's search must be able to fail: it finds the value in any form.
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "plain.txt").write_text(f"x {CANARY} y")
    (tmp_path / "b64.bin").write_bytes(b"\x1b]52;c;" + base64.b64encode(CANARY.encode()))
    (tmp_path / "clean.txt").write_text("nothing")
    assert files_holding(tmp_path, CANARY) == [tmp_path / "a" / "plain.txt", tmp_path / "b64.bin"]


@pytest.fixture
def console_log(tmp_path: Path) -> Iterator[Path]:
    """Every logger at DEBUG into the console's log file (the config's [general].log_file)."""
    path = tmp_path / "xdg_state_home" / "penguin-tui" / "console.log"
    path.parent.mkdir(parents=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def plant(vault: RunningVault) -> None:
    """Two versions of secret/canary/app, the canary in both (the diff shows it too)."""
    import hvac

    kv = hvac.Client(vault.addr, vault.token).secrets.kv.v2
    kv.create_or_update_secret("canary/app", {"token": CANARY, "user": "svc"}, mount_point="secret")
    kv.create_or_update_secret(
        "canary/app", {"token": CANARY + "-v2", "user": "svc"}, mount_point="secret"
    )


async def test_a_revealed_and_copied_canary_is_in_no_file_and_no_log(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    console_log: Path,
) -> None:
    isolate(monkeypatch, tmp_path)
    caplog.set_level(logging.DEBUG)
    config_file = config_dir() / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        f'[general]\nlog_file = "{console_log}"\n\n[vault]\nreveal_timeout = "30s"\n'
        'clipboard_clear = "45s"\n'
    )
    config = load_config(config_file)
    assert config.log_file == console_log

    with console(monkeypatch, tmp_path, config=config, prepare=plant) as c:
        async with c.app.run_test(size=(120, 40)) as pilot:
            screen = await open_secrets(pilot)
            assert isinstance(screen, SecretsScreen)
            await open_path(pilot, screen, "secret/canary/", "app")
            # Reveal: the canary is on screen (so the test really went through the UI).
            screen.view.select_key("token")
            await pilot.press("r")
            await wait_until(pilot, lambda: f"{CANARY}-v2" in "\n".join(screen.view.plain_lines()))
            # Copy: to the clipboard (in memory here; OSC 52 to a real terminal).
            await pilot.press("c")
            await wait_until(pilot, lambda: c.app.clipboard == f"{CANARY}-v2")
            # JSON view with the value revealed.
            await pilot.press("j")
            await settle(pilot)
            assert f'"token": "{CANARY}-v2"' in "\n".join(screen.view.plain_lines())
            await pilot.press("j")
            # An older version, revealed; and the diff of the two, revealed.
            await pilot.press("v", "down", "enter")
            await wait_until(pilot, lambda: screen.view.secret is not None)
            assert screen.view.secret is not None and screen.view.secret.version == 1
            screen.view.select_key("token")
            await pilot.press("r")
            await wait_until(pilot, lambda: "token" in screen.view.revealed)
            await pilot.press("d", "enter", "enter")
            await wait_until(pilot, lambda: screen.view.mode == "diff")
            screen.view.select_key("token")
            await pilot.press("r")
            await wait_until(pilot, lambda: "token" in screen.view.diff_revealed)
            assert CANARY in "\n".join(screen.view.plain_lines())
            # The audit view, then quit the way an operator does.
            await pilot.press("A")
            await settle(pilot)
            await pilot.press("escape", "q")
            await settle(pilot)
        records = c.audit()
    assert [(r.action, r.key, r.version) for r in records] == [
        ("reveal", "token", 2),
        ("copy", "token", 2),
        ("reveal", "token", 1),
        ("reveal", "token", 1),
        ("reveal", "token", 2),
    ]
    # The cache was written (the audit records), and the config and log exist: the search
    # below looks where the values could have gone.
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert (data_home / "penguin-tui" / "cache.db").is_file()
    for root in (tmp_path / "xdg_data_home", tmp_path / "xdg_config_home"):
        assert root.is_dir()
    leaks = [
        path
        for name in ("xdg_data_home", "xdg_config_home", "xdg_state_home", "xdg_cache_home", "home")
        if (tmp_path / name).exists()
        for path in files_holding(tmp_path / name, CANARY)
    ]
    assert leaks == []
    assert console_log.is_file()
    log_text = console_log.read_text(encoding="utf-8")
    assert "GET /v1/secret/data/canary/app" in log_text  # the log did capture the requests
    assert CANARY not in log_text
    assert CANARY not in caplog.text
    for record in caplog.records:
        assert CANARY not in record.getMessage()
        assert CANARY not in repr(record.args)
