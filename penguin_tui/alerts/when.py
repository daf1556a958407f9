"""Times as an operator types them in a form: ``14:30``, ``2026-11-21 18:00``, ``90m``, ``now``.

Silence and maintenance forms take a start and an end. A bare clock time means its next
occurrence after the reference (the start for an end, now for a start), so "22:00 to 02:00"
is a night, not an error; a duration counts from the reference. Times are local, as the
operator reads them on the screen.
"""

from __future__ import annotations

import datetime as dt
import re

from penguin_tui.durations import parse_duration
from penguin_tui.text import sanitize

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_HOW = "write 14:30, 2026-11-21 18:00 or a duration like 90m"


def parse_time(text: str, reference: float, *, what: str = "the time") -> float:
    """Epoch seconds for ``text``: a duration after ``reference``, a clock time's next
    occurrence after it, a local date and time, or ``now`` (which is ``reference``).

    Raises ValueError naming ``what`` and saying how to write it.
    """
    s = text.strip()
    if not s:
        raise ValueError(f"{what} is empty; {_HOW}")
    if s.lower() == "now":
        return reference
    if s[0].isdigit() and s[-1].isalpha():
        try:
            return reference + parse_duration(s)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None
    clock = _CLOCK.fullmatch(s)
    if clock is not None:
        return _next_clock_time(int(clock[1]), int(clock[2]), reference, what)
    for fmt in _DATE_FORMATS:
        try:
            moment = dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
        return moment.timestamp()  # naive: local time, as typed
    raise ValueError(f'{what}: "{sanitize(s, single_line=True, max_len=40)}" is not a time; {_HOW}')


def _next_clock_time(hour: int, minute: int, reference: float, what: str) -> float:
    if hour > 23 or minute > 59:
        raise ValueError(f"{what}: {hour:02d}:{minute:02d} is not a time of day")
    base = dt.datetime.fromtimestamp(reference)
    moment = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment.timestamp() <= reference:
        # Day arithmetic on the naive local time, so a DST change keeps the wall-clock time.
        moment += dt.timedelta(days=1)
    return moment.timestamp()
