"""A cache shared by the operators of one bastion (docs/OPERATIONS.md's set-up).

The daemon's user owns the cache; the operators' group may read and write it (SQLite's WAL
readers write its shared-memory index). An operator who is not the owner must be able to
check, export, report and see who records, while the daemon holds the writer lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.demo.config import config_to_toml
from tests.ui.seed import seed_cache

ROOT = Path(__file__).resolve().parents[2]

_AS_NOBODY = """
import os, sys
# The interpreter and the checkout may be where 'nobody' cannot read (/root, a private
# temporary clone): import every core module (the commands import lazily) before dropping.
import csv, json, sqlite3, tomllib, encodings.idna, logging.handlers, asyncio, signal, pkgutil
import importlib, penguin_tui
for module in pkgutil.walk_packages(penguin_tui.__path__, "penguin_tui."):
    if not module.name.startswith(("penguin_tui.screens", "penguin_tui.widgets")):
        importlib.import_module(module.name)
os.setgid(65534)
os.setuid(65534)  # root ignores permissions: read as an operator who may not write
from penguin_tui.cli import main
sys.argv = ["penguin-tui", *sys.argv[1:]]
main()
"""


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if os.getuid() != 0:
        pytest.fail("this test drops to the 'nobody' user and must run as root (as CI does)")
    base = Path(tempfile.mkdtemp(prefix="penguin-shared-", dir="/tmp"))
    try:
        base.chmod(0o755)
        cache_dir = base / "cache"
        cache_dir.mkdir()
        cache = cache_dir / "cache.db"
        config = base / "config.toml"
        config.write_text(config_to_toml(seed_cache(cache, now=__import__("time").time())))
        config.chmod(0o644)
        # The owner is root here; the operators' group is nobody's group (65534).
        os.chown(cache_dir, 0, 65534)
        cache_dir.chmod(0o2770)
        for path in cache_dir.iterdir():
            os.chown(path, 0, 65534)
            path.chmod(0o660)
        yield config, cache
    finally:
        shutil.rmtree(base)


def _as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME="/tmp", XDG_DATA_HOME="/tmp/nobody-data")
    return subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, *args],
        capture_output=True, text=True, timeout=60, env=env, cwd="/tmp",
    )  # fmt: skip


def test_group_operator_reads_a_cache_the_daemon_records(shared: tuple[Path, Path]) -> None:
    from penguin_tui.store import Store

    config, cache = shared
    daemon = Store.open(cache)  # the daemon's user (root) records
    daemon.acquire_writer("daemon")
    try:
        lock = cache.with_name(cache.name + ".lock")
        assert oct(lock.stat().st_mode & 0o777) == "0o660"  # the group can see who records
        check = _as_nobody("check", "--config", str(config), "--cache", str(cache))
        assert check.returncode in (0, 1, 2, 3), check.stderr
        assert "webhook-dispatcher" in check.stdout and "Traceback" not in check.stderr
        assert "polled" not in check.stdout  # the daemon records: check only reads
        export = _as_nobody("export", "--cache", str(cache), "--what", "events", "--format", "json")
        assert export.returncode == 0, export.stderr
        assert "check:webhook-dispatcher" in export.stdout
        report = _as_nobody("report", "--config", str(config), "--cache", str(cache))
        assert report.returncode == 0, report.stderr
        second = _as_nobody("daemon", "--config", str(config), "--cache", str(cache))
        assert second.returncode == 4 and f"pid {os.getpid()}" in second.stderr
    finally:
        daemon.close()
