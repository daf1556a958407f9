"""The demo scenario: deterministic, episodes at their scripted times, counters that only grow."""

from __future__ import annotations

import itertools
import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

from penguin_tui.demo import episodes as ep
from penguin_tui.demo import exposition
from penguin_tui.demo.episodes import Episode, Schedule
from penguin_tui.demo.scenario import DATABASES, SERVICES, Scenario, diurnal

# 2023-11-15 09:00:00 UTC: a morning, so the overnight episodes fall in the night before.
ORIGIN = 1_700_038_800.0
H = 3600.0
GAUGES = (
    "penguinmails_queue_depth",
    "penguinmails_support_tickets_open",
    "penguinmails_db_connect_seconds",
)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(ORIGIN, seed=7)


def test_same_seed_same_platform_other_seed_other_noise() -> None:
    a, b, c = Scenario(ORIGIN, 7), Scenario(ORIGIN, 7), Scenario(ORIGIN, 8)
    instants = [ORIGIN - 5 * H + 37 * k for k in range(200)]
    assert [a.stats(t) for t in instants] == [b.stats(t) for t in instants]
    assert [a.health("api", t) for t in instants] == [b.health("api", t) for t in instants]
    assert [a.gauges(t) for t in instants] != [c.gauges(t) for t in instants]


def test_noise_is_smooth_and_bounded(scenario: Scenario) -> None:
    values = [scenario.noise(3, ORIGIN + k * 0.5) for k in range(4000)]
    assert all(-1.0 <= v <= 1.0 for v in values)
    assert max(abs(b - a) for a, b in itertools.pairwise(values)) < 0.2
    assert max(values) - min(values) > 1.0  # it does move


def test_traffic_follows_the_day() -> None:
    day = ORIGIN - ORIGIN % 86400
    assert diurnal(day + 3 * H) == pytest.approx(0.4)
    assert diurnal(day + 15 * H) == pytest.approx(1.6)


@pytest.mark.parametrize("ramp", [0.0, 10.0, 60.0, 200.0])
def test_episode_area_is_the_integral_of_its_level(ramp: float) -> None:
    e = Episode("x", 100.0, 180.0, ramp)
    step = 0.01
    acc = 0.0
    for k in range(int(320 / step)):
        t = 50.0 + k * step
        acc += e.level(t + step / 2) * step  # midpoint rule
        if k % 2000 == 0:
            assert e.area(t + step) == pytest.approx(acc, abs=0.02)
    assert e.area(1e9) == pytest.approx(e.full_area)


def test_live_episodes_happen_at_their_scripted_times(scenario: Scenario) -> None:
    for cycle in (0, 1, 7):
        base = ORIGIN + cycle * ep.LIVE_CYCLE_S
        quiet = base + 15
        assert scenario.active(quiet) == []
        assert all(scenario.health(s, quiet).status == "ok" for s in SERVICES)
        assert all(scenario.tcp_up(d, quiet) for d in DATABASES)

        # 0:30 + 75 s: the smtp-relay latency spike at full strength.
        smtp = scenario.health("smtp-relay", base + 105)
        assert smtp.latency_ms > 1000 and smtp.status == "degraded" and smtp.code == 200
        assert [e.title for e in scenario.active(base + 105)] == ["latency spike on smtp-relay"]

        # 3:20 + 90 s: bounces and complaints climb; delivery drops.
        stats = scenario.stats(base + 290)
        assert stats["email"]["bounce_rate"] > 0.03
        assert stats["email"]["delivery_rate"] < 0.97

        # 6:40: webhook-dispatcher down for 22 s of every 40, up in between.
        flap_start = base + 400
        assert scenario.health("webhook-dispatcher", flap_start + 5).code == 503
        assert scenario.health("webhook-dispatcher", flap_start + 30).code == 200
        assert scenario.health("webhook-dispatcher", flap_start + 45).status == "down"
        assert scenario.health("webhook-dispatcher", flap_start + 130).status == "ok"

        # 8:40 + 85 s: the queue backlog at its height; API latency and errors follow.
        g = scenario.gauges(base + 605)
        assert g.queue_depth > 20000 and g.api_p95_ms > 300
        assert scenario.stats(base + 640)["api"]["error_rate"] > 0.01

        # 11:22: redis restarts (its listener is closed) for 30 s.
        assert not scenario.tcp_up("redis", base + 690)
        assert scenario.tcp_up("redis", base + 715)
        assert scenario.tcp_up("postgres", base + 690)


