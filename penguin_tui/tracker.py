"""Status of each item over time: thresholds on consecutive probes, and the events of each flip.

Checks are OK or CRIT (UNKNOWN until they are first judged). A status flips only after
``failure_threshold`` consecutive failed probes (default 2, so one lost packet is not an
outage) or ``success_threshold`` consecutive good ones (default 1). The counting starts
afresh at UNKNOWN too: a check that fails its very first probe stays UNKNOWN (with the
reason) until the threshold is reached.

Metrics and host figures take their status from the value: ``warn``/``crit`` compared
with ``direction`` ("above": value >= crit is CRIT; "below": value <= crit is CRIT). A fetch
that fails turns the item UNKNOWN after ``failure_threshold`` consecutive failures;
until then the last status stands and the reading carries the failure's reason.

Every flip yields an Event (STATE for checks, BREACH for metrics and host figures) except
an item's very first status when it is OK: a recorder starting up is not news, an item
that is down from the start is. Seeding from the store's states means a restarted
recorder continues where the last one stopped instead of inventing flips.
"""

from __future__ import annotations

from dataclasses import dataclass

from penguin_tui.fmt import format_value
from penguin_tui.model import (
    ConditionResult,
    Event,
    EventKind,
    ItemInfo,
    ItemState,
    Reading,
    Status,
)

DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_SUCCESS_THRESHOLD = 1


@dataclass(slots=True)
class _Track:
    status: Status = Status.UNKNOWN
    since: float = 0.0
    seen: bool = False  # has ever had a status (seeded or judged)
    failures: int = 0  # consecutive failed probes/fetches
    successes: int = 0  # consecutive good probes/fetches


def level(value: float, warn: float | None, crit: float | None, direction: str) -> Status:
    """OK, WARN or CRIT for a value against its thresholds (reaching a threshold counts)."""
    if direction == "below":
        if crit is not None and value <= crit:
            return Status.CRIT
        if warn is not None and value <= warn:
            return Status.WARN
        return Status.OK
    if crit is not None and value >= crit:
        return Status.CRIT
    if warn is not None and value >= warn:
        return Status.WARN
    return Status.OK


def breach_reason(value: float, info: ItemInfo, status: Status) -> str:
    """``"82.5% >= warn 70%"``: which threshold the value reached, in words and units."""
    op = "<=" if info.direction == "below" else ">="
    shown = format_value(value, info.unit)
    if status is Status.CRIT and info.crit is not None:
        return f"{shown} {op} crit {format_value(info.crit, info.unit)}"
    if status is Status.WARN and info.warn is not None:
        return f"{shown} {op} warn {format_value(info.warn, info.unit)}"
    return ""


class Tracker:
    """Applies thresholds to probe and fetch outcomes and reports every status flip."""

    def __init__(self, initial: dict[str, ItemState] | None = None) -> None:
        self._tracks: dict[str, _Track] = {}
        for key, state in (initial or {}).items():
            # STALE is how a reader sees old data, not a state the recorder was in.
            status = Status.UNKNOWN if state.status is Status.STALE else state.status
            self._tracks[key] = _Track(status=status, since=state.since, seen=True)

    def status(self, key: str) -> Status:
        """The item's current status (UNKNOWN for an item never judged)."""
        track = self._tracks.get(key)
        return track.status if track else Status.UNKNOWN

    def since(self, key: str) -> float | None:
        """When the item entered its current status (None if never judged)."""
        track = self._tracks.get(key)
        return track.since if track and track.seen else None

    def _flip(
        self,
        key: str,
        track: _Track,
        new: Status,
        ts: float,
        kind: EventKind,
        value: float | None,
        reason: str,
    ) -> Event | None:
        if new is track.status and (track.seen or new is Status.UNKNOWN):
            return None  # no change (an item never judged is UNKNOWN already)
        old = track.status if track.seen else None
        first = not track.seen
        track.status, track.since, track.seen = new, ts, True
        if first and new is Status.OK:
            return None
        return Event(ts, key, kind, old, new, value, reason)

    def check(
        self,
        key: str,
        ts: float,
        *,
        ok: bool,
        value: float | None,
        reason: str = "",
        conditions: tuple[ConditionResult, ...] = (),
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        success_threshold: int = DEFAULT_SUCCESS_THRESHOLD,
    ) -> tuple[Reading, Event | None]:
        """Record one probe of a check; the Reading carries the status after thresholds."""
        track = self._tracks.setdefault(key, _Track())
        if ok:
            track.successes += 1
            track.failures = 0
        else:
            track.failures += 1
            track.successes = 0
        target = track.status
        if ok and track.successes >= max(1, success_threshold):
            target = Status.OK
        elif not ok and track.failures >= max(1, failure_threshold):
            target = Status.CRIT
        event = self._flip(key, track, target, ts, EventKind.STATE, value, reason)
        shown = reason
        if not ok and track.status is not Status.CRIT:
            shown = f"{reason} ({track.failures} of {failure_threshold} failures before CRIT)"
        elif ok and track.status is Status.CRIT:
            shown = f"recovering ({track.successes} of {success_threshold} good probes)"
        reading = Reading(key, ts, track.status, value, shown, ok, conditions)
        return reading, event

    def metric(
        self,
        info: ItemInfo,
        ts: float,
        value: float | None,
        reason: str = "",
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
    ) -> tuple[Reading, Event | None]:
        """Record one fetch of a metric or host figure (``value`` None: the fetch failed)."""
        track = self._tracks.setdefault(info.key, _Track())
        if value is None:
            track.failures += 1
            track.successes = 0
            target = track.status
            if track.failures >= max(1, failure_threshold):
                target = Status.UNKNOWN
            event = self._flip(info.key, track, target, ts, EventKind.BREACH, None, reason)
            shown = reason
            if track.status is not Status.UNKNOWN:
                shown = f"{reason} ({track.failures} of {failure_threshold} failures)"
            return Reading(info.key, ts, track.status, None, shown, False), event
        track.failures = 0
        track.successes += 1
        target = level(value, info.warn, info.crit, info.direction)
        why = breach_reason(value, info, target)
        event = self._flip(info.key, track, target, ts, EventKind.BREACH, value, why)
        return Reading(info.key, ts, target, value, why, True), event
