"""Alertmanager's timestamps: RFC 3339 text <-> Unix epoch seconds.

Alertmanager is written in Go, which prints up to nine fraction digits ("...:05.123456789Z")
and an offset ("Z" or "+02:00"); Python's ``datetime.fromisoformat`` only takes six digits
before 3.12, so the text is read by hand. Go's zero time ("0001-01-01T00:00:00Z") is how
Alertmanager says "not set" and reads as None.
"""

from __future__ import annotations

import calendar
import functools
import re
import time

_RFC3339 = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})"
)


class TimeFormatError(ValueError):
    """A timestamp that is not RFC 3339."""


def parse_time(text: object) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp; None for Go's zero time (year 1) or absence.

    Raises TimeFormatError for anything else that is not RFC 3339 (the caller decides
    whether that skips the item or only drops the field).
    """
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise TimeFormatError("a time must be text")
    m = _RFC3339.fullmatch(text.strip())
    if m is None:
        raise TimeFormatError("not an RFC 3339 time")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    if int(y) <= 1:  # Go's time.Time{} in any offset: "not set"
        return None
    hour, minute, second = int(h), int(mi), int(s)
    # 60: a leap second, as RFC 3339 allows
    if hour > 23 or minute > 59 or second > 60:
        raise TimeFormatError("not a valid date and time")
    # calendar.timegm's own arithmetic, with the date's part looked up: 10,000 alerts carry
    # a few dozen dates (this was a fifth of reading Alertmanager's answer).
    seconds = _day_start(y, mo, d) + (hour * 60 + minute) * 60 + second
    if frac:
        seconds += int(frac) / 10 ** len(frac)
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        seconds -= sign * (hours * 3600 + minutes * 60)
    return float(seconds)


@functools.lru_cache(maxsize=1024)
def _day_start(y: str, mo: str, d: str) -> int:
    """Epoch seconds of the date's midnight UTC; TimeFormatError for a month or day out of
    range."""
    year, month, day = int(y), int(mo), int(d)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise TimeFormatError("not a valid date and time")
    return calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0))


def format_time(ts: float) -> str:
    """RFC 3339 in UTC with milliseconds, the way Alertmanager writes it: ``...T08:00:00.250Z``."""
    millis = round(ts * 1000)
    whole, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"
