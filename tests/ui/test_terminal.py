"""The console in a real terminal (tmux): it draws, answers keys, leaves when SSH drops."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from penguin_tui.demo.config import config_to_toml
from tests.ui.seed import seed_cache


def _tmux(*args: str) -> str:
    tmux = shutil.which("tmux")
    if tmux is None:  # never a silent skip: the set-up installs it
        pytest.fail("tmux is missing: run scripts/test.sh (it installs it) or apt-get install tmux")
    return subprocess.run([tmux, *args], capture_output=True, text=True, check=True).stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (nobody reaps it inside tmux's dead pane).
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out: {what}")


@pytest.mark.parametrize("no_color", [False, True])
def test_console_draws_in_tmux_and_exits_on_hangup(tmp_path: Path, no_color: bool) -> None:
    cache = tmp_path / "cache.db"
    config = tmp_path / "config.toml"
    config.write_text(config_to_toml(seed_cache(cache, now=time.time())))
    pidfile = tmp_path / "pid"
    session = f"pt-{uuid.uuid4().hex[:8]}"
    env = "NO_COLOR=1 " if no_color else ""
    command = (
        f"echo $$ > {pidfile}; exec env {env}TZ=UTC {sys.executable} -m penguin_tui "
        f"--config {config} --cache {cache}"
    )
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        _wait(lambda: pidfile.exists() and pidfile.read_text().strip(), 10, "the pid file")
        pid = int(pidfile.read_text())
        _wait(
            lambda: "webhook-dispatcher" in _tmux("capture-pane", "-p", "-t", session),
            30,
            "the checklist rows",
        )
        screen = _tmux("capture-pane", "-p", "-t", session)
        assert "webhook-dispatcher" in screen and "✖ CRIT" in screen  # symbol + word, no colour
        _tmux("send-keys", "-t", session, "?")
        _wait(lambda: "Keys" in _tmux("capture-pane", "-p", "-t", session), 10, "help")
        _tmux("send-keys", "-t", session, "Escape")
    finally:
        _tmux("kill-session", "-t", session)  # what an SSH drop does: SIGHUP, terminal gone
    try:
        _wait(lambda: not _alive(pid), 10, "the console to exit after the hang-up")
    finally:
        if _alive(pid):  # a failed run must not leave a console behind on the machine
            os.kill(pid, 9)


def test_unusable_cache_offers_a_memory_cache_and_keeps_the_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    cache.write_bytes(b"not a database, and nobody may overwrite it\n" * 50)
    before = cache.read_bytes()
    config = tmp_path / "config.toml"
    config.write_text('[host]\nenabled = true\ninterval = "2s"\n')

    # No terminal (a script): one clear line and exit 4, nothing asked.
    done = subprocess.run(
        [sys.executable, "-m", "penguin_tui", "--config", str(config), "--cache", str(cache)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 4 and str(cache) in done.stderr
    assert "Traceback" not in done.stderr

    # A person at a terminal is offered a throw-away in-memory cache.
    session = f"pt-{uuid.uuid4().hex[:8]}"
    command = f"exec {sys.executable} -m penguin_tui --config {config} --cache {cache}"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        _wait(
            lambda: "in-memory cache" in _tmux("capture-pane", "-p", "-t", session),
            30,
            "the offer",
        )
        _tmux("send-keys", "-t", session, "y", "Enter")
        _wait(lambda: "CPU" in _tmux("capture-pane", "-p", "-t", session), 30, "host rows")
        assert "recording" in _tmux("capture-pane", "-p", "-t", session)
        _tmux("send-keys", "-t", session, "q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert cache.read_bytes() == before
