"""Report exports from the console: build and write on the reader thread, then say where.

The work (reading the cache, rendering, writing the file) happens on the cache reader's thread
so the event loop never waits on the disk; the operator learns the path, or the one-line
reason it failed, from a notification.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.report_files import export_morning_report, export_shift_report
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp

NOTIFY_S = 12.0  # long enough to read (or copy) a path


async def _export(app: PenguinApp, what: str, fn: Callable[..., Path]) -> Path | None:
    try:
        path = await app.reader.call(fn, app.config, app.clock())
    except Exception as exc:  # a failed export is a notification, not a crash
        app.notify(
            sanitize(exc, single_line=True, max_len=300),
            title=f"{what} NOT written",
            severity="error",
            timeout=NOTIFY_S,
            markup=False,
        )
        return None
    app.notify(
        sanitize(str(path), single_line=True),
        title=f"{what} written",
        timeout=NOTIFY_S,
        markup=False,
    )
    return path


async def export_morning(app: PenguinApp) -> Path | None:
    """Write the morning report (as ``penguin-tui check --format markdown``); return its path."""
    return await _export(app, "Morning report", export_morning_report)


async def export_shift(app: PenguinApp) -> Path | None:
    """Write the end-of-shift report for the last 12 h; return its path."""
    return await _export(app, "Shift report", export_shift_report)
