"""`penguin-tui daemon` and `penguin-tui check` as real processes against a real HTTP platform.

The demo platform serves the targets; the daemon records them into a real SQLite file; check
and export read it. Covers: recording, a second recorder refused (naming pid and host), clean
SIGTERM, kill -9 mid-write leaving an intact cache, and check reading a running daemon's data
without polling itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.platform_fixture import DemoPlatformProcess


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    env.pop("PENGUIN_TUI_CONFIG", None)
    return env


def _cli(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "penguin_tui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(tmp_path),
    )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPlatformProcess]:
    with DemoPlatformProcess(tmp_path_factory.mktemp("platform")) as running:
        yield running


def _start_daemon(tmp_path: Path, config: Path, cache: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "penguin_tui",
            "daemon",
            "--config",
            str(config),
            "--cache",
            str(cache),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )


def _wait_for(predicate, timeout: float = 30.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _sample_count(cache: Path) -> int:
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=5) as db:
            return sum(
                db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for (t,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'sample%'"
                )
            )
    except sqlite3.Error:
        return 0


def test_daemon_records_refuses_second_writer_and_stops_cleanly(
    platform: DemoPlatformProcess, tmp_path: Path
) -> None:
    cache = tmp_path / "data" / "cache.db"
    daemon = _start_daemon(tmp_path, platform.config_path, cache)
    try:
        _wait_for(lambda: _sample_count(cache) > 20, what="the daemon's first samples")

        second = _cli(
            tmp_path,
            "daemon",
            "--config",
            str(platform.config_path),
            "--cache",
            str(cache),
            timeout=30,
        )
        assert second.returncode == 4, second.stderr
        assert f"pid {daemon.pid}" in second.stderr
        assert socket.gethostname() in second.stderr
        assert "Traceback" not in second.stderr

        # check reads what the daemon records: no polling of its own (no "polled" note).
        done = _cli(
            tmp_path,
            "check",
            "--config",
            str(platform.config_path),
            "--cache",
            str(cache),
            "--format",
            "json",
        )
        report = json.loads(done.stdout)
        # Nagios code of the worst item (a rate needs two readings: UNKNOWN early on is right).
        assert done.returncode == {"OK": 0, "WARN": 1, "CRIT": 2}.get(report["status"], 3)
        assert {"status", "checked_at", "items", "overnight"} <= report.keys()
        assert not any("polled" in note for note in report["notes"])
        names = {item["name"] for item in report["items"]}
        assert {"api", "postgres"} <= names
        for item in report["items"]:
            assert {"section", "name", "status", "value", "unit", "reason"} <= item.keys()
    finally:
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "stopped cleanly" in err
    assert "Traceback" not in err
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_kill_9_mid_write_leaves_an_intact_cache(
    platform: DemoPlatformProcess, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    daemon = _start_daemon(tmp_path, platform.config_path, cache)
    try:
        _wait_for(lambda: _sample_count(cache) > 30, what="samples before the kill")
    finally:
        daemon.kill()
        daemon.communicate(timeout=10)
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    before = _sample_count(cache)
    assert before > 30
    # The next recorder takes over at once: the kernel released the dead daemon's lock.
    restarted = _start_daemon(tmp_path, platform.config_path, cache)
    try:
        _wait_for(lambda: _sample_count(cache) > before, what="the restarted daemon's samples")
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.communicate(timeout=30)
    assert restarted.returncode == 0


def test_check_polls_once_when_nothing_recorded(
    platform: DemoPlatformProcess, tmp_path: Path
) -> None:
    cache = tmp_path / "fresh.db"
    done = _cli(tmp_path, "check", "--config", str(platform.config_path), "--cache", str(cache))
    assert done.returncode in (0, 1, 2, 3), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "polled every target once" in done.stdout
    assert "Services" in done.stdout and "Databases" in done.stdout
    checklist = done.stdout.split("Overnight")[0]
    rows = checklist.splitlines()[2:]  # below the title and the counts
    unknown = [line for line in rows if "? UNKNOWN" in line]
    # Every target answered the one-shot poll. Only a counter rate may say, honestly, that it
    # needs a second reading (a recorder provides it; a rate over one second would mislead).
    assert all("second reading" in line for line in unknown), unknown
    worst = done.stdout.split("Worst values in the window")[1]
    assert "smtp-relay" in worst and "postgres" in worst  # what was just polled counts

    md = _cli(
        tmp_path,
        "check",
        "--config",
        str(platform.config_path),
        "--cache",
        str(cache),
        "--format",
        "markdown",
        "--since",
        "1h",
    )
    assert md.stdout.startswith("# PenguinMails morning check")
    assert "| Section | Status | Item |" in md.stdout

    exported = _cli(
        tmp_path,
        "export",
        "--config",
        str(platform.config_path),
        "--cache",
        str(cache),
        "--what",
        "checks",
        "--format",
        "json",
    )
    assert exported.returncode == 0, exported.stderr
    rows = json.loads(exported.stdout)
    assert any(row["check"] == "api" for row in rows)

    out = tmp_path / "samples.csv"
    first = _cli(tmp_path, "export", "--cache", str(cache), "-o", str(out))
    assert first.returncode == 0 and out.read_text().startswith("ts,key,value")
    again = _cli(tmp_path, "export", "--cache", str(cache), "-o", str(out))
    assert again.returncode != 0 and "not overwriting" in again.stderr


def test_cache_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    cache.write_bytes(b"this is a shopping list, not a database\n" * 100)
    before = cache.read_bytes()
    done = _cli(tmp_path, "check", "--cache", str(cache))
    assert done.returncode == 3, done.stderr  # Nagios UNKNOWN: the check could not tell
    assert str(cache) in done.stderr and "Traceback" not in done.stderr
    assert cache.read_bytes() == before
    daemon = _cli(tmp_path, "daemon", "--cache", str(cache), timeout=30)
    assert daemon.returncode == 4 and str(cache) in daemon.stderr
    assert cache.read_bytes() == before
