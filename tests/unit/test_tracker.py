"""Status flips: thresholds on consecutive probes, metric levels, events, seeding from the store."""

from __future__ import annotations

from penguin_tui.model import EventKind, ItemInfo, ItemKind, ItemState, Status
from penguin_tui.tracker import Tracker, level

KEY = "check:api"
LATENCY = ItemInfo("metric:p95", ItemKind.METRIC, "API", "p95", "ms", 30, 300, 800, "above")
DELIVERY = ItemInfo("metric:delivery", ItemKind.METRIC, "Email", "d", "%", 30, 98, 95, "below")


def probe(t: Tracker, ts: float, ok: bool, reason: str = "", **kw):
    return t.check(KEY, ts, ok=ok, value=12.0 if ok else None, reason=reason, **kw)


def test_one_lost_probe_is_not_an_outage():
    t = Tracker()
    reading, event = probe(t, 1, True)
    assert reading.status is Status.OK and event is None  # first status OK is not news
    reading, event = probe(t, 2, False, "timeout after 5 s")
    assert reading.status is Status.OK and not reading.probe_ok and event is None
    assert reading.reason == "timeout after 5 s (1 of 2 failures before CRIT)"
    reading, event = probe(t, 3, True)
    assert reading.status is Status.OK and event is None
    # A second isolated failure starts counting from one again.
    reading, event = probe(t, 4, False, "timeout after 5 s")
    assert reading.status is Status.OK and event is None


def test_flip_to_crit_after_threshold_and_back():
    t = Tracker()
    probe(t, 1, True)
    probe(t, 2, False, "connection refused")
    reading, event = probe(t, 3, False, "connection refused")
    assert reading.status is Status.CRIT and reading.reason == "connection refused"
    assert event is not None
    assert (event.kind, event.old, event.new, event.ts) == (EventKind.STATE, Status.OK,
                                                            Status.CRIT, 3)  # fmt: skip
    assert event.reason == "connection refused"
    assert t.since(KEY) == 3
    reading, event = probe(t, 4, False, "connection refused")
    assert event is None  # still down: no new event
    reading, event = probe(t, 5, True)
    assert reading.status is Status.OK and event is not None
    assert (event.old, event.new) == (Status.CRIT, Status.OK)


def test_success_threshold_delays_recovery():
    t = Tracker()
    for ts in (1, 2):
        probe(t, ts, False, "HTTP 503", success_threshold=3)
    assert t.status(KEY) is Status.CRIT
    reading, event = probe(t, 3, True, success_threshold=3)
    assert reading.status is Status.CRIT and event is None
    assert reading.reason == "recovering (1 of 3 good probes)"
    probe(t, 4, True, success_threshold=3)
    reading, event = probe(t, 5, True, success_threshold=3)
    assert reading.status is Status.OK and event is not None


def test_unknown_until_first_judgement_and_down_from_start_is_an_event():
    t = Tracker()
    assert t.status(KEY) is Status.UNKNOWN
    reading, event = probe(t, 1, False, "connection refused")
    assert reading.status is Status.UNKNOWN and event is None
    reading, event = probe(t, 2, False, "connection refused")
    assert reading.status is Status.CRIT
    assert event is not None and event.old is None and event.new is Status.CRIT


def test_threshold_one_flips_at_once():
    t = Tracker()
    reading, event = probe(t, 1, False, "HTTP 500", failure_threshold=1)
    assert reading.status is Status.CRIT and event is not None


def test_seeded_state_invents_no_events():
    seed = {KEY: ItemState(KEY, Status.CRIT, since=100, checked_at=150, value=None, reason="x")}
    t = Tracker(seed)
    assert t.status(KEY) is Status.CRIT and t.since(KEY) == 100
    reading, event = probe(t, 200, False, "still refused")
    assert reading.status is Status.CRIT and event is None
    reading, event = probe(t, 230, True)
    assert event is not None and (event.old, event.new) == (Status.CRIT, Status.OK)

    t = Tracker({KEY: ItemState(KEY, Status.OK, 100, 150, 12.0, "")})
    reading, event = probe(t, 200, True)
    assert event is None  # restart of a recorder: OK stays OK silently


def test_metric_levels_both_directions():
    assert level(10, 300, 800, "above") is Status.OK
    assert level(300, 300, 800, "above") is Status.WARN  # reaching the threshold counts
    assert level(900, 300, 800, "above") is Status.CRIT
    assert level(99, 98, 95, "below") is Status.OK
    assert level(97, 98, 95, "below") is Status.WARN
    assert level(95, 98, 95, "below") is Status.CRIT
    assert level(1e9, None, None, "above") is Status.OK


def test_metric_breach_events_and_reasons():
    t = Tracker()
    reading, event = t.metric(LATENCY, 1, 120)
    assert reading.status is Status.OK and event is None and reading.reason == ""
    reading, event = t.metric(LATENCY, 2, 450)
    assert reading.status is Status.WARN and reading.reason == "450 ms >= warn 300 ms"
    assert event is not None and event.kind is EventKind.BREACH and event.value == 450
    reading, event = t.metric(LATENCY, 3, 812.5)
    assert reading.reason == "812 ms >= crit 800 ms" and event.new is Status.CRIT
    reading, event = t.metric(DELIVERY, 3, 93.2)
    assert reading.status is Status.CRIT and reading.reason == "93.2% <= crit 95%"
    assert event is not None and event.old is None  # bad from the start is news


def test_failed_metric_fetch_turns_unknown_after_threshold():
    t = Tracker()
    t.metric(LATENCY, 1, 120)
    reading, event = t.metric(LATENCY, 2, None, "query returned no data")
    assert reading.status is Status.OK and event is None and not reading.probe_ok
    assert reading.reason == "query returned no data (1 of 2 failures)"
    reading, event = t.metric(LATENCY, 3, None, "query returned no data")
    assert reading.status is Status.UNKNOWN and reading.reason == "query returned no data"
    assert event is not None and (event.old, event.new) == (Status.OK, Status.UNKNOWN)
    reading, event = t.metric(LATENCY, 4, 100)
    assert reading.status is Status.OK and event is not None


def test_stale_seed_counts_as_unknown():
    seed = {LATENCY.key: ItemState(LATENCY.key, Status.STALE, 1, 1, None, "")}
    t = Tracker(seed)
    _, event = t.metric(LATENCY, 5, 100)
    assert event is not None and (event.old, event.new) == (Status.UNKNOWN, Status.OK)
