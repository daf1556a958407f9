"""Pausing the cyclic garbage collector while thousands of long-lived objects are made at once.

Decoding 10,000 alerts from Alertmanager makes ~150,000 dicts, lists and Alerts in a tenth of a
second. Each 700 allocations start a collection of the young objects, and each few tens of
those a full pass over everything the process holds: ~250 collections, two of them full, ~50
ms per poll (bench/bench_alerts.py), to find nothing, since what is made is acyclic and kept.
Paused, the new objects are looked at once, at the first collection after.

The pause is process-wide (the collector has no other switch) and short: while it lasts, other
threads' garbage cycles wait too; reference counting still frees everything else. Nested and
concurrent pauses (two Alertmanagers answering at once) resume the collector with the last one
out, and only if it was running when the first came in.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False  # whether the collector was enabled when the outermost pause began


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body with the cyclic collector disabled (see the module's docstring)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
