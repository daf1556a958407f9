"""Incidents as an append-only timeline: the entries are the truth, the incident is their fold.

Nothing is edited in place or deleted. A status change, a new commander, a pinned finding or a
correction is one more entry; ``fold`` replays the entries into the incident's current state.
Two operators writing at the same moment therefore cannot overwrite each other: each appends,
and both entries are in the story. The store keeps a snapshot of the fold for fast lists, but
it is always recomputable from the entries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from penguin_tui.alerts.model import Severity

TITLE_MAX = 200
TEXT_MAX = 10_000  # a note longer than this is refused, naming the limit
ROLES = ("commander", "scribe", "communications")
MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
# Stakeholder update cadence by severity (seconds); [incidents] in the config overrides it.
DEFAULT_CADENCE_S: Mapping[Severity, float] = {
    Severity.CRITICAL: 30 * 60.0,
    Severity.HIGH: 60 * 60.0,
    Severity.MEDIUM: 4 * 3600.0,
    Severity.LOW: 4 * 3600.0,
}


class IncidentError(ValueError):
    """An action the incident's rules refuse; the message says why and what is allowed."""


class IncidentStatus(enum.StrEnum):
    INVESTIGATING = "Investigating"
    IDENTIFIED = "Identified"
    MONITORING = "Monitoring"
    RESOLVED = "Resolved"
    CLOSED = "Closed"  # postmortem done

    @property
    def is_open(self) -> bool:
        return self not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)

    @classmethod
    def parse(cls, text: str) -> IncidentStatus:
        """Case-insensitive; "postmortem done" and "closed" both mean CLOSED."""
        word = text.strip().lower().replace("_", " ").replace("-", " ")
        if word in ("postmortem done", "postmortem", "done"):
            return cls.CLOSED
        for status in cls:
            if status.value.lower() == word:
                return status
        allowed = ", ".join(s.value for s in cls)
        raise IncidentError(f"unknown status {text!r}: use one of {allowed}")


_ACTIVE = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING)


def check_transition(old: IncidentStatus, new: IncidentStatus) -> None:
    """Raise IncidentError when ``old -> new`` is not allowed.

    Open states move freely among themselves (an incident may go back to Investigating when a
    fix did not hold) and to Resolved; Resolved may reopen (to Investigating) or close once the
    postmortem is done; Closed is final.
    """
    if old == new:
        raise IncidentError(f"the incident is already {old.value}")
    if old in _ACTIVE and (new in _ACTIVE or new is IncidentStatus.RESOLVED):
        return
    if old is IncidentStatus.RESOLVED and new in (
        IncidentStatus.INVESTIGATING,
        IncidentStatus.CLOSED,
    ):
        return
    if old is IncidentStatus.CLOSED:
        raise IncidentError("the incident is closed (postmortem done); nothing can change it")
    if new is IncidentStatus.CLOSED:
        raise IncidentError("only a Resolved incident can be closed (postmortem done)")
    raise IncidentError(
        f"{old.value} -> {new.value} is not allowed; a Resolved incident reopens to Investigating"
    )


class EntryType(enum.StrEnum):
    DECLARED = "declared"
    NOTE = "note"
    STATUS = "status"
    SEVERITY = "severity"
    ROLE = "role"
    ALERT_LINKED = "alert linked"
    ALERT_UNLINKED = "alert unlinked"
    ALERT_FIRED = "alert fired"
    ALERT_RESOLVED = "alert resolved"
    ACTION = "action"
    UPDATE = "stakeholder update"
    MILESTONE = "milestone"
    PIN = "pin"
    UNPIN = "unpin"
    CORRECTION = "correction"
    FIELD = "field"  # title, summary, impact or services changed


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline. ``data`` holds the structured part (new status, role name...);
    ``refers_to`` is the id of the entry a pin, unpin or correction is about."""

    incident_id: str
    ts: float
    author: str
    type: EntryType
    text: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    refers_to: int | None = None
    host: str = ""
    id: int | None = None  # assigned by the store


@dataclass(frozen=True, slots=True)
class Incident:
    """The current state of an incident, as folded from its entries."""

    id: str
    title: str
    severity: Severity
    status: IncidentStatus
    declared_at: float
    declared_by: str
    summary: str = ""
    impact: str = ""
    services: tuple[str, ...] = ()
    roles: Mapping[str, str] = field(default_factory=dict)
    milestones: Mapping[str, float] = field(default_factory=dict)
    alerts: tuple[str, ...] = ()  # linked alert fingerprints
    pinned: tuple[int, ...] = ()  # entry ids
    last_update_at: float | None = None  # last stakeholder update
    updated_at: float = 0.0  # newest entry
    entries: int = 0

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def duration(self, start: str, end: str) -> float | None:
        """Seconds between two milestones (None when either is missing)."""
        a, b = self.milestones.get(start), self.milestones.get(end)
        return None if a is None or b is None else max(0.0, b - a)

    @property
    def time_to_acknowledge(self) -> float | None:
        return self.duration("started", "acknowledged")

    @property
    def time_to_mitigate(self) -> float | None:
        return self.duration("started", "mitigated")

    @property
    def time_to_resolve(self) -> float | None:
        return self.duration("started", "resolved")

    def next_update_due(
        self, cadence: Mapping[Severity, float] = DEFAULT_CADENCE_S
    ) -> float | None:
        """When the next stakeholder update is due (None once resolved or closed)."""
        if not self.is_open:
            return None
        base = self.last_update_at if self.last_update_at is not None else self.declared_at
        return base + cadence.get(self.severity, DEFAULT_CADENCE_S[self.severity])


def fold(entries: Iterable[Entry]) -> Incident:
    """Replay ``entries`` (oldest first, the first a DECLARED) into the incident's state."""
    incident: Incident | None = None
    for entry in entries:
        if incident is None:
            if entry.type is not EntryType.DECLARED:
                raise IncidentError(f"{entry.incident_id}: the first entry must be 'declared'")
            incident = _declared(entry)
            continue
        incident = apply_entry(incident, entry)
    if incident is None:
        raise IncidentError("an incident needs at least its 'declared' entry")
    return incident


