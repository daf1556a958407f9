"""Incidents in the cache: ids, the snapshot beside the timeline, refusals inside the write."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import EntryType, IncidentError, IncidentStatus, fold
from penguin_tui.store import Store

T0 = 1_795_248_000.0  # 2026-11-21 08:00 UTC


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def test_ids_count_per_day(store: Store) -> None:
    a = store.declare_incident(E.declare("one", Severity.HIGH, ts=T0, author="ann"))
    b = store.declare_incident(E.declare("two", Severity.LOW, ts=T0 + 60, author="ann"))
    c = store.declare_incident(E.declare("three", Severity.LOW, ts=T0 + 86400, author="ann"))
    assert (a.id, b.id, c.id) == ("INC-2026-11-21-1", "INC-2026-11-21-2", "INC-2026-11-22-1")


def test_snapshot_equals_the_fold_of_the_timeline(store: Store) -> None:
    inc = store.declare_incident(
        E.declare("queue stuck", Severity.HIGH, ts=T0, author="ann", services=["smtp"])
    )
    store.append_incident_entry(inc.id, lambda i: E.note(i, "looking", ts=T0 + 1, author="ann"))
    store.append_incident_entry(
        inc.id, lambda i: E.role(i, "commander", "bob", ts=T0 + 2, author="ann")
    )
    _, noted = store.append_incident_entry(
        inc.id, lambda i: E.note(i, "disk full on relay-2", ts=T0 + 3, author="bob")
    )
    store.append_incident_entry(inc.id, lambda i: E.pin(i, noted, ts=T0 + 4, author="bob"))
    store.append_incident_entry(
        inc.id, lambda i: E.status(i, IncidentStatus.MONITORING, ts=T0 + 5, author="bob")
    )
    entries = store.incident_entries(inc.id)
    assert [e.type for e in entries] == [
        EntryType.DECLARED, EntryType.NOTE, EntryType.ROLE, EntryType.NOTE, EntryType.PIN,
        EntryType.STATUS,
    ]  # fmt: skip
    snapshot = store.incident(inc.id)
    assert snapshot == fold(entries)
    assert snapshot.pinned == (noted.id,) and snapshot.roles == {"commander": "bob"}
    assert [e.id for e in store.incident_entries(inc.id, after_id=noted.id)] == [
        entries[4].id,
        entries[5].id,
    ]
    assert store.newest_incident_entry_id() == entries[-1].id


def test_refusal_inside_the_transaction_writes_nothing(store: Store) -> None:
    inc = store.declare_incident(E.declare("x", Severity.LOW, ts=T0, author="ann"))
    with pytest.raises(IncidentError, match="only a Resolved incident can be closed"):
        store.append_incident_entry(
            inc.id, lambda i: E.status(i, IncidentStatus.CLOSED, ts=T0 + 1, author="ann")
        )
    assert len(store.incident_entries(inc.id)) == 1
    with pytest.raises(IncidentError, match="no incident"):
        store.append_incident_entry("INC-nope", lambda i: E.note(i, "x", ts=T0, author="a"))


def test_list_order_open_first_then_severity(store: Store) -> None:
    low = store.declare_incident(E.declare("low", Severity.LOW, ts=T0, author="a"))
    crit = store.declare_incident(E.declare("crit", Severity.CRITICAL, ts=T0 + 1, author="a"))
    done = store.declare_incident(E.declare("done", Severity.CRITICAL, ts=T0 + 2, author="a"))
    store.append_incident_entry(
        done.id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 3, author="a")
    )
    assert [i.id for i in store.incidents()] == [crit.id, low.id, done.id]
    assert [i.id for i in store.incidents(since=T0 + 2)] == [done.id]


def test_linked_alerts_are_found_while_the_incident_is_open(store: Store) -> None:
    from penguin_tui.alerts.model import Alert

    alert = Alert("fp1", {"alertname": "QueueBacklog", "severity": "critical"})
    inc = store.declare_incident(E.declare_from_alert(alert, ts=T0, author="ann"))
    other = Alert("fp2", {"alertname": "Disk"})
    store.append_incident_entry(inc.id, lambda i: E.link_alert(i, other, ts=T0 + 1, author="a"))
    assert store.linked_open_incidents(["fp1", "fp2", "fp3"]) == {
        "fp1": [inc.id],
        "fp2": [inc.id],
    }
    store.append_incident_entry(
        inc.id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 2, author="a")
    )
    assert store.linked_open_incidents(["fp1"]) == {}
