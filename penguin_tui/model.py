"""Plain data that flows between sources, poller, store and screens.

Nothing here knows about Textual, SQLite or the network: these are the nouns the rest of the
code agrees on. Times are Unix epoch seconds (float) everywhere; formatting is the caller's job.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Status(enum.StrEnum):
    """The one status vocabulary used for checks, metrics and host figures."""

    OK = "OK"
    WARN = "WARN"
    CRIT = "CRIT"
    UNKNOWN = "UNKNOWN"
    STALE = "STALE"
    # Covered by an active maintenance window: planned, not a problem (exit code 0). Never
    # stored: the report overlays it on the real status, which its reason keeps.
    MAINT = "MAINT"

    @property
    def rank(self) -> int:
        """Higher is worse; used to sort worst first and to fold many into one."""
        return _RANK[self]

    @property
    def exit_code(self) -> int:
        """Nagios plugin exit code: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (STALE counts as UNKNOWN)."""
        return _EXIT[self]

    @property
    def symbol(self) -> str:
        """A glyph that carries the status without colour (NO_COLOR, monochrome terminals)."""
        return _SYMBOL[self]


# MAINT ranks just above OK: worth a glance (planned work is going on) but never worse than
# anything unplanned.
_RANK = {
    Status.OK: 0,
    Status.MAINT: 1,
    Status.STALE: 2,
    Status.UNKNOWN: 3,
    Status.WARN: 4,
    Status.CRIT: 5,
}
_EXIT = {
    Status.OK: 0,
    Status.WARN: 1,
    Status.CRIT: 2,
    Status.UNKNOWN: 3,
    Status.STALE: 3,
    Status.MAINT: 0,
}
_SYMBOL = {
    Status.OK: "✔",
    Status.WARN: "▲",
    Status.CRIT: "✖",
    Status.UNKNOWN: "?",
    Status.STALE: "◌",
    # HAMMER AND PICK: East Asian width N, wcwidth 1, text presentation by default (no emoji
    # variant selector), in DejaVu Sans Mono and the usual terminal fonts.
    Status.MAINT: "⚒",
}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of several statuses (OK when there are none)."""
    return max(statuses, key=lambda s: s.rank, default=Status.OK)


class ItemKind(enum.StrEnum):
    """What an item on the checklist is."""

    CHECK = "check"  # http(s):// or tcp:// probe with conditions
    METRIC = "metric"  # a number from Prometheus, a /metrics scrape or a JSON field
    HOST = "host"  # the bastion's own CPU, memory, disk, ... (psutil)


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """Static description of one checklist item, synced from config into the cache.

    ``key`` is stable and unique: ``check:<name>``, ``metric:<name>``, ``host:<name>``.
    Checks also have an availability series ``<key>:up`` (1.0 up, 0.0 down) used for uptime.
    """

    key: str
    kind: ItemKind
    section: str
    name: str
    unit: str = ""
    interval_s: float = 30.0
    warn: float | None = None
    crit: float | None = None
    direction: str = "above"  # "above": higher is worse; "below": lower is worse


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One Gatus-style condition after evaluation, e.g. ``[STATUS] == 200`` with actual ``503``."""

    expression: str
    ok: bool
    actual: str


@dataclass(slots=True)
class Reading:
    """The outcome of polling one item once, after failure/success thresholds were applied.

    ``status`` is the item's status now (it only flips after the configured number of
    consecutive failures or successes); ``probe_ok`` is what this single probe saw.
    ``value`` is the response time in ms for checks, the measured figure for metrics.
    ``reason`` is plain words for an operator ("timeout after 5 s", "[STATUS] == 200 failed:
    got 503"); empty when all is well.
    """

    key: str
    ts: float
    status: Status
    value: float | None
    reason: str = ""
    probe_ok: bool = True
    conditions: tuple[ConditionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """One numeric point of a series (``key`` as in ItemInfo, or ``<key>:up``)."""

    key: str
    ts: float
    value: float


class EventKind(enum.StrEnum):
    """What an event in the cache records."""

    STATE = "state"  # a check's status flipped (after thresholds)
    BREACH = "breach"  # a metric or host figure crossed its warn/crit threshold (or back)
    SIGNOFF = "signoff"  # an operator signed the morning check off
    NOTE = "note"  # free text from the recorder itself (started, stopped, backfilled ...)


@dataclass(frozen=True, slots=True)
class Event:
    """A state change, threshold breach or other notable moment, kept for the overnight report."""

    ts: float
    key: str
    kind: EventKind
    old: Status | None
    new: Status | None
    value: float | None = None
    reason: str = ""


@dataclass(slots=True)
class Batch:
    """What the poller hands the store in one go: written in a single transaction."""

    readings: list[Reading] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.readings or self.samples or self.events)


@dataclass(frozen=True, slots=True)
class ItemState:
    """The newest known state of an item, as the store keeps it."""

    key: str
    status: Status
    since: float  # when the item entered this status
    checked_at: float  # newest reading
    value: float | None
    reason: str
    conditions: tuple[ConditionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class SignOff:
    """An operator's sign-off of the morning check."""

    ts: float
    user: str
    host: str
    status: Status
    note: str = ""
    not_ok: tuple[str, ...] = ()  # "<key> <STATUS> <reason>" lines at the moment of sign-off
    id: int | None = None


@dataclass(frozen=True, slots=True)
class WriterInfo:
    """Who holds a cache's writer lock."""

    pid: int
    host: str
    started_at: float
    role: str = "daemon"  # "daemon" or "console"
