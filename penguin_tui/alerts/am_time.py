"""Alertmanager's timestamps: RFC 3339 text <-> Unix epoch seconds.

Alertmanager is written in Go, which prints up to nine fraction digits ("...:05.123456789Z")
and an offset ("Z" or "+02:00"); Python's ``datetime.fromisoformat`` only takes six digits
before 3.12, so the text is read by hand. Go's zero time ("0001-01-01T00:00:00Z") is how
Alertmanager says "not set" and reads as None.
"""

from __future__ import annotations

import calendar
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
    year = int(m["y"])
    if year <= 1:  # Go's time.Time{} in any offset: "not set"
        return None
    fields = (year, int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    if not (1 <= fields[1] <= 12 and 1 <= fields[2] <= 31 and fields[3] <= 23):
        raise TimeFormatError("not a valid date and time")
    if fields[4] > 59 or fields[5] > 60:  # 60: a leap second, as RFC 3339 allows
        raise TimeFormatError("not a valid date and time")
    seconds = calendar.timegm((*fields, 0, 0, 0))
    frac = m["frac"]
    if frac:
        seconds += int(frac) / 10 ** len(frac)
    tz = m["tz"]
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        seconds -= sign * (hours * 3600 + minutes * 60)
    return float(seconds)


def format_time(ts: float) -> str:
    """RFC 3339 in UTC with milliseconds, the way Alertmanager writes it: ``...T08:00:00.250Z``."""
    millis = round(ts * 1000)
    whole, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"