def _declared(entry: Entry) -> Incident:
    d = entry.data
    services = tuple(s for s in d.get("services", "").split(",") if s)
    roles = {r: d[r] for r in ROLES if d.get(r)}
    started = float(d["started"]) if d.get("started") else entry.ts
    milestones = {"started": started, "detected": entry.ts}
    if roles.get("commander"):
        milestones["acknowledged"] = entry.ts  # someone took command as it was declared
    return Incident(
        id=entry.incident_id,
        title=d.get("title", entry.text),
        severity=Severity[d.get("severity", "MEDIUM")],
        status=IncidentStatus.INVESTIGATING,
        declared_at=entry.ts,
        declared_by=entry.author,
        summary=d.get("summary", ""),
        impact=d.get("impact", ""),
        services=services,
        roles=roles,
        milestones=milestones,
        alerts=tuple(a for a in d.get("alerts", "").split(",") if a),
        updated_at=entry.ts,
        entries=1,
    )


def apply_entry(inc: Incident, e: Entry) -> Incident:
    """One step of the fold: the incident after ``e`` (which must be newer than its others)."""
    inc = replace(inc, updated_at=max(inc.updated_at, e.ts), entries=inc.entries + 1)
    d = e.data
    t = e.type
    if t is EntryType.STATUS:
        new = IncidentStatus(d["status"])
        milestones = dict(inc.milestones)
        # Milestones follow the status unless someone set them explicitly (a MILESTONE entry).
        if new is IncidentStatus.MONITORING:
            milestones.setdefault("mitigated", e.ts)
        elif new is IncidentStatus.RESOLVED:
            milestones.setdefault("mitigated", e.ts)
            milestones.setdefault("resolved", e.ts)
        elif new is IncidentStatus.INVESTIGATING and inc.status is IncidentStatus.RESOLVED:
            milestones.pop("resolved", None)  # reopened: it is not resolved any more
        return replace(inc, status=new, milestones=milestones)
    if t is EntryType.SEVERITY:
        return replace(inc, severity=Severity[d["severity"]])
    if t is EntryType.ROLE:
        roles = dict(inc.roles)
        milestones = inc.milestones
        if d.get("name"):
            roles[d["role"]] = d["name"]
            if d["role"] == "commander" and "acknowledged" not in milestones:
                milestones = {**milestones, "acknowledged": e.ts}
        else:
            roles.pop(d["role"], None)
        return replace(inc, roles=roles, milestones=milestones)
    if t is EntryType.MILESTONE:
        milestones = dict(inc.milestones)
        milestones[d["milestone"]] = float(d.get("at", e.ts))
        return replace(inc, milestones=milestones)
    if t is EntryType.ALERT_LINKED:
        fp = d["fingerprint"]
        return inc if fp in inc.alerts else replace(inc, alerts=(*inc.alerts, fp))
    if t is EntryType.ALERT_UNLINKED:
        return replace(inc, alerts=tuple(a for a in inc.alerts if a != d["fingerprint"]))
    if t is EntryType.PIN and e.refers_to is not None and e.refers_to not in inc.pinned:
        return replace(inc, pinned=(*inc.pinned, e.refers_to))
    if t is EntryType.UNPIN:
        return replace(inc, pinned=tuple(p for p in inc.pinned if p != e.refers_to))
    if t is EntryType.UPDATE:
        return replace(inc, last_update_at=e.ts)
    if t is EntryType.FIELD:
        name, value = d["field"], d.get("value", "")
        if name == "services":
            return replace(inc, services=tuple(s for s in value.split(",") if s))
        if name in ("title", "summary", "impact"):
            return replace(inc, **{name: value})
    return inc
