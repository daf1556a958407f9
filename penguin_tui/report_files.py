"""Reports written to files: the console's exports and ``penguin-tui report``.

The console writes the morning report (``e``) and the shift report (``E``) as Markdown under
``$XDG_DATA_HOME/penguin-tui/reports/``, named by kind and local time
(``morning-20261121-0804.md``). A file is never overwritten: a second export in the same minute
gets ``-2``, ``-3`` ... Files are created exclusively, so two consoles exporting at once cannot
clobber each other either.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.config_model import Config
from penguin_tui.errors import EXIT_OK, EXIT_USAGE, PenguinError
from penguin_tui.paths import data_dir

if TYPE_CHECKING:
    from penguin_tui.store import Store

MAX_SAME_MINUTE = 999


def reports_dir() -> Path:
    """``$XDG_DATA_HOME/penguin-tui/reports``."""
    return data_dir() / "reports"


def report_stem(kind: str, now: float) -> str:
    """``morning-20261121-0804``: the kind and the local time to the minute."""
    return f"{kind}-{dt.datetime.fromtimestamp(now).strftime('%Y%m%d-%H%M')}"


def write_new_file(directory: Path, stem: str, text: str, suffix: str = ".md") -> Path:
    """Write ``text`` to a new file ``<stem><suffix>`` (or ``<stem>-N<suffix>``) and return it."""
    try:
        # Reports name hosts and failures of the platform: keep them to their owner.
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise PenguinError(
            f"{directory}: cannot create the reports directory: {exc.strerror or exc}"
        ) from None
    for n in range(1, MAX_SAME_MINUTE + 1):
        path = directory / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            handle = path.open("x", encoding="utf-8")
        except FileExistsError:
            continue
        except OSError as exc:
            raise PenguinError(f"{path}: cannot write: {exc.strerror or exc}") from None
        try:
            with handle:
                handle.write(text)
        except OSError as exc:
            # A half-written report (disk full) is worse than none: remove it.
            with contextlib.suppress(OSError):
                path.unlink()
            raise PenguinError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return path
    raise PenguinError(
        f"{directory}: already {MAX_SAME_MINUTE} reports named {stem}; clean up the directory"
    )


def export_morning_report(
    store: Store, config: Config, now: float, directory: Path | None = None
) -> Path:
    """Write the morning report exactly as ``penguin-tui check --format markdown`` renders it."""
    from penguin_tui.check import build_report
    from penguin_tui.report import render

    text = render(build_report(store, config, now, None), "markdown")
    return write_new_file(directory or reports_dir(), report_stem("morning", now), text)


def export_shift_report(
    store: Store,
    config: Config,
    now: float,
    since_s: float | None = None,
    directory: Path | None = None,
) -> Path:
    """Write the shift report (the last ``since_s``, default 12 h) as Markdown."""
    from penguin_tui.shift_report import DEFAULT_SHIFT_S, build_shift_report, render_shift

    report = build_shift_report(store, config, now, since_s or DEFAULT_SHIFT_S)
    text = render_shift(report, "markdown")
    return write_new_file(directory or reports_dir(), report_stem("shift", now), text)


def run_report_command(
    config_path: Path | None,
    cache_path: Path | None,
    since_s: float,
    fmt: str,
    output: Path | None,
) -> int:
    """``penguin-tui report``: the shift summary from the cache, to stdout or a new file."""

    from penguin_tui.context import resolve
    from penguin_tui.shift_report import build_shift_report, render_shift
    from penguin_tui.store import Store

    if since_s <= 0:
        raise PenguinError("--since: the shift must be longer than 0s", exit_code=EXIT_USAGE)
    ctx = resolve(config_path, cache_path)
    if not ctx.cache_path.exists():
        raise PenguinError(f"{ctx.cache_path}: no cache here yet (nothing has been recorded)")
    store = Store.open(ctx.cache_path)
    try:
        text = render_shift(build_shift_report(store, ctx.config, time.time(), since_s), fmt)
    finally:
        store.close()
    return emit(text, output)


def emit(text: str, output: Path | None) -> int:
    """A command's document to stdout, or to ``output`` as a new file (never overwriting)."""
    import click

    if output is None:
        click.echo(text, nl=False)
        return EXIT_OK
    try:
        with output.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise PenguinError(f"{output}: already exists; not overwriting it") from None
    except OSError as exc:
        raise PenguinError(f"{output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)
    return EXIT_OK
