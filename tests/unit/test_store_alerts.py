"""The alert stream in the cache: record/resolve/re-open, history, revisions, silences, acks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from penguin_tui.alerts.matchers import Matcher, MatchOp
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    AlertState,
    LocalAck,
    MaintenanceWindow,
    Severity,
    Silence,
    SourceStatus,
)
from penguin_tui.config_model import RetentionConfig
from penguin_tui.errors import CacheError
from penguin_tui.store import Store

T0 = 1_700_000_000.0
AM = AlertSource.ALERTMANAGER
LOCAL = AlertSource.LOCAL


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def _alert(fp: str, name: str = "DiskFull", severity: str = "critical", **kw) -> Alert:
    labels = {"alertname": name, "severity": severity, "service": kw.pop("service", "smtp")}
    kw.setdefault("annotations", {"summary": f"{name} on smtp"})
    return Alert(fp, labels, starts_at=T0 - 60, origins=("http://am1",), **kw)


def _silence(sid: str, comment: str = "deploy", by: str = "alice") -> Silence:
    return Silence(sid, (Matcher.equal("service", "smtp"),), T0, T0 + 3600, by, comment)


def test_new_alert_is_recorded_with_first_and_last_seen(store: Store) -> None:
    changes = store.record_alerts(AM, [_alert("a1")], T0)
    assert [(c.fingerprint, c.old, c.new) for c in changes] == [("a1", None, "firing")]
    got = store.alert("a1")
    assert got is not None
    assert (got.first_seen, got.last_seen, got.resolved_at, got.stale) == (T0, T0, None, False)
    assert got.labels == {"alertname": "DiskFull", "severity": "critical", "service": "smtp"}
    assert got.annotations == {"summary": "DiskFull on smtp"}
    assert (got.origins, got.source, got.starts_at) == (("http://am1",), AM, T0 - 60)
    # A later unchanged poll moves last_seen, keeps first_seen, records no change.
    assert store.record_alerts(AM, [_alert("a1")], T0 + 30) == []
    got = store.alert("a1")
    assert got is not None and (got.first_seen, got.last_seen) == (T0, T0 + 30)


def test_missing_alert_is_resolved_and_comes_back_reopened(store: Store) -> None:
    store.record_alerts(AM, [_alert("a1"), _alert("a2", "Queue")], T0)
    changes = store.record_alerts(AM, [_alert("a2", "Queue")], T0 + 30)
    assert [(c.fingerprint, c.old, c.new, c.detail) for c in changes] == [
        ("a1", "firing", "resolved", "resolved")
    ]
    gone = store.alert("a1")
    assert gone is not None
    # Last seen at the poll before the one that missed it.
    assert (gone.resolved_at, gone.last_seen) == (T0 + 30, T0)
    assert gone.state() is AlertState.RESOLVED
    changes = store.record_alerts(AM, [_alert("a1"), _alert("a2", "Queue")], T0 + 60)
    assert [(c.fingerprint, c.old, c.new, c.detail) for c in changes] == [
        ("a1", "resolved", "firing", "re-opened")
    ]
    back = store.alert("a1")
    assert back is not None
    assert (back.first_seen, back.last_seen, back.resolved_at) == (T0, T0 + 60, None)
    assert [(c.old, c.new) for c in store.alert_history("a1")] == [
        (None, "firing"),
        ("firing", "resolved"),
        ("resolved", "firing"),
    ]
    assert [c.ts for c in store.alert_history("a1", limit=2)] == [T0 + 30, T0 + 60]


def test_sources_resolve_only_their_own_alerts(store: Store) -> None:
    store.record_alerts(AM, [_alert("am1")], T0)
    store.record_alerts(LOCAL, [_alert("loc1", "BounceRate")], T0)
    # Alertmanager's set no longer lists am1; the local alert is not Alertmanager's to resolve.
    store.record_alerts(AM, [], T0 + 30)
    assert store.alert("loc1").resolved_at is None
    assert store.alert("am1").resolved_at == T0 + 30
    # A local alert pushed to Alertmanager comes back from it: it stays local, no flip-flop.
    assert store.record_alerts(AM, [_alert("loc1", "BounceRate")], T0 + 60) == []
    assert store.alert("loc1").source is LOCAL
    store.record_alerts(AM, [], T0 + 90)
    assert store.alert("loc1").resolved_at is None


def test_silence_inhibit_and_ack_changes_carry_words(store: Store) -> None:
    store.record_silences([_silence("s1" * 8), _silence("ack" * 4, "ACK by bob", "bob")], T0)
    store.record_alerts(AM, [_alert("a1")], T0)
    changes = store.record_alerts(AM, [_alert("a1", silenced_by=("s1" * 8,))], T0 + 30)
    assert [(c.old, c.new, c.detail) for c in changes] == [
        ("firing", "silenced", "silenced by s1s1s1s1 (alice: deploy)")
    ]
    changes = store.record_alerts(AM, [_alert("a1", silenced_by=("ack" * 4,))], T0 + 60)
    assert [(c.new, c.detail) for c in changes] == [("acked", "ack by bob (silence ackackac)")]
    changes = store.record_alerts(AM, [_alert("a1", inhibited_by=("f00d",))], T0 + 90)
    assert [(c.old, c.new, c.detail) for c in changes] == [
        ("acked", "inhibited", "inhibited by f00d")
    ]
    assert store.firing_counts()[Severity.CRITICAL] == 0
    changes = store.record_alerts(AM, [_alert("a1")], T0 + 120)
    assert [(c.old, c.new) for c in changes] == [("inhibited", "firing")]
    assert store.firing_counts() == {
        Severity.LOW: 0,
        Severity.MEDIUM: 0,
        Severity.HIGH: 0,
        Severity.CRITICAL: 1,
    }


def test_content_change_without_state_change_is_written_without_history(store: Store) -> None:
    store.record_alerts(AM, [_alert("a1")], T0)
    rev, _ = store.alerts_since(0, resolved_after=0)
    changed = _alert("a1", annotations={"summary": "now 99% full"})
    assert store.record_alerts(AM, [changed], T0 + 30) == []
    rev2, got = store.alerts_since(rev, resolved_after=0)
    assert rev2 == rev + 1
    assert [a.summary for a in got] == ["now 99% full"]
    assert len(store.alert_history("a1")) == 1


def test_ends_at_and_updated_at_alone_do_not_rewrite_rows(store: Store) -> None:
    store.record_alerts(AM, [_alert("a1", ends_at=T0 + 240, updated_at=T0)], T0)
    rev, _ = store.alerts_since(0, resolved_after=0)
    # Prometheus re-sends every minute and Alertmanager moves both fields: not a change.
    store.record_alerts(AM, [_alert("a1", ends_at=T0 + 300, updated_at=T0 + 60)], T0 + 60)
    assert store.alerts_since(rev, resolved_after=0) == (rev, [])


def test_alerts_since_returns_only_what_changed(store: Store) -> None:
    store.record_alerts(AM, [_alert(f"a{i}", f"A{i}") for i in range(50)], T0)
    rev, everything = store.alerts_since(0, resolved_after=0)
    assert rev == 1 and len(everything) == 50
    assert store.alerts_since(rev, resolved_after=0) == (rev, [])
    # An unchanged poll writes nothing: the revision stays.
    store.record_alerts(AM, [_alert(f"a{i}", f"A{i}") for i in range(50)], T0 + 30)
    assert store.alerts_since(rev, resolved_after=0) == (rev, [])
    polled = [_alert(f"a{i}", f"A{i}") for i in range(50) if i != 7]
    polled[3] = _alert("a3", "A3", silenced_by=("x",))
    store.record_alerts(AM, [*polled, _alert("new", "New")], T0 + 60)
    rev2, changed = store.alerts_since(rev, resolved_after=0)
    assert rev2 == rev + 1
    assert sorted(a.fingerprint for a in changed) == ["a3", "a7", "new"]
    assert {a.fingerprint: a.resolved_at for a in changed}["a7"] == T0 + 60


def test_rev_zero_keeps_recently_resolved_only(store: Store) -> None:
    store.record_alerts(AM, [_alert("old"), _alert("recent"), _alert("live")], T0)
    store.record_alerts(AM, [_alert("recent"), _alert("live")], T0 + 100)
    store.record_alerts(AM, [_alert("live")], T0 + 200)
    _, got = store.alerts_since(0, resolved_after=T0 + 150)
    assert sorted(a.fingerprint for a in got) == ["live", "recent"]


def test_stale_marks_active_alerts_and_a_good_poll_clears_it(store: Store) -> None:
    store.record_alerts(AM, [_alert("a1"), _alert("a2")], T0)
    store.record_alerts(AM, [_alert("a1")], T0 + 30)  # a2 resolved
    store.record_alerts(LOCAL, [_alert("loc")], T0 + 30)
    rev, _ = store.alerts_since(0, resolved_after=0)
    store.mark_alerts_stale(AM, True)
    rev2, got = store.alerts_since(rev, resolved_after=0)
    # Consoles are told: the active Alertmanager alert reads differently now.
    assert rev2 > rev and [(a.fingerprint, a.stale) for a in got] == [("a1", True)]
    assert store.alert("a2").stale is False  # resolved: history, not a stale copy
    assert store.alert("loc").stale is False
    assert store.alert("a1").last_seen == T0 + 30  # kept: the last successful poll
    store.mark_alerts_stale(AM, True)  # no change, no new revision
    assert store.alerts_since(rev2, resolved_after=0) == (rev2, [])
    store.record_alerts(AM, [_alert("a1")], T0 + 90)
    _, got = store.alerts_since(rev2, resolved_after=0)
    assert [(a.fingerprint, a.stale, a.last_seen) for a in got] == [("a1", False, T0 + 90)]


def test_silences_are_replaced_by_each_poll(store: Store) -> None:
    regex = Silence(
        "s2",
        (Matcher("service", MatchOp.RE, "smtp.*"), Matcher("env", MatchOp.NE, "dev")),
        T0,
        T0 + 60,
        "bob",
        "ACK by bob",
    )
    store.record_silences([_silence("s1"), regex], T0)
    assert {s.id for s in store.silences()} == {"s1", "s2"}
    back = {s.id: s for s in store.silences()}["s2"]
    assert back == regex and back.is_ack
    assert back.matches({"service": "smtp-out", "env": "prod"})
    store.record_silences([regex], T0 + 30)
    assert [s.id for s in store.silences()] == ["s2"]
    store.record_silences([], T0 + 60)
    assert store.silences() == []


def test_hostile_silence_text_is_sanitised(store: Store) -> None:
    hostile = _silence("s1", comment="\x1b]52;c;ZXZpbA==\x07fix\x1b[31m", by="ev\x07e")
    store.record_silences([hostile], T0)
    (got,) = store.silences()
    assert (got.comment, got.created_by) == ("fix", "eve")


def test_local_ack_expires_and_recorder_records_it(store: Store) -> None:
    store.record_alerts(LOCAL, [_alert("loc")], T0)
    store.add_local_ack(LocalAck("loc", "bob", T0 + 10, T0 + 310, "looking"))
    assert set(store.local_acks(T0 + 20)) == {"loc"}
    assert store.local_acks(T0 + 20)["loc"].user == "bob"
    changes = store.record_alerts(LOCAL, [_alert("loc")], T0 + 20)
    assert [(c.old, c.new, c.detail) for c in changes] == [
        ("firing", "acked", "ack by bob (looking)")
    ]
    assert store.firing_counts()[Severity.CRITICAL] == 0
    assert store.local_acks(T0 + 310) == {}
    changes = store.record_alerts(LOCAL, [_alert("loc")], T0 + 320)
    assert [(c.old, c.new) for c in changes] == [("acked", "firing")]
    assert store.firing_counts()[Severity.CRITICAL] == 1


def test_sources_keep_down_since_across_failures(store: Store) -> None:
    store.set_alert_sources(
        [SourceStatus("http://am1", True, T0, version="0.25.0", cluster="ready")]
    )
    store.set_alert_sources([SourceStatus("http://am1", False, T0 + 30, "connection refused")])
    store.set_alert_sources([SourceStatus("http://am1", False, T0 + 60, "connection refused")])
    (am1,) = store.alert_sources()
    assert (am1.ok, am1.down_since, am1.checked_at) == (False, T0 + 30, T0 + 60)
    assert am1.error == "connection refused"
    store.set_alert_sources([SourceStatus("local", True, T0 + 60)])
    assert {s.name for s in store.alert_sources()} == {"http://am1", "local"}
    # A recovery ends the outage; a URL dropped from the config disappears; "local" stays.
    store.set_alert_sources([SourceStatus("http://am2", True, T0 + 90)])
    assert {s.name for s in store.alert_sources()} == {"http://am2", "local"}
    store.set_alert_sources([SourceStatus("http://am2", False, T0 + 120, "timeout")])
    store.set_alert_sources([SourceStatus("http://am2", True, T0 + 150)])
    am2 = {s.name: s for s in store.alert_sources()}["http://am2"]
    assert (am2.ok, am2.down_since) == (True, None)


def test_maintenance_add_cancel_active(store: Store) -> None:
    window = MaintenanceWindow(
        T0,
        T0 + 3600,
        "db upgrade",
        "ana",
        matchers=(Matcher.equal("section", "Databases"),),
        services=("postgres",),
        silence_id="abc",
    )
    wid = store.add_maintenance(window)
    later = store.add_maintenance(MaintenanceWindow(T0 + 7200, T0 + 9000, "dns", "bo"))
    (got, pending) = store.maintenance_windows(T0 + 10)
    assert got.id == wid and pending.id == later
    assert (got.reason, got.author, got.services, got.silence_id) == (
        "db upgrade",
        "ana",
        ("postgres",),
        "abc",
    )
    assert got.matchers == window.matchers
    assert got.active(T0 + 10) and not pending.active(T0 + 10)
    store.cancel_maintenance(wid, T0 + 600)
    got = {w.id: w for w in store.maintenance_windows(T0 + 700)}[wid]
    assert got.cancelled_at == T0 + 600 and not got.active(T0 + 700)
    # Cancelled over a day ago: no longer listed by default, listed with a longer look back.
    assert wid not in {w.id for w in store.maintenance_windows(T0 + 600 + 86401)}
    assert wid in {
        w.id for w in store.maintenance_windows(T0 + 600 + 86401, include_ended_s=2 * 86400)
    }
    with pytest.raises(CacheError, match="no maintenance window 999"):
        store.cancel_maintenance(999, T0)


def test_alert_summary_counts_a_window(store: Store) -> None:
    store.record_alerts(AM, [_alert("before", "Early")], T0 - 7200)
    store.record_alerts(
        AM,
        [
            _alert("before", "Early"),
            _alert("c1", "DiskFull", service="db1"),
            _alert("w1", "Queue", "warning"),
        ],
        T0,
    )
    store.record_alerts(
        AM,
        [_alert("c1", "DiskFull", service="db1"), _alert("c2", "Down", service="mx")],
        T0 + 600,
    )
    store.record_alerts(AM, [_alert("c2", "Down", service="mx")], T0 + 1200)
    summary = store.alert_summary(T0 - 60, T0 + 3600)
    assert summary.fired == 3  # c1, w1, c2 (not "before": it started earlier)
    assert summary.fired_by_severity == {Severity.CRITICAL: 2, Severity.MEDIUM: 1}
    assert summary.resolved == 3  # before, w1 at +600; c1 at +1200
    assert summary.still_firing == 1
    assert summary.critical == (("Down", "mx", T0 + 600), ("DiskFull", "db1", T0))


def test_pruning_drops_old_history_only(store: Store) -> None:
    store.set_alert_history(3600)
    store.set_retention(RetentionConfig(hour_s=86400))
    store.record_alerts(AM, [_alert("old"), _alert("live")], T0)
    store.record_alerts(AM, [_alert("live")], T0 + 60)
    store.record_alerts(AM, [_alert("live"), _alert("recent")], T0 + 7000)
    store.record_alerts(AM, [_alert("live")], T0 + 7100)
    store.add_local_ack(LocalAck("live", "bob", T0, T0 + 60))
    store.add_local_ack(LocalAck("live", "bob", T0, T0 + 7200))
    old_window = store.add_maintenance(
        MaintenanceWindow(T0 - 2 * 86400, T0 - 1.5 * 86400, "x", "a")
    )
    kept_window = store.add_maintenance(MaintenanceWindow(T0 - 3600, T0, "y", "a"))
    store.maintain(T0 + 7200)
    assert store.alert("old") is None and store.alert_history("old") == []
    assert store.alert("live") is not None
    assert store.alert_history("live") == []  # its first change is past the history
    assert store.firing_counts()[Severity.CRITICAL] == 1
    # Resolved within the history: kept, with its changes.
    assert store.alert("recent") is not None and len(store.alert_history("recent")) == 2
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT until FROM local_acks").fetchall() == [(T0 + 7200,)]
    conn.close()
    ids = {w.id for w in store.maintenance_windows(T0, include_ended_s=10 * 86400)}
    assert ids == {kept_window} and old_window not in ids
    # The period is kept in the cache for whichever process maintains it.
    reopened = Store.open(store.path)
    try:
        assert reopened.alert_history_s == 3600
    finally:
        reopened.close()


def test_a_second_writer_process_continues_where_the_first_stopped(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    first = Store.open(path)
    first.record_alerts(AM, [_alert("a1"), _alert("a2")], T0)
    second = Store.open(path)
    try:
        # Its memory is loaded from the cache: no duplicate "first seen", a2 resolves.
        changes = second.record_alerts(AM, [_alert("a1")], T0 + 30)
        assert [(c.fingerprint, c.new) for c in changes] == [("a2", "resolved")]
        # And the first one notices the cache moved and reloads instead of trusting memory.
        changes = first.record_alerts(AM, [_alert("a1"), _alert("a2")], T0 + 60)
        assert [(c.fingerprint, c.old, c.new) for c in changes] == [("a2", "resolved", "firing")]
    finally:
        first.close()
        second.close()


def test_unreadable_rows_are_skipped_not_fatal(store: Store) -> None:
    store.record_alerts(AM, [_alert("good"), _alert("bad")], T0)
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE alerts SET labels = '{not json' WHERE fingerprint = 'bad'")
    conn.commit()
    conn.close()
    _, got = store.alerts_since(0, resolved_after=0)
    assert [a.fingerprint for a in got] == ["good"]


def test_version_2_cache_is_upgraded_to_3(tmp_path: Path) -> None:
    from penguin_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[1](conn)
    MIGRATIONS[2](conn)
    conn.execute("INSERT INTO signoffs (ts, user, host, status) VALUES (1, 'ana', 'b', 'OK')")
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with Store.open(path) as store:
        assert [s.user for s in store.signoffs()] == ["ana"]
        store.record_alerts(AM, [_alert("a1")], T0)
        assert store.alert("a1") is not None
        assert store.maintenance_windows(T0) == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"alerts", "alert_changes", "alert_sources", "silences", "local_acks"} <= tables
    assert "maintenance" in tables
    conn.close()
