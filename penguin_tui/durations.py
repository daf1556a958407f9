"""Durations as operators write them ("30s", "1h30m", "14d") and as they read them ("2h 5m").

One vocabulary for the config file, the command line (``--since 12h``) and the screens:

- ``parse_duration(text) -> seconds``: units ``ms``, ``s``, ``m``, ``h``, ``d``, ``w``, combinable
  from largest to smallest (``1h30m``, ``2d 12h``); decimals allowed (``1.5h``). A bare number is
  refused because "30" could mean seconds, minutes or milliseconds.
- ``format_duration(seconds) -> "2h 5m"``: the two most significant units, compact.
- ``format_age(seconds) -> "3m ago"``: how long ago something happened, for "since" columns.
"""

from __future__ import annotations

import math
import re

from penguin_tui.text import sanitize as _sanitize

_UNITS: dict[str, float] = {
    "w": 7 * 86400.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}
# "ms" must be tried before "m" and "s", hence the explicit alternation order.
_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|w|d|h|m|s)", re.IGNORECASE)
_ORDER = list(_UNITS)  # largest first; a duration lists its units in this order
_EXAMPLES = "write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms"


def parse_duration(text: str) -> float:
    """Parse ``text`` (``"30s"``, ``"1h30m"``, ``"14d"``, ``"250ms"``) into seconds.

    Raises ValueError with a message that says what was wrong and how to write it.
    """
    if not isinstance(text, str):
        raise ValueError(f'a duration must be text like "30s", not {type(text).__name__}')
    s = text.strip()
    if _sanitize(s, single_line=True) != s:
        raise ValueError("a duration cannot contain control characters")
    if not s:
        raise ValueError(f"empty duration ({_EXAMPLES})")
    if _is_number(s):
        raise ValueError(f'"{_short(s)}" has no unit ({_EXAMPLES})')
    if s.startswith("-"):
        raise ValueError(f'"{_short(s)}": a duration cannot be negative')
    total = 0.0
    pos = 0
    last_rank = -1
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None:
            raise ValueError(f'"{_short(s)}" is not a duration ({_EXAMPLES})')
        unit = m.group(2).lower()
        rank = _ORDER.index(unit)
        if rank <= last_rank:
            raise ValueError(
                f'"{_short(s)}": units must go from largest to smallest, each once (like 1h30m)'
            )
        last_rank = rank
        total += float(m.group(1)) * _UNITS[unit]
        pos = m.end()
        # Allow trailing blanks ("5m ") without accepting junk after them.
        while pos < len(s) and s[pos].isspace():
            pos += 1
    if not math.isfinite(total):
        raise ValueError(f'"{_short(s)}" is too large')
    return total


def format_duration(seconds: float, *, parts: int = 2) -> str:
    """Compact human text for a span of time: ``"2h 5m"``, ``"45s"``, ``"3d 4h"``, ``"250ms"``.

    Shows at most ``parts`` units, largest first, and drops zero units ("2h", not "2h 0m").
    Weeks are not used: "20d" reads better than "2w 6d" in a status line.
    """
    if not math.isfinite(seconds):
        return "∞"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if 0 < seconds < 1:
        ms = round(seconds * 1000)
        if ms < 1000:
            return f"{sign}{ms}ms"
        seconds = 1.0  # 0.9996 s rounds to 1000 ms: say "1s"
    total = int(seconds)  # truncate: "59m 59s" must not read as "1h"
    sizes = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    counts = []
    for unit, size in sizes:
        count, total = divmod(total, size)
        counts.append((unit, count))
    first = next((i for i, (_, count) in enumerate(counts) if count), len(counts) - 1)
    # Only adjacent units: "1d 0h 5m" shows as "1d", never as the misleading "1d 5m".
    shown = [f"{count}{unit}" for unit, count in counts[first : first + parts] if count]
    return sign + (" ".join(shown) or "0s")


def format_age(seconds: float) -> str:
    """How long ago something happened: ``"just now"``, ``"3m ago"``, ``"2h 5m ago"``.

    Below an hour one unit is enough; above it the second unit carries real information.
    A small negative age (clocks of two hosts a little apart) still reads "just now"; a larger
    one says ``"in 5m"`` rather than hiding the skew.
    """
    if not math.isfinite(seconds):
        return "never"
    if abs(seconds) < 5:
        return "just now"
    text = format_duration(abs(seconds), parts=1 if abs(seconds) < 3600 else 2)
    return f"in {text}" if seconds < 0 else f"{text} ago"


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _short(s: str) -> str:
    # The text may come from a config file or a command line: keep messages one short line.
    return _sanitize(s, max_len=40, single_line=True)
