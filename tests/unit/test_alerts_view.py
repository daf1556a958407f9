"""The alerts screen's read model: incremental loads from a real cache, and the view built
from them (order, toggles, filter, grouping, new marks, overlays), plus the bell's choice."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from penguin_tui.alerts.bell import CriticalBell, bell_message
from penguin_tui.alerts.matchers import Matcher, parse_filter
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    AlertState,
    LocalAck,
    Severity,
    Silence,
    SourceStatus,
)
from penguin_tui.alerts.view import (
    AlertRow,
    AlertsData,
    AlertsLoader,
    GroupRow,
    Overlay,
    ViewBuilder,
    ViewOptions,
    coarse_age,
    label_names,
)
from penguin_tui.config_model import AlertsConfig, Config
from penguin_tui.store import Store

T0 = 1_795_248_000.0
AM = AlertSource.ALERTMANAGER


def _alert(fp: str, name: str, severity: str, started: float, **kw: object) -> Alert:
    labels = {"alertname": name, "severity": severity, "service": kw.pop("service", "smtp")}
    labels.update(kw.pop("labels", {}))  # type: ignore[arg-type]
    summary = kw.pop("summary", f"{name} summary")
    return Alert(fp, labels, {"summary": summary}, starts_at=started, **kw)  # type: ignore[arg-type]


def _data(alerts: list[Alert], now: float = T0, **kw: object) -> AlertsData:
    by_fp = {a.fingerprint: a for a in alerts}
    fields: dict[str, object] = {
        "silences": {},
        "acks": {},
        "sources": (),
        "counts": {},
        "rev": 1,
        "changed": frozenset(by_fp),
        "now": now,
    }
    fields.update(kw)
    return AlertsData(alerts=by_fp, **fields)  # type: ignore[arg-type]


def _keys(rows: tuple[object, ...]) -> list[str]:
    return [row.key for row in rows]  # type: ignore[attr-defined]


# --- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "—"),
        (5, "now"),
        (59, "now"),
        (60, "1m"),
        (3599, "59m"),
        (7200, "2h"),
        (86400 * 3, "3d"),
    ],
)
def test_coarse_age(seconds: float | None, text: str) -> None:
    assert coarse_age(seconds) == text


def test_the_builders_memoised_age_is_coarse_age() -> None:
    from penguin_tui.alerts.view import _age

    edges = [-5.0, 0.0, 0.4, 59.99, 60.0, 61.5, 3599.99, 3600.0, 86399.9, 86400.0, 9e6]
    steps = [i * 7.3 for i in range(40_000)]  # 0 to ~3.4 days, every bucket crossed
    for seconds in [*edges, *steps, *edges]:  # the edges again: answered from the memo
        assert _age(seconds) == coarse_age(max(0.0, seconds)), seconds
    assert _age(None) == coarse_age(None)


# --- the loader, over a real cache -------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def test_loader_reads_everything_once_then_only_what_changed(store: Store) -> None:
    a1 = _alert("a1", "DiskFull", "critical", T0 - 600)
    a2 = _alert("a2", "QueueBacklog", "warning", T0 - 300)
    store.record_alerts(AM, [a1, a2], T0)
    store.set_alert_sources([SourceStatus("http://am1", True, T0)])
    loader = AlertsLoader(Config())
    first = loader.load(store, T0)
    assert first.first and set(first.alerts) == {"a1", "a2"} and first.changed == {"a1", "a2"}
    assert first.counts[Severity.CRITICAL] == 1 and first.counts[Severity.MEDIUM] == 1
    assert [s.name for s in first.sources] == ["http://am1"]

    # Nothing changed: nothing is reported as changed, the same alert objects stay.
    second = loader.load(store, T0 + 2)
    assert second.changed == frozenset() and not second.first
    assert second.alerts["a1"] is first.alerts["a1"]
    assert second.silences is first.silences and second.acks is first.acks

    # a2 resolves: only it comes back, with its resolved time; a1 is untouched.
    store.record_alerts(AM, [a1], T0 + 30)
    third = loader.load(store, T0 + 31)
    assert third.changed == {"a2"}
    assert third.alerts["a2"].resolved_at == T0 + 30
    assert third.alerts["a1"] is first.alerts["a1"]
    assert third.rev > second.rev


def test_loader_drops_resolved_alerts_after_resolved_keep(store: Store) -> None:
    config = Config(alerts=AlertsConfig(resolved_keep_s=600))
    a1 = _alert("a1", "DiskFull", "critical", T0 - 600)
    store.record_alerts(AM, [a1], T0)
    loader = AlertsLoader(config)
    loader.load(store, T0)
    store.record_alerts(AM, [], T0 + 10)
    assert "a1" in loader.load(store, T0 + 20).alerts  # resolved, still listed
    assert "a1" not in loader.load(store, T0 + 10 + 601).alerts
    # A fresh loader (a console started later) does not read it back either.
    assert "a1" not in AlertsLoader(config).load(store, T0 + 10 + 601).alerts


def test_loader_silences_and_acks_change_identity_only_when_they_change(store: Store) -> None:
    a1 = _alert("a1", "DiskFull", "critical", T0 - 600, source=AlertSource.LOCAL)
    store.record_alerts(AlertSource.LOCAL, [a1], T0)
    loader = AlertsLoader(Config())
    first = loader.load(store, T0)
    silence = Silence("s1", (Matcher.equal("service", "smtp"),), T0, T0 + 3600, "alice", "x")
    store.record_silences([silence], T0 + 1)
    store.add_local_ack(LocalAck("a1", "bob", T0 + 1, T0 + 900))
    second = loader.load(store, T0 + 2)
    assert second.silences is not first.silences and set(second.silences) == {"s1"}
    assert set(second.acks) == {"a1"}
    third = loader.load(store, T0 + 3)
    assert third.silences is second.silences and third.acks is second.acks
    # The local ack turns the alert's state to acked in the view.
    view = ViewBuilder().build(third, ViewOptions())
    row = view.alert_rows["a1"]
    assert row.state is AlertState.ACKED


# --- the view ----------------------------------------------------------------------------------


def test_rows_worst_severity_first_then_newest() -> None:
    alerts = [
        _alert("low-new", "Cert", "info", T0 - 10),
        _alert("crit-old", "Down", "critical", T0 - 9000),
        _alert("crit-new", "Bounce", "critical", T0 - 60),
        _alert("high", "Disk", "high", T0 - 30),
        _alert("med", "Queue", "warning", T0 - 20),
    ]
    view = ViewBuilder().build(_data(alerts), ViewOptions())
    assert _keys(view.rows) == ["crit-new", "crit-old", "high", "med", "low-new"]
    assert [r.age for r in view.rows] == ["1m", "2h", "now", "now", "now"]  # type: ignore[union-attr]


def test_toggles_hide_silenced_inhibited_acked_resolved_but_never_firing() -> None:
    silences = {
        "s1": Silence("s1", (), T0, T0 + 60, "alice", "deploy"),
        "ack": Silence("ack", (), T0, T0 + 60, "bob", "ACK by bob"),
    }
    alerts = [
        _alert("firing", "A", "critical", T0),
        _alert("silenced", "B", "critical", T0, silenced_by=("s1",)),
        _alert("acked", "C", "critical", T0, silenced_by=("ack",)),
        _alert("inhibited", "D", "critical", T0, inhibited_by=("firing",)),
        _alert("resolved", "E", "critical", T0, resolved_at=T0),
    ]
    data = _data(alerts, silences=silences)
    builder = ViewBuilder()
    default = builder.build(data, ViewOptions())
    assert set(default.keys) == {"firing", "silenced", "acked", "inhibited"}  # resolved hidden
    assert default.hidden == {"resolved": 1}
    states = {k: r.state for k, r in default.alert_rows.items()}
    assert states == {
        "firing": AlertState.FIRING,
        "silenced": AlertState.SILENCED,
        "acked": AlertState.ACKED,
        "inhibited": AlertState.INHIBITED,
    }
    quiet = builder.build(
        data, ViewOptions(show_silenced=False, show_inhibited=False, show_resolved=False)
    )
    assert quiet.keys == ("firing",)
    assert quiet.hidden == {"silenced": 1, "acked": 1, "inhibited": 1, "resolved": 1}
    everything = builder.build(data, ViewOptions(show_resolved=True))
    assert len(everything.keys) == 5 and everything.hidden == {}


def test_filter_matchers_and_free_words() -> None:
    alerts = [
        _alert("a", "HighBounceRate", "critical", T0, service="smtp-relay", summary="12% bounced"),
        _alert("b", "QueueBacklog", "warning", T0, service="queue", summary="queue full"),
        _alert("c", "Watchdog", "info", T0, service="smtp-out", summary="always firing"),
    ]
    builder = ViewBuilder()
    data = _data(alerts)

    def shown(text: str) -> set[str]:
        return set(builder.build(data, ViewOptions(filter=parse_filter(text))).keys)

    assert shown('severity="critical"') == {"a"}
    assert shown('service=~"smtp.*"') == {"a", "c"}
    assert shown('{service=~"smtp.*", alertname!="Watchdog"}') == {"a"}
    assert shown("bounced") == {"a"}  # the summary
    assert shown("firing") == {"a", "b", "c"}  # the state word (and c's summary)
    assert shown("medium") == {"b"}  # the severity word (warning maps to Medium)
    assert shown('service=~"smtp.*" always') == {"c"}
    view = builder.build(data, ViewOptions(filter=parse_filter('severity="critical"')))
    assert view.hidden == {"filter": 2} and view.hidden_firing == 2


def test_grouping_orders_groups_by_their_worst_alert_and_folds() -> None:
    alerts = [
        _alert("q1", "Queue", "warning", T0 - 10),
        _alert("q2", "Queue", "critical", T0 - 5000, silenced_by=("x",)),
        _alert("b1", "Bounce", "critical", T0 - 60),
        _alert("b2", "Bounce", "critical", T0 - 120),
        _alert("d1", "Disk", "high", T0 - 1),
    ]
    builder = ViewBuilder()
    data = _data(alerts)
    view = builder.build(data, ViewOptions(group_by="alertname"))
    assert _keys(view.rows) == ["group:Bounce", "b1", "b2", "group:Queue", "q2", "q1", "d1"]
    bounce, queue = view.rows[0], view.rows[3]
    assert isinstance(bounce, GroupRow) and isinstance(queue, GroupRow)
    assert (bounce.firing, bounce.total, bounce.worst) == (2, 2, Severity.CRITICAL)
    assert (queue.firing, queue.total, queue.worst) == (1, 2, Severity.CRITICAL)
    # d1 is alone in its group: no header over a single row.
    folded = builder.build(data, ViewOptions(group_by="alertname", collapsed=frozenset({"Bounce"})))
    assert _keys(folded.rows) == ["group:Bounce", "group:Queue", "q2", "q1", "d1"]
    assert folded.rows[0].collapsed  # type: ignore[union-attr]
    by_missing = builder.build(data, ViewOptions(group_by="team"))
    assert by_missing.rows[0].key == "group:" and by_missing.rows[0].value == ""  # type: ignore[union-attr]


def test_new_marks_follow_the_last_look() -> None:
    alerts = [
        _alert("old", "A", "critical", T0 - 900, first_seen=T0 - 900),
        _alert("new", "B", "critical", T0 - 60, first_seen=T0 - 60),
        _alert("gone", "C", "critical", T0 - 60, first_seen=T0 - 60, resolved_at=T0),
    ]
    builder = ViewBuilder()
    data = _data(alerts)
    view = builder.build(data, ViewOptions(last_look=T0 - 300, show_resolved=True))
    marks = {k: r.is_new for k, r in view.alert_rows.items()}
    assert marks == {"old": False, "new": True, "gone": False}  # resolved: nothing to look at
    assert view.new_count == 1
    assert builder.build(data, ViewOptions(last_look=T0)).new_count == 0


def test_unchanged_rows_are_the_same_objects_between_builds() -> None:
    alerts = [_alert(f"a{i}", f"A{i % 3}", "critical", T0 - i) for i in range(50)]
    builder = ViewBuilder()
    first = builder.build(_data(alerts), ViewOptions())
    changed = dataclasses.replace(alerts[7], annotations={"summary": "new words"})
    second = builder.build(
        _data([*alerts[:7], changed, *alerts[8:]], changed=frozenset({"a7"})), ViewOptions()
    )
    before, after = first.alert_rows, second.alert_rows
    different = {k for k in after if after[k] is not before[k]}
    assert different == {"a7"}


def test_overlay_shows_until_the_cache_state_changes_or_it_expires() -> None:
    clock = [100.0]
    builder = ViewBuilder(monotonic=lambda: clock[0])
    alert = _alert("a1", "Bounce", "critical", T0)
    overlay = Overlay(AlertState.ACKED, "ack by bob", AlertState.FIRING, expires=130.0)
    options = ViewOptions(overlays={"a1": overlay})
    view = builder.build(_data([alert]), options)
    row = view.alert_rows["a1"]
    assert (row.state, row.overlay) == (AlertState.ACKED, "ack by bob")
    assert view.expired_overlays == frozenset()
    # The poll saw the silence: the cache's own state shows, the overlay is dropped.
    silenced = dataclasses.replace(alert, silenced_by=("s1",))
    silences = {"s1": Silence("s1", (), T0, T0 + 900, "bob", "ACK by bob")}
    view = builder.build(_data([silenced], silences=silences), options)
    assert view.alert_rows["a1"].state is AlertState.ACKED
    assert view.alert_rows["a1"].overlay == "" and view.expired_overlays == {"a1"}
    # Never confirmed: gone after its time.
    clock[0] = 131.0
    view = builder.build(_data([alert]), options)
    assert view.alert_rows["a1"].state is AlertState.FIRING and view.expired_overlays == {"a1"}


def test_label_names_most_common_first() -> None:
    alerts = [
        _alert("a", "A", "critical", T0, labels={"team": "mail"}),
        _alert("b", "B", "critical", T0, labels={"team": "db", "zone": "eu"}),
    ]
    names = label_names(alerts)
    assert names[:4] == ["alertname", "service", "severity", "team"] and names[-1] == "zone"


# --- the bell ----------------------------------------------------------------------------------


def test_bell_rings_once_for_a_new_firing_critical() -> None:
    start = T0
    bell = CriticalBell(start)
    old = _alert("old", "Old", "critical", T0 - 900, first_seen=T0 - 900)
    new = _alert("new", "DkimFailed", "critical", T0 + 5, first_seen=T0 + 5, service="smtp")
    high = _alert("high", "Disk", "high", T0 + 5, first_seen=T0 + 5)
    muted = _alert("muted", "Muted", "critical", T0 + 5, first_seen=T0 + 5, silenced_by=("s",))
    data = _data([old, new, high, muted])
    assert [a.fingerprint for a in bell.new_criticals(data)] == ["new"]
    assert bell.new_criticals(data) == []  # once
    # Acked locally before it was ever rung for: no bell.
    local = _alert("loc", "Local", "critical", T0 + 9, first_seen=T0 + 9)
    acked = _data([local], acks={"loc": LocalAck("loc", "carol", T0 + 9, T0 + 900)})
    assert bell.new_criticals(acked) == []
    assert bell_message([new]) == "DkimFailed (smtp)"
    many = [_alert(f"x{i}", f"X{i}", "critical", T0, first_seen=T0) for i in range(5)]
    assert bell_message(many) == "X0 (smtp), X1 (smtp), X2 (smtp) and 2 more"


def test_bell_is_quiet_for_the_night_a_first_poll_finds_and_rings_for_a_new_start() -> None:
    start = T0
    bell = CriticalBell(start)
    # A console recording for itself after a night without a recorder: its first poll sees
    # the night's critical for the first time. It burned long before the shift: no bell.
    night = _alert("night", "DbDown", "critical", T0 - 5 * 3600, first_seen=T0 + 3)
    # One that began moments before the console started, seen just after: rings.
    recent = _alert("recent", "ApiDown", "critical", T0 - 60, first_seen=T0 + 3)
    assert [a.fingerprint for a in bell.new_criticals(_data([night, recent]))] == ["recent"]
    # Known before the console started and started again while it runs (resolved, then
    # firing again with a new start): news again, and it rings again.
    flap = _alert("flap", "Flap", "critical", T0 - 600, first_seen=T0 - 600)
    assert bell.new_criticals(_data([flap])) == []
    again = dataclasses.replace(flap, starts_at=T0 + 120)
    assert [a.fingerprint for a in bell.new_criticals(_data([again]))] == ["flap"]
    assert bell.new_criticals(_data([again])) == []
    again_later = dataclasses.replace(flap, starts_at=T0 + 900)
    assert [a.fingerprint for a in bell.new_criticals(_data([again_later]))] == ["flap"]


def test_alert_row_key_is_the_fingerprint() -> None:
    row = AlertRow(_alert("fp1", "A", "critical", T0), AlertState.FIRING)
    assert row.key == "fp1" and not row.stale
