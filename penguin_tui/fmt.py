"""Formatting numbers and times for people: shared by the check report, exports and screens."""

from __future__ import annotations

import datetime as dt
import math

_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def format_value(value: float | None, unit: str = "") -> str:
    """A measured value with its unit, at a precision that suits its size: ``812 ms``, ``97.3%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit in ("B", "B/s"):
        return _format_bytes(value, unit)
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _format_bytes(value: float, unit: str) -> str:
    suffix = "/s" if unit == "B/s" else ""
    size = float(value)
    for name in _BINARY_UNITS:
        if abs(size) < 1024 or name == _BINARY_UNITS[-1]:
            return f"{size:.0f} {name}{suffix}" if name == "B" else f"{size:.1f} {name}{suffix}"
        size /= 1024
    raise AssertionError("unreachable")


def iso(ts: float | None) -> str | None:
    """ISO 8601 in UTC with a Z, for JSON (machines), or None."""
    if ts is None:
        return None
    return (
        dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def local_time(ts: float, now: float | None = None) -> str:
    """Local wall-clock time for people: ``14:05`` today, ``Fri 23:40`` this week, else a date."""
    moment = dt.datetime.fromtimestamp(ts).astimezone()
    reference = dt.datetime.fromtimestamp(now if now is not None else ts).astimezone()
    if moment.date() == reference.date():
        return moment.strftime("%H:%M")
    if abs((reference - moment).days) < 6:
        return moment.strftime("%a %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def local_datetime(ts: float) -> str:
    """Full local date and time with the zone: ``2026-11-21 08:00 UTC``."""
    return dt.datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M %Z")
