"""What a maintenance window does outside the alert stream: MAINT rows and planned uptime.

A window (``alerts.model.MaintenanceWindow``) covers checklist items by name, key or
matchers (``covers_item``). While it is active the morning check shows those items as MAINT,
with the real status kept in the reason, and uptime counts the window's time as planned:
left out of the error budget's denominator and reported on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from penguin_tui.alerts.model import MaintenanceWindow
from penguin_tui.fmt import local_time
from penguin_tui.model import Status
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.check import ReportItem


def effective_end(window: MaintenanceWindow) -> float:
    """When the window stops covering: its end, or earlier when it was cancelled."""
    if window.cancelled_at is None:
        return window.end
    return min(window.end, window.cancelled_at)


def covering(
    windows: Iterable[MaintenanceWindow], key: str, name: str, section: str
) -> list[MaintenanceWindow]:
    """The windows that cover one checklist item (active or not)."""
    return [w for w in windows if w.covers_item(key, name, section)]


def maint_reason(window: MaintenanceWindow, status: Status, reason: str, now: float) -> str:
    """``maintenance until 14:00 (db upgrade); was CRIT: HTTP 503``."""
    why = sanitize(window.reason, max_len=80, single_line=True)
    text = f"maintenance until {local_time(effective_end(window), now)}"
    if why:
        text += f" ({why})"
    text += f"; was {status.value}"
    if reason:
        text += f": {reason}"
    return text


def apply_maintenance(
    rows: Sequence[ReportItem], windows: Iterable[MaintenanceWindow], now: float
) -> list[ReportItem]:
    """``rows`` with every item covered by a window active at ``now`` turned MAINT.

    Of several covering windows the one lasting longest is named: it says when the item
    is expected back.
    """
    active = [w for w in windows if w.active(now)]
    if not active:
        return list(rows)
    out = []
    for row in rows:
        found = covering(active, row.key, row.name, row.section)
        if not found or row.status is Status.MAINT:
            out.append(row)
            continue
        window = max(found, key=effective_end)
        reason = maint_reason(window, row.status, row.reason, now)
        out.append(dataclasses.replace(row, status=Status.MAINT, reason=reason))
    return out


def planned_spans(
    windows: Iterable[MaintenanceWindow], start: float, end: float
) -> list[tuple[float, float]]:
    """The parts of ``[start, end]`` the windows cover, merged and in order."""
    spans = sorted(
        (max(start, w.start), min(end, effective_end(w)))
        for w in windows
        if w.start < end and effective_end(w) > start
    )
    merged: list[tuple[float, float]] = []
    for lo, hi in spans:
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def unplanned_spans(
    windows: Iterable[MaintenanceWindow], start: float, end: float
) -> list[tuple[float, float]]:
    """The parts of ``[start, end]`` no window covers, in order."""
    out = []
    cursor = start
    for lo, hi in planned_spans(windows, start, end):
        if lo > cursor:
            out.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < end:
        out.append((cursor, end))
    return out


def span_total(spans: Iterable[tuple[float, float]]) -> float:
    """Seconds covered by non-overlapping spans."""
    return sum(hi - lo for lo, hi in spans)