def test_before_the_demo_starts_the_night_has_its_own_episodes(scenario: Scenario) -> None:
    titles = {e.title for e in scenario.schedule.one_off}
    assert titles == {
        "smtp-relay outage", "queue backlog", "bounce-rate climb", "postgres failover",
    }  # fmt: skip
    assert all(e.start > ORIGIN - 12 * H and e.end < ORIGIN for e in scenario.schedule.one_off)
    assert scenario.health("smtp-relay", ORIGIN - 8.2 * H).code == 503
    assert not scenario.tcp_up("postgres", ORIGIN - 2.1 * H + 60)
    assert scenario.health("api", ORIGIN - 2.1 * H + 60).status == "degraded"
    assert scenario.stats(ORIGIN - 2.1 * H + 60)["db"]["connect_ms"] >= 3000
    # The live loop does not run before the origin: the hour before it is quiet.
    for k in range(0, 3600, 30):
        assert scenario.active(ORIGIN - 3600 + k) == []


def test_counters_only_grow_through_every_episode(scenario: Scenario) -> None:
    previous = None
    for k in range(0, int(13 * H), 13):
        series = exposition.series(scenario, ORIGIN - 12 * H + k)
        counters = {key: v for key, v in series.items() if not key.startswith(GAUGES)}
        if previous is not None:
            dropped = {key for key, v in counters.items() if v < previous[key]}
            assert not dropped, f"counters went backwards at +{k}s: {dropped}"
        previous = counters


def test_counters_agree_with_the_rates_they_stand_for(scenario: Scenario) -> None:
    t = ORIGIN + 3 * H
    a, b = scenario.counters(t - 600), scenario.counters(t)
    sent = b.sent - a.sent
    assert sent == pytest.approx(25.0 * 600 * diurnal(t - 300), rel=0.02)
    parts = (b.delivered - a.delivered) + (b.bounced_hard - a.bounced_hard)
    parts += (b.bounced_soft - a.bounced_soft) + (b.deferred - a.deferred)
    assert parts == pytest.approx(sent, abs=4)  # every mail ends up somewhere (floors aside)
    assert b.buckets[-1] == b.requests_total  # the +Inf bucket counts every request
    assert list(b.buckets) == sorted(b.buckets)


def test_stats_has_every_field_the_demo_config_reads(scenario: Scenario) -> None:
    stats = scenario.stats(ORIGIN + 1000)
    for path in (
        "api.latency_p95_ms", "api.error_rate", "db.connect_ms", "email.delivery_rate",
        "email.bounce_rate", "email.complaint_rate", "queue.depth", "logins.per_hour",
        "support.open_tickets",
    ):  # fmt: skip
        section, name = path.split(".")
        value = stats[section][name]
        assert isinstance(value, float) and math.isfinite(value) and value >= 0, path


def test_metrics_text_parses_and_carries_every_family(scenario: Scenario) -> None:
    text = exposition.render(scenario, ORIGIN + 605)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {
        "penguinmails_emails_sent", "penguinmails_emails_delivered", "penguinmails_emails_bounced",
        "penguinmails_complaints", "penguinmails_emails_deferred", "penguinmails_queue_depth",
        "penguinmails_api_request_duration_seconds", "penguinmails_api_requests",
        "penguinmails_api_errors", "penguinmails_logins", "penguinmails_support_tickets_open",
    } <= set(families)  # fmt: skip
    assert families["penguinmails_emails_sent"].type == "counter"
    assert families["penguinmails_api_request_duration_seconds"].type == "histogram"
    bounced = {s.labels["type"] for s in families["penguinmails_emails_bounced"].samples}
    assert bounced == {"hard", "soft"}
    queue = families["penguinmails_queue_depth"].samples[0]
    assert queue.labels == {"queue": "outbound"}
    assert queue.value == scenario.gauges(ORIGIN + 605).queue_depth > 20000
    codes = {s.labels["code"] for s in families["penguinmails_api_requests"].samples}
    assert {"200", "500", "503"} <= codes
    # Every sample of the text is in series() and vice versa, with the same value.
    parsed = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in families.values()
        for s in f.samples
    }
    assert len(parsed) == len(exposition.series(scenario, ORIGIN + 605))


def test_sample_matches_the_full_series(scenario: Scenario) -> None:
    t = ORIGIN + 4321.5
    full = exposition.series(scenario, t)
    for key in ('penguinmails_queue_depth{queue="outbound"}', "penguinmails_logins_total"):
        assert exposition.sample(scenario, key, t) == full[key]
    assert exposition.sample(scenario, "no_such_series", t) is None


def test_a_cyclic_episode_must_fit_its_cycle() -> None:
    with pytest.raises(ValueError, match="past the end"):
        Schedule(0.0, (), (Episode("x", 600, 200),), 720.0)
