"""Write/read round trips: states, failures, events, sign-offs, items, exports."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from penguin_tui.errors import CacheError
from penguin_tui.model import (
    Batch,
    ConditionResult,
    Event,
    EventKind,
    ItemInfo,
    ItemKind,
    Reading,
    Sample,
    SignOff,
    Status,
)
from penguin_tui.store import Store

T0 = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def _reading(ts: float, status: Status, value: float | None = 20.0, **kw) -> Reading:
    return Reading("check:api", ts, status, value, **kw)


def test_state_keeps_since_while_status_holds_and_moves_on_flip(store: Store) -> None:
    store.write(Batch(readings=[_reading(T0, Status.OK)]))
    store.write(Batch(readings=[_reading(T0 + 30, Status.OK, 25.0)]))
    state = store.states()["check:api"]
    assert (state.status, state.since, state.checked_at, state.value) == (
        Status.OK,
        T0,
        T0 + 30,
        25.0,
    )
    store.write(Batch(readings=[_reading(T0 + 60, Status.CRIT, None, reason="HTTP 503")]))
    store.write(Batch(readings=[_reading(T0 + 90, Status.CRIT, None, reason="HTTP 502")]))
    state = store.states()["check:api"]
    assert (state.status, state.since, state.checked_at) == (Status.CRIT, T0 + 60, T0 + 90)
    assert (state.value, state.reason) == (None, "HTTP 502")


def test_an_older_reading_arriving_late_does_not_win(store: Store) -> None:
    store.write(Batch(readings=[_reading(T0 + 60, Status.CRIT, reason="down")]))
    store.write(Batch(readings=[_reading(T0, Status.OK)]))
    state = store.states()["check:api"]
    assert (state.status, state.checked_at) == (Status.CRIT, T0 + 60)


def test_conditions_round_trip_and_reasons_are_sanitized(store: Store) -> None:
    conditions = (
        ConditionResult("[STATUS] == 200", False, "503"),
        ConditionResult("[BODY].status == ok", True, "ok"),
        ConditionResult("[RESPONSE_TIME] < 300", True, "12.5"),
    )
    store.write(
        Batch(
            readings=[
                _reading(
                    T0,
                    Status.CRIT,
                    reason="HTTP 503 \x1b[31mevil\x1b[0m\nsecond line",
                    probe_ok=False,
                    conditions=conditions,
                )
            ]
        )
    )
    state = store.states()["check:api"]
    assert state.conditions == conditions
    assert state.reason == "HTTP 503 evil second line"
    assert store.failures("check:api") == [(T0, "HTTP 503 evil second line")]


def test_failures_keep_every_failed_probe_newest_first(store: Store) -> None:
    for i in range(15):
        ok = i % 3 != 0
        store.write(
            Batch(
                readings=[
                    _reading(
                        T0 + 30 * i,
                        Status.OK if ok else Status.CRIT,
                        reason="" if ok else f"timeout after 5 s #{i}",
                        probe_ok=ok,
                    )
                ]
            )
        )
    store.write(Batch(readings=[_reading(T0 + 999, Status.CRIT, probe_ok=False)]))
    assert store.failures("check:api", limit=3) == [
        (T0 + 999, "probe failed"),
        (T0 + 360, "timeout after 5 s #12"),
        (T0 + 270, "timeout after 5 s #9"),
    ]
    assert len(store.failures("check:api", limit=100)) == 6
    assert store.failures("check:other") == []


def test_a_batch_is_all_or_nothing(store: Store) -> None:
    bad = Batch(
        samples=[Sample("metric:a", T0, 1.0)],
        readings=[Reading(None, T0, Status.CRIT, None, "x", probe_ok=False)],  # type: ignore[arg-type]
    )
    with pytest.raises(CacheError):
        store.write(bad)
    assert store.points("metric:a", T0 - 10, T0 + 10) == []
    # The series created inside the failed transaction is gone; writing again works.
    store.write(Batch(samples=[Sample("metric:a", T0, 2.0)]))
    assert store.points("metric:a", T0 - 10, T0 + 10) == [(T0, 2.0)]


def test_samples_round_trip_and_non_finite_values_are_skipped(store: Store) -> None:
    store.write(
        Batch(
            samples=[
                Sample("metric:a", T0, 1.25),
                Sample("metric:a", T0 + 15.4, math.nan),
                Sample("metric:a", T0 + 30.2, math.inf),
                Sample("metric:a", T0 + 45.4, 7.0),
                Sample("metric:b", T0, -3.0),
            ]
        )
    )
    # Timestamps are kept to the second.
    assert store.points("metric:a", T0, T0 + 60) == [(T0, 1.25), (T0 + 45, 7.0)]
    assert store.points("metric:b", T0, T0 + 60) == [(T0, -3.0)]
    # The same series and second again replaces the value.
    store.write(Batch(samples=[Sample("metric:a", T0 + 0.2, 9.5)]))
    assert store.points("metric:a", T0, T0) == [(T0, 9.5)]


def test_events_filter_by_time_key_and_limit_newest_first(store: Store) -> None:
    events = [
        Event(T0 + 10, "check:api", EventKind.STATE, Status.OK, Status.CRIT, None, "HTTP 503"),
        Event(T0 + 20, "metric:bounce", EventKind.BREACH, Status.OK, Status.WARN, 5.5, "> 5 %"),
        Event(T0 + 30, "check:api", EventKind.STATE, Status.CRIT, Status.OK),
        Event(T0 + 40, "daemon", EventKind.NOTE, None, None, None, "started"),
    ]
    store.write(Batch(events=events))
    assert store.events(T0) == events[::-1]
    assert store.events(T0 + 15, until=T0 + 35) == [events[2], events[1]]
    assert store.events(T0, keys=["check:api"]) == [events[2], events[0]]
    assert store.events(T0, keys=[]) == []
    assert store.events(T0, limit=2) == [events[3], events[2]]
    assert store.events(T0 + 41) == []


def test_signoffs_round_trip_newest_first(store: Store) -> None:
    first = SignOff(T0, "ana", "bastion-1", Status.OK, "all green")
    second = SignOff(
        T0 + 3600,
        "bo\x1b]52;c;ZXZpbA==\x07b",
        "bastion-2",
        Status.WARN,
        "bounce rate watched\nticket OPS-12",
        ("metric:bounce WARN 5.5 % > 5 %",),
    )
    assert store.last_signoff() is None
    id1 = store.add_signoff(first)
    id2 = store.add_signoff(second)
    assert id2 > id1
    got = store.signoffs()
    assert [s.id for s in got] == [id2, id1]
    assert got[0].user == "bob"  # the OSC 52 clipboard write is stripped
    assert got[0].note == "bounce rate watched\nticket OPS-12"
    assert got[0].not_ok == ("metric:bounce WARN 5.5 % > 5 %",)
    assert got[1].status == Status.OK and got[1].note == "all green"
    assert store.last_signoff().id == id2
    assert [s.id for s in store.signoffs(since=T0 + 1)] == [id2]
    assert [s.id for s in store.signoffs(limit=1)] == [id2]


def test_items_upsert_in_latest_sync_order(store: Store) -> None:
    api = ItemInfo("check:api", ItemKind.CHECK, "Services", "api", "ms", 30.0)
    pg = ItemInfo("check:pg", ItemKind.CHECK, "Databases", "postgres", "ms", 15.0)
    bounce = ItemInfo(
        "metric:bounce", ItemKind.METRIC, "Email deliverability", "bounce", "%", 60, 2, 5
    )
    store.sync_items([api, pg, bounce])
    assert store.items() == [api, pg, bounce]
    cpu = ItemInfo("host:cpu", ItemKind.HOST, "Host", "CPU", "%", 15, 70, 90)
    store.sync_items([cpu])
    moved = ItemInfo("check:api", ItemKind.CHECK, "API", "api", "ms", 10.0)
    store.sync_items([bounce, moved])
    assert store.items() == [pg, cpu, bounce, moved]


def test_newest_and_last_sample_times(store: Store) -> None:
    assert store.newest_ts() is None and store.last_sample_ts() == {}
    store.write(
        Batch(
            samples=[Sample("metric:a", T0, 1), Sample("metric:a", T0 + 15, 2)],
            readings=[Reading("check:api", T0 + 20, Status.OK, 1.0)],
        )
    )
    store.write(Batch(samples=[Sample("metric:b", T0 + 5, 1)]))
    assert store.last_sample_ts() == {"metric:a": T0 + 15, "metric:b": T0 + 5}
    assert store.newest_ts() == T0 + 20
    assert store.newest_ts("metric:a") == T0 + 15
    assert store.newest_ts("check:api") == T0 + 20
    assert store.newest_ts("metric:none") is None


def test_export_rows(store: Store) -> None:
    store.sync_items([ItemInfo("check:api", ItemKind.CHECK, "Services", "API gateway", "ms")])
    for i in range(4):
        ok = i != 2
        batch = Batch(
            samples=[Sample("check:api:up", T0 + 30 * i, 1.0 if ok else 0.0)],
            readings=[
                _reading(
                    T0 + 30 * i,
                    Status.OK,
                    reason="" if ok else "connection refused",
                    probe_ok=ok,
                )
            ],
        )
        if ok:
            batch.samples.append(Sample("check:api", T0 + 30 * i, 10.0 + i))
        store.write(batch)
    store.write(Batch(events=[Event(T0 + 60, "check:api", EventKind.STATE, Status.OK, None)]))

    checks = list(store.export_rows("checks", T0 + 30))
    assert checks == [
        {"ts": T0 + 30, "check": "API gateway", "ok": True, "response_ms": 11.0, "reason": ""},
        {
            "ts": T0 + 60,
            "check": "API gateway",
            "ok": False,
            "response_ms": None,
            "reason": "connection refused",
        },
        {"ts": T0 + 90, "check": "API gateway", "ok": True, "response_ms": 13.0, "reason": ""},
    ]
    samples = list(store.export_rows("samples", T0 + 60))
    assert samples == [
        {"ts": T0 + 90, "key": "check:api", "value": 13.0},
        {"ts": T0 + 60, "key": "check:api:up", "value": 0.0},
        {"ts": T0 + 90, "key": "check:api:up", "value": 1.0},
    ]
    assert list(store.export_rows("events", T0)) == [
        {
            "ts": T0 + 60,
            "key": "check:api",
            "kind": "state",
            "old": "OK",
            "new": None,
            "value": None,
            "reason": "",
        }
    ]
    with pytest.raises(ValueError, match="samples, checks, events"):
        store.export_rows("secrets", 0)


def test_export_streams_large_outputs(store: Store) -> None:
    store.write(
        Batch(samples=[Sample(f"metric:{k}", T0 + i, i) for k in "ab" for i in range(5000)])
    )
    rows = store.export_rows("samples", T0)
    first = next(rows)
    # Other work on the same store between chunks is fine.
    store.write(Batch(samples=[Sample("metric:c", T0, 1.0)]))
    rest = list(rows)
    assert first == {"ts": T0, "key": "metric:a", "value": 0.0}
    # (Whether a row written meanwhile shows up is SQLite's business; what was there is all there.)
    assert sum(1 for r in rest if r["key"] in ("metric:a", "metric:b")) == 9999


def test_retention_setting_is_recorded_for_other_processes(tmp_path: Path) -> None:
    from penguin_tui.config_model import RetentionConfig

    path = tmp_path / "c.db"
    with Store.open(path) as writer:
        writer.set_retention(RetentionConfig(3600.0, 86400.0, 30 * 86400.0))
    with Store.open(path) as other:
        assert other.retention == RetentionConfig(3600.0, 86400.0, 30 * 86400.0)
