"""Incident lifecycle rules and the fold of an append-only timeline."""

from __future__ import annotations

import pytest

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import (
    DEFAULT_CADENCE_S,
    Entry,
    EntryType,
    IncidentError,
    IncidentStatus,
    check_transition,
    fold,
)

T0 = 1_795_248_000.0
S = IncidentStatus


def _declared(**kw: object) -> list[Entry]:
    entry = E.declare("SMTP relay queue stuck", Severity.HIGH, ts=T0, author="ann", **kw)  # type: ignore[arg-type]
    return [Entry("INC-1", entry.ts, entry.author, entry.type, entry.text, entry.data, id=1)]


def _append(log: list[Entry], entry: Entry) -> list[Entry]:
    stored = Entry(entry.incident_id, entry.ts, entry.author, entry.type, entry.text, entry.data,
                   entry.refers_to, entry.host, id=len(log) + 1)  # fmt: skip
    return [*log, stored]


@pytest.mark.parametrize(
    ("old", "new"),
    [(S.INVESTIGATING, S.IDENTIFIED), (S.IDENTIFIED, S.MONITORING), (S.MONITORING, S.RESOLVED),
     (S.INVESTIGATING, S.RESOLVED), (S.MONITORING, S.INVESTIGATING), (S.RESOLVED, S.INVESTIGATING),
     (S.RESOLVED, S.CLOSED)],
)  # fmt: skip
def test_allowed_transitions(old: IncidentStatus, new: IncidentStatus) -> None:
    check_transition(old, new)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [(S.INVESTIGATING, S.CLOSED, "only a Resolved incident can be closed"),
     (S.RESOLVED, S.MONITORING, "reopens to Investigating"),
     (S.CLOSED, S.INVESTIGATING, "closed"),
     (S.MONITORING, S.MONITORING, "already Monitoring")],
)  # fmt: skip
def test_illegal_transitions_say_why(old: IncidentStatus, new: IncidentStatus, words: str) -> None:
    with pytest.raises(IncidentError, match=words):
        check_transition(old, new)


def test_fold_follows_status_roles_and_milestones() -> None:
    log = _declared(services=["smtp-relay"], impact="2% of mail delayed")
    inc = fold(log)
    assert (inc.status, inc.severity, inc.services) == (
        S.INVESTIGATING,
        Severity.HIGH,
        ("smtp-relay",),
    )
    assert inc.time_to_acknowledge is None
    log = _append(log, E.role(inc, "commander", "bob", ts=T0 + 120, author="ann"))
    inc = fold(log)
    assert inc.roles == {"commander": "bob"} and inc.time_to_acknowledge == 120
    log = _append(log, E.status(inc, S.MONITORING, ts=T0 + 600, author="bob"))
    log = _append(log, E.status(fold(log), S.RESOLVED, ts=T0 + 900, author="bob"))
    inc = fold(log)
    assert (inc.time_to_mitigate, inc.time_to_resolve, inc.is_open) == (600, 900, False)
    assert inc.next_update_due() is None
    log = _append(log, E.status(inc, S.INVESTIGATING, ts=T0 + 1000, author="bob"))
    inc = fold(log)
    assert inc.status is S.INVESTIGATING and "resolved" not in inc.milestones
    assert "reopened" in log[-1].text


def test_update_cadence_follows_severity_and_last_update() -> None:
    log = _declared()
    inc = fold(log)
    assert inc.next_update_due() == T0 + DEFAULT_CADENCE_S[Severity.HIGH]
    log = _append(log, E.severity(inc, Severity.CRITICAL, ts=T0 + 60, author="ann"))
    log = _append(log, E.stakeholder_update(fold(log), "Investigating", ts=T0 + 300, author="ann"))
    assert fold(log).next_update_due() == T0 + 300 + 30 * 60


def test_pins_and_corrections_append_never_edit() -> None:
    log = _declared()
    log = _append(log, E.note(fold(log), "queue at 40k", ts=T0 + 10, author="ann"))
    noted = log[-1]
    log = _append(log, E.pin(fold(log), noted, ts=T0 + 20, author="ann"))
    assert fold(log).pinned == (noted.id,)
    log = _append(log, E.correction(fold(log), noted, "queue at 4k", ts=T0 + 30, author="ann"))
    assert log[1].text == "queue at 40k" and log[-1].refers_to == noted.id
    log = _append(log, E.pin(fold(log), noted, ts=T0 + 40, author="ann"))
    assert log[-1].type is EntryType.UNPIN and fold(log).pinned == ()


def test_bad_text_is_refused_with_the_limit_named() -> None:
    inc = fold(_declared())
    with pytest.raises(IncidentError, match="title is empty"):
        E.declare("   ", Severity.LOW, ts=T0, author="ann")
    with pytest.raises(IncidentError, match="limit is 10,000"):
        E.note(inc, "x" * 10_001, ts=T0, author="ann")
    E.note(inc, "x" * 10_000, ts=T0, author="ann")
    with pytest.raises(IncidentError, match="unknown role"):
        E.role(inc, "king", "bob", ts=T0, author="ann")
    with pytest.raises(IncidentError, match="unknown severity"):
        E.parse_severity("huge")


def test_declare_from_alert_takes_title_severity_service_and_start() -> None:
    alert = Alert("abc", {"alertname": "QueueBacklog", "severity": "critical", "service": "smtp"},
                  {"summary": "Queue backlog"}, starts_at=T0 - 300)  # fmt: skip
    entry = E.declare_from_alert(alert, ts=T0, author="ann")
    inc = fold([Entry("INC-1", entry.ts, "ann", entry.type, entry.text, entry.data, id=1)])
    assert inc.title == "Queue backlog (smtp)" and inc.severity is Severity.CRITICAL
    assert inc.services == ("smtp",) and inc.alerts == ("abc",)
    assert inc.milestones["started"] == T0 - 300 and inc.time_to_resolve is None
