"""Times and durations written and read the way Vault (a Go program) does.

Vault writes timestamps with Go's RFC3339Nano layout (nanoseconds, trailing zeros trimmed, so
``2024-03-01T10:00:00.5Z`` and ``2024-03-01T10:00:00Z`` both occur) and durations with Go's
``time.Duration.String`` (``0s``, ``1h0m0s``, ``768h0m0s``). Clients must cope with both, so
the double writes exactly these forms rather than Python's.
"""

from __future__ import annotations

import re
import time

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def rfc3339nano(epoch: float) -> str:
    """``epoch`` (seconds, UTC) in Go's RFC3339Nano layout with a ``Z`` zone."""
    ns_total = round(epoch * 1_000_000_000)
    seconds, ns = divmod(ns_total, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if ns:
        base += "." + f"{ns:09d}".rstrip("0")
    return base + "Z"


def go_duration(seconds: float) -> str:
    """``seconds`` as Go's ``time.Duration.String()`` does it, for whole seconds and above.

    >>> go_duration(0), go_duration(90), go_duration(3600), go_duration(2764800)
    ('0s', '1m30s', '1h0m0s', '768h0m0s')
    """
    total = int(seconds)
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"


def parse_duration(value: object) -> float:
    """A duration as Vault accepts it in requests: seconds as a number or digit string, or a
    Go duration string (``"3h25m19s"``). Raises ValueError naming the bad value."""
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"invalid duration {value!r}: negative")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"invalid duration {value!r}")
    text = value.strip()
    if text.isdigit():
        return float(text)
    if text in ("0", ""):
        return 0.0
    pos = 0
    total = 0.0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"invalid duration {value!r}")
    return total
