"""Starting the console: resolve config and cache, deal with an unusable cache, run the App.

Kept apart from cli.py so that importing the CLI never imports Textual; this module is only
imported by the two commands that open a screen (the bare command and ``demo``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from penguin_tui.context import NO_CONFIG_HINT, resolve
from penguin_tui.errors import EXIT_CACHE, CacheError


def _probe_cache(path: Path) -> None:
    """Open and close the cache once so a bad one is reported before the screen takes over."""
    from penguin_tui.store import Store

    Store.open(path).close()


@contextlib.contextmanager
def _scratch_cache() -> Iterator[Path]:
    """A throw-away cache in RAM where the system has it (/dev/shm), removed on exit."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    directory = Path(tempfile.mkdtemp(prefix="penguin-tui-memory-", dir=base))
    try:
        yield directory / "cache.db"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_console(config_path: Path | None, cache_path: Path | None) -> int:
    """``penguin-tui``: the console on the configured platform."""
    ctx = resolve(config_path, cache_path)
    try:
        _probe_cache(ctx.cache_path)
    except CacheError as exc:
        click.echo(f"penguin-tui: {exc.message}", err=True)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if not interactive or not click.confirm(
            "Run with a temporary in-memory cache instead (nothing from it is kept)?",
            default=False,
        ):
            return EXIT_CACHE
        with _scratch_cache() as scratch:
            return _run_app(ctx.config, scratch, ctx.config_path)
    return _run_app(ctx.config, ctx.cache_path, ctx.config_path)


def _run_app(config, cache: Path, config_path: Path | None) -> int:  # type: ignore[no-untyped-def]
    from penguin_tui.app import PenguinApp

    notice = NO_CONFIG_HINT if config_path is None else ""
    app = PenguinApp(config, cache, config_path=config_path, recorder_mode="process", notice=notice)
    result = app.run()
    _exit_now_if_hung_up()
    return int(result or 0)


def _exit_now_if_hung_up() -> None:
    """After an SSH drop nobody is waiting for us: the cache is closed, leave immediately."""
    from penguin_tui.app import HUNG_UP

    if HUNG_UP.is_set():
        sys.stderr.flush()
        os._exit(0)


def run_demo_command(console: bool) -> int:
    """``penguin-tui demo [--no-console]``: the simulated platform, with or without the console."""
    from penguin_tui.demo.runner import run_demo

    async def console_runner(config_file: Path, cache_file: Path) -> int:
        from penguin_tui.app import PenguinApp
        from penguin_tui.config import load_config

        config = load_config(config_file, explicit=True)
        app = PenguinApp(config, cache_file, config_path=config_file, recorder_mode="process")
        result = await app.run_async()
        return int(result or 0)

    code = asyncio.run(run_demo(console, console_runner if console else None))
    if console:
        _exit_now_if_hung_up()  # after the demo removed its temporary directory
    return code
