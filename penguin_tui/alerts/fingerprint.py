"""Alertmanager's fingerprint of a label set, computed the same way as its Go code.

prometheus/common ``model.labelSetToFingerprint``: FNV-1a 64 over the label names in sorted
order, each name and value followed by the separator byte 0xff, printed as 16 hex digits. A
local rule's alert therefore has the fingerprint Alertmanager gives it once pushed, and the
merged stream shows it once, not twice.
"""

from __future__ import annotations

from collections.abc import Mapping

_OFFSET = 14695981039346656037
_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEPARATOR = 0xFF


def fingerprint(labels: Mapping[str, str]) -> str:
    """The 16-hex-digit fingerprint Alertmanager reports for an alert with ``labels``."""
    h = _OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode("utf-8"):
                h = ((h ^ byte) * _PRIME) & _MASK
            h = ((h ^ _SEPARATOR) * _PRIME) & _MASK
    return f"{h:016x}"
