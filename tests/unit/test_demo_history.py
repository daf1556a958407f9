"""Generated history: on each item's grid, judged like the live poller, in bounded batches."""

from __future__ import annotations

from penguin_tui.config_model import CheckConfig, Config, MetricConfig
from penguin_tui.demo import episodes as ep
from penguin_tui.demo.config import demo_config
from penguin_tui.demo.episodes import Episode
from penguin_tui.demo.history import generate_history
from penguin_tui.demo.scenario import LOGINS_PER_S, SERVICES, Scenario, diurnal
from penguin_tui.model import EventKind, Status

T0 = 1_700_038_800.0  # a multiple of every interval used here
H = 3600.0


class FakePlatform:
    urls = {s: f"http://127.0.0.1:{41000 + i}" for i, s in enumerate(SERVICES)}
    urls |= {"postgres": "tcp://127.0.0.1:41100", "redis": "tcp://127.0.0.1:41101"}


def _redis_only(interval: float = 10.0) -> Config:
    check = CheckConfig(
        name="redis",
        url="tcp://127.0.0.1:1",
        section="Databases",
        conditions=("[CONNECTED] == true",),
        interval_s=interval,
    )
    return Config(checks=(check,))


def _quiet_but(*episodes: Episode) -> Scenario:
    return Scenario(T0 + 10 * H, one_off=episodes, cycle=())


def test_one_lost_probe_is_not_an_outage_two_are() -> None:
    blip = _quiet_but(Episode(ep.REDIS_DOWN, T0 + 100, 5))  # one probe (at +100) fails
    outage = _quiet_but(Episode(ep.REDIS_DOWN, T0 + 300, 25))  # +300, +310, +320 fail
    for scenario, flips in ((blip, []), (outage, [(T0 + 310, Status.CRIT), (T0 + 330, Status.OK)])):
        batches = list(generate_history(_redis_only(), scenario, T0, T0 + 600))
        events = [e for b in batches for e in b.events]
        assert [(e.ts, e.new) for e in events] == flips
        assert all(e.kind is EventKind.STATE for e in events)
        readings = [r for b in batches for r in b.readings]
        failed = [r for r in readings if not r.probe_ok]
        assert all(r.reason.startswith("connection refused") for r in failed)
        ups = [s for b in batches for s in b.samples if s.key == "check:redis:up"]
        assert [s.ts for s in ups if s.value == 0.0] == [r.ts for r in failed]


def test_readings_sit_on_the_interval_grid_inside_the_window() -> None:
    config = _redis_only(interval=15.0)
    readings = [
        r for b in generate_history(config, _quiet_but(), T0 + 7, T0 + 607) for r in b.readings
    ]
    assert [r.ts for r in readings] == [T0 + 15 * k for k in range(1, 41)]
    assert all(r.status is Status.OK and r.value is not None for r in readings)


def test_batches_stay_near_the_requested_size() -> None:
    batches = list(
        generate_history(demo_config(FakePlatform()), Scenario(T0), T0 - H, T0, batch_samples=500)
    )
    assert len(batches) > 10
    assert all(len(b.samples) <= 500 for b in batches)
    assert sum(len(b.samples) for b in batches) > 5000


def test_metric_breaches_follow_the_thresholds() -> None:
    metric = MetricConfig(
        name="queue_depth",
        source="scrape",
        scrape="http://127.0.0.1:1/metrics",
        series='penguinmails_queue_depth{queue="outbound"}',
        warn=5000.0,
        crit=20000.0,
        interval_s=5.0,
    )
    scenario = _quiet_but(Episode(ep.QUEUE_BACKLOG, T0 + 600, 1200, 300))
    batches = list(generate_history(Config(metrics=(metric,)), scenario, T0, T0 + 3000))
    flips = [(e.old, e.new) for b in batches for e in b.events]
    assert flips == [
        (Status.OK, Status.WARN),
        (Status.WARN, Status.CRIT),
        (Status.CRIT, Status.WARN),
        (Status.WARN, Status.OK),
    ]
    crit = next(e for b in batches for e in b.events if e.new is Status.CRIT)
    assert crit.value >= 20000 and "crit" in crit.reason
    values = [s.value for b in batches for s in b.samples]
    assert min(values) < 2000 and max(values) > 24000


def test_rate_metrics_are_per_second_increase_times_scale() -> None:
    config = demo_config(FakePlatform())
    logins = next(m for m in config.metrics if m.name == "logins_per_hour")
    batches = generate_history(Config(metrics=(logins,)), Scenario(T0), T0 - H, T0)
    samples = [s for b in batches for s in b.samples]
    assert len(samples) == H / logins.interval_s
    mean = sum(s.value for s in samples) / len(samples)
    expected = LOGINS_PER_S * 3600 * diurnal(T0 - H / 2)
    assert abs(mean - expected) / expected < 0.05


def test_http_checks_report_what_failed_like_the_poller() -> None:
    config = demo_config(FakePlatform())
    smtp = next(c for c in config.checks if c.name == "smtp-relay")
    scenario = _quiet_but(Episode(ep.SMTP_DOWN, T0 + 100, 60))
    readings = [
        r for b in generate_history(Config(checks=(smtp,)), scenario, T0, T0 + 300)
        for r in b.readings
    ]  # fmt: skip
    down = [r for r in readings if not r.probe_ok]
    assert [r.ts for r in down] == [T0 + 100 + 10 * k for k in range(6)]
    assert down[0].status is Status.OK  # the first failure does not flip it yet
    assert down[1].status is Status.CRIT
    assert down[1].reason.startswith("HTTP 503 ([STATUS] == 200 failed)")
    assert '[BODY].status == ok failed: got "down"' in down[1].reason
