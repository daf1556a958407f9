"""Building timeline entries from what an operator asks for, refusing what the rules forbid.

Every function takes the incident as it stands (``fold`` of its entries) and returns the one
entry to append, or raises IncidentError with a message fit for the operator. Text is checked
here (empty, too long) and sanitised on display, not here: the timeline keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.incidents.model import (
    MILESTONES,
    ROLES,
    TEXT_MAX,
    TITLE_MAX,
    Entry,
    EntryType,
    Incident,
    IncidentError,
    IncidentStatus,
    check_transition,
)


def parse_severity(text: str) -> Severity:
    """ "critical", "High", "sev2", "P3" ... -> Severity; IncidentError for anything else."""
    word = text.strip().lower()
    for sev in Severity:
        if sev.name.lower() == word:
            return sev
    mapped = {"sev1": Severity.CRITICAL, "p1": Severity.CRITICAL, "sev2": Severity.HIGH,
              "p2": Severity.HIGH, "sev3": Severity.MEDIUM, "p3": Severity.MEDIUM,
              "sev4": Severity.LOW, "p4": Severity.LOW}.get(word)  # fmt: skip
    if mapped is None:
        raise IncidentError(f"unknown severity {text!r}: use Critical, High, Medium or Low")
    return mapped


def _text(value: str, what: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if not text:
        raise IncidentError(f"the {what} is empty")
    if len(text) > limit:
        raise IncidentError(f"the {what} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def _open(inc: Incident, what: str) -> None:
    if inc.status is IncidentStatus.CLOSED:
        raise IncidentError(f"{inc.id} is closed (postmortem done): cannot {what}")


def declare(
    title: str,
    severity: Severity,
    *,
    ts: float,
    author: str,
    host: str = "",
    summary: str = "",
    impact: str = "",
    services: Sequence[str] = (),
    commander: str = "",
    alerts: Sequence[str] = (),
    started: float | None = None,
) -> Entry:
    """The DECLARED entry of a new incident (its id is given by the store when appended)."""
    data = {
        "title": _text(title, "title", TITLE_MAX),
        "severity": severity.name,
        "summary": summary.strip()[:TEXT_MAX],
        "impact": impact.strip()[:TEXT_MAX],
        "services": ",".join(s.strip() for s in services if s.strip()),
        "alerts": ",".join(alerts),
    }
    if commander.strip():
        data["commander"] = commander.strip()
    if started is not None:
        data["started"] = repr(float(started))
    text = f"declared {severity.title}: {data['title']}"
    return Entry("", ts, author, EntryType.DECLARED, text, data, host=host)


def declare_from_alert(alert: Alert, *, ts: float, author: str, host: str = "") -> Entry:
    """Declare in one step from an alert: title, severity, service and start taken from it."""
    title = alert.summary or alert.alertname or "alert"
    if alert.subject and alert.subject not in title:
        title = f"{title} ({alert.subject})"
    return declare(
        title[:TITLE_MAX],
        alert.severity,
        ts=ts,
        author=author,
        host=host,
        services=(alert.labels.get("service", ""),) if alert.labels.get("service") else (),
        alerts=(alert.fingerprint,),
        started=alert.starts_at,
    )


def note(inc: Incident, text: str, *, ts: float, author: str, host: str = "",
         kind: EntryType = EntryType.NOTE) -> Entry:  # fmt: skip
    """A note (or an action taken, with ``kind=ACTION``)."""
    _open(inc, "add notes")
    return Entry(inc.id, ts, author, kind, _text(text, "note"), host=host)


def status(inc: Incident, new: IncidentStatus, *, ts: float, author: str, host: str = "",
           text: str = "") -> Entry:  # fmt: skip
    check_transition(inc.status, new)
    words = f"status {inc.status.value} -> {new.value}"
    if inc.status is IncidentStatus.RESOLVED and new is IncidentStatus.INVESTIGATING:
        words = "reopened: Resolved -> Investigating"
    if text.strip():
        words += f": {_text(text, 'reason')}"
    return Entry(inc.id, ts, author, EntryType.STATUS, words, {"status": new.value}, host=host)


def severity(inc: Incident, new: Severity, *, ts: float, author: str, host: str = "") -> Entry:
    _open(inc, "change the severity")
    if new is inc.severity:
        raise IncidentError(f"the severity is already {new.title}")
    text = f"severity {inc.severity.title} -> {new.title}"
    return Entry(inc.id, ts, author, EntryType.SEVERITY, text, {"severity": new.name}, host=host)


def role(inc: Incident, role_name: str, name: str, *, ts: float, author: str,
         host: str = "") -> Entry:  # fmt: skip
    _open(inc, "change roles")
    role_name = role_name.strip().lower()
    if role_name not in ROLES:
        raise IncidentError(f"unknown role {role_name!r}: use {', '.join(ROLES)}")
    name = name.strip()
    if len(name) > 100:
        raise IncidentError("a name is at most 100 characters")
    old = inc.roles.get(role_name, "")
    if old == name:
        raise IncidentError(f"{role_name} is already {name or 'unassigned'}")
    text = f"{role_name}: {name}" if name else f"{role_name} unassigned"
    if old and name:
        text = f"{role_name}: {old} -> {name}"
    data = {"role": role_name, "name": name}
    return Entry(inc.id, ts, author, EntryType.ROLE, text, data, host=host)


def milestone(inc: Incident, which: str, at: float, *, ts: float, author: str,
              host: str = "") -> Entry:  # fmt: skip
    _open(inc, "set milestones")
    which = which.strip().lower()
    if which not in MILESTONES:
        raise IncidentError(f"unknown milestone {which!r}: use {', '.join(MILESTONES)}")
    started = inc.milestones.get("started")
    if which != "started" and started is not None and at < started:
        raise IncidentError(f"{which} cannot be before the incident started")
    data = {"milestone": which, "at": repr(float(at))}
    return Entry(inc.id, ts, author, EntryType.MILESTONE, f"milestone {which}", data, host=host)


def link_alert(inc: Incident, alert: Alert, *, ts: float, author: str, host: str = "") -> Entry:
    _open(inc, "link alerts")
    if alert.fingerprint in inc.alerts:
        raise IncidentError("that alert is already linked")
    text = f"alert linked: {alert.alertname} {alert.subject}".rstrip()
    data = {"fingerprint": alert.fingerprint, "alertname": alert.alertname}
    return Entry(inc.id, ts, author, EntryType.ALERT_LINKED, text, data, host=host)


def pin(inc: Incident, entry: Entry, *, ts: float, author: str, host: str = "") -> Entry:
    """Pin (or, when already pinned, unpin) a key finding."""
    if entry.id is None or entry.incident_id != inc.id:
        raise IncidentError("only an entry of this incident can be pinned")
    if entry.id in inc.pinned:
        return Entry(inc.id, ts, author, EntryType.UNPIN, f"unpinned #{entry.id}",
                     refers_to=entry.id, host=host)  # fmt: skip
    return Entry(inc.id, ts, author, EntryType.PIN, f"pinned #{entry.id}", refers_to=entry.id,
                 host=host)  # fmt: skip


def correction(inc: Incident, entry: Entry, text: str, *, ts: float, author: str,
               host: str = "") -> Entry:  # fmt: skip
    """A correction of an earlier entry: a new entry that refers to it (the old one stays)."""
    if entry.id is None or entry.incident_id != inc.id:
        raise IncidentError("only an entry of this incident can be corrected")
    return Entry(inc.id, ts, author, EntryType.CORRECTION, _text(text, "correction"),
                 refers_to=entry.id, host=host)  # fmt: skip


def stakeholder_update(inc: Incident, text: str, *, ts: float, author: str,
                       host: str = "") -> Entry:  # fmt: skip
    _open(inc, "send updates")
    return Entry(inc.id, ts, author, EntryType.UPDATE, _text(text, "update"), host=host)
