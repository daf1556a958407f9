"""Maintenance windows' effects: MAINT rows in the morning check, planned time in uptime,
and the overnight alert summary in the reports."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import Alert, AlertSource, MaintenanceWindow
from penguin_tui.check import ReportItem, build_report
from penguin_tui.config_model import AlertmanagerConfig, CheckConfig, Config
from penguin_tui.fmt import local_time
from penguin_tui.maintenance import apply_maintenance, planned_spans, unplanned_spans
from penguin_tui.model import Batch, Reading, Sample, Status
from penguin_tui.report import render
from penguin_tui.store import Store
from penguin_tui.uptime import format_planned, service_uptimes

NOW = 1_699_999_200  # on an hour boundary
H = 3600


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def _row(key: str, name: str, section: str, status: Status, reason: str = "") -> ReportItem:
    return ReportItem(key, section, name, status, None, "ms", reason, NOW - 600, NOW - 5)


def _window(start: float, end: float, **kw) -> MaintenanceWindow:
    return MaintenanceWindow(start, end, kw.pop("reason", "db upgrade"), "ana", **kw)


def test_active_window_turns_covered_rows_maint_keeping_the_real_status() -> None:
    rows = [
        _row("check:postgres", "postgres", "Databases", Status.CRIT, "HTTP 503"),
        _row("check:redis", "redis", "Databases", Status.OK),
        _row("check:api", "api", "Services", Status.WARN, "slow"),
    ]
    by_section = _window(NOW - H, NOW + H, matchers=(Matcher.equal("section", "Databases"),))
    out = {r.name: r for r in apply_maintenance(rows, [by_section], NOW)}
    until = local_time(NOW + H, NOW)
    assert out["postgres"].status is Status.MAINT
    assert out["postgres"].reason == f"maintenance until {until} (db upgrade); was CRIT: HTTP 503"
    assert out["redis"].reason == f"maintenance until {until} (db upgrade); was OK"
    assert (out["api"].status, out["api"].reason) == (Status.WARN, "slow")
    # By name; pending, ended and cancelled windows change nothing.
    by_name = _window(NOW - H, NOW + H, services=("api",))
    assert apply_maintenance(rows, [by_name], NOW)[2].status is Status.MAINT
    for idle in (
        _window(NOW + 60, NOW + H, services=("api",)),
        _window(NOW - 2 * H, NOW - H, services=("api",)),
        _window(NOW - H, NOW + H, services=("api",), cancelled_at=NOW - 1),
    ):
        assert apply_maintenance(rows, [idle], NOW)[2].status is Status.WARN


def test_planned_and_unplanned_spans_merge_and_clip() -> None:
    windows = [
        _window(100, 200),
        _window(150, 300),
        _window(500, 900, cancelled_at=600),
        _window(-50, 10),
    ]
    assert planned_spans(windows, 0, 1000) == [(0, 10), (100, 300), (500, 600)]
    assert unplanned_spans(windows, 0, 1000) == [(10, 100), (300, 500), (600, 1000)]
    assert unplanned_spans([], 0, 10) == [(0, 10)]


CHECKS = (
    CheckConfig("postgres", "tcp://127.0.0.1:5432", section="Databases", interval_s=600),
    CheckConfig("api", "http://127.0.0.1:9/health", interval_s=600),
)


def _readings(store: Store, now: float) -> None:
    store.write(
        Batch(
            readings=[
                Reading("check:postgres", now - 5, Status.CRIT, None, "connection refused"),
                Reading("check:api", now - 5, Status.OK, 40.0),
            ]
        )
    )


def test_build_report_marks_maint_and_the_check_stays_ok(store: Store) -> None:
    _readings(store, NOW)
    config = Config(checks=CHECKS)
    assert build_report(store, config, NOW, None).status is Status.CRIT
    wid = store.add_maintenance(_window(NOW - H, NOW + H, services=("postgres",)))
    report = build_report(store, config, NOW, None)
    rows = {r.name: r for r in report.items}
    assert rows["postgres"].status is Status.MAINT
    assert "was CRIT: connection refused" in rows["postgres"].reason
    assert report.status is Status.MAINT and report.status.exit_code == 0
    assert [w.id for w in report.maintenance] == [wid]
    assert report.alerts is None  # no alert source configured
    text = render(report, "text")
    assert "⚒ MAINT" in text and "1 MAINT" in text
    assert "maintenance until" in text and "db upgrade (ana): postgres" in text
    data = json.loads(render(report, "json"))
    assert data["exit_code"] == 0 and data["counts"]["MAINT"] == 1
    assert data["maintenance"][0]["reason"] == "db upgrade" and data["maintenance"][0]["active"]
    assert "## Maintenance" in render(report, "markdown")
    # Cancelled: the real status is back at once.
    store.cancel_maintenance(wid, NOW - 1)
    assert build_report(store, config, NOW, None).status is Status.CRIT


def test_report_carries_the_alert_summary(store: Store) -> None:
    _readings(store, NOW)
    config = Config(checks=CHECKS, alertmanager=AlertmanagerConfig(urls=("http://127.0.0.1:9",)))
    disk = Alert("c1", {"alertname": "DiskFull", "severity": "critical", "service": "db1"})
    queue = Alert("w1", {"alertname": "Queue[bold]", "severity": "warning"})
    store.record_alerts(AlertSource.ALERTMANAGER, [disk, queue], NOW - 2 * H)
    store.record_alerts(AlertSource.ALERTMANAGER, [disk], NOW - H)
    report = build_report(store, config, NOW, 12 * H)
    assert report.alerts is not None
    assert (report.alerts.fired, report.alerts.resolved, report.alerts.still_firing) == (2, 1, 1)
    text = render(report, "text")
    assert "Alerts: 2 fired (1 critical) · 1 resolved · 1 firing" in text
    assert "✖ DiskFull db1" in text
    data = json.loads(render(report, "json"))["alerts"]
    assert data["fired_by_severity"] == {"low": 0, "medium": 1, "high": 0, "critical": 1}
    assert data["critical"][0]["alertname"] == "DiskFull"
    markdown = render(report, "markdown")
    assert "## Alerts" in markdown and "DiskFull db1" in markdown


def _up_samples(store: Store, now: float, down: range) -> None:
    """One probe a minute over the last day; indexes in ``down`` (minutes ago) failed."""
    samples = [
        Sample("check:api:up", now - 30 - i * 60, 0.0 if i in down else 1.0) for i in range(1440)
    ]
    store.write(Batch(samples=samples))


def test_uptime_counts_maintenance_as_planned(store: Store) -> None:
    # Down for 2 h (between 3 h and 1 h ago), the window covers exactly that.
    _up_samples(store, NOW, range(60, 180))
    config = Config(checks=(CheckConfig("api", "http://127.0.0.1:9/health"),), uptime_target=99.0)
    windows = (("24 h", 86400.0),)
    (before,) = service_uptimes(store, config, NOW, windows)
    assert before.budgets[0].uptime == pytest.approx(1 - 120 / 1440, abs=1e-3)
    assert before.budgets[0].status is Status.CRIT
    store.add_maintenance(_window(NOW - 3 * H, NOW - H, reason="failover", services=("api",)))
    (after,) = service_uptimes(store, config, NOW, windows)
    budget = after.budgets[0]
    assert budget.uptime == pytest.approx(1.0)
    assert budget.planned_s == pytest.approx(2 * H)
    assert budget.used_s == pytest.approx(0.0, abs=1.0)
    # The target's share of the unplanned 22 h: 1 % of 79,200 s.
    assert budget.allowed_s == pytest.approx(792.0)
    assert budget.status is Status.OK and not budget.partial
    assert format_planned(budget) == "planned: 2h"
    assert format_planned(before.budgets[0]) == ""


def test_downtime_outside_the_window_still_counts(store: Store) -> None:
    _up_samples(store, NOW, range(60, 180))
    config = Config(checks=(CheckConfig("api", "http://127.0.0.1:9/health"),), uptime_target=99.0)
    # Only the first hour of the outage was planned.
    store.add_maintenance(_window(NOW - 3 * H, NOW - 2 * H, services=("api",)))
    (api,) = service_uptimes(store, config, NOW, (("24 h", 86400.0),))
    budget = api.budgets[0]
    assert budget.planned_s == pytest.approx(H)
    assert budget.uptime == pytest.approx(1 - 60 / 1380, abs=1e-3)
    assert budget.used_s == pytest.approx(H, rel=0.02)


def test_check_command_exits_zero_for_maint(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[host]\nenabled = false\n\n[[check]]\nname = "postgres"\nurl = "tcp://127.0.0.1:9"\n'
        'section = "Databases"\ninterval = "10m"\n'
    )
    cache = tmp_path / "cache.db"
    now = time.time()
    with Store.open(cache) as store:
        store.write(
            Batch(readings=[Reading("check:postgres", now - 5, Status.CRIT, None, "refused")])
        )

    command = [sys.executable, "-m", "penguin_tui", "check"]

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "--config", str(config), "--cache", str(cache)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = check()
    assert done.returncode == 2, done.stderr
    with Store.open(cache) as store:
        store.add_maintenance(
            MaintenanceWindow(now - 60, now + 3600, "disk swap", "ana", services=("postgres",))
        )
    done = check()
    assert done.returncode == 0, done.stderr
    assert "⚒ MAINT" in done.stdout
    assert "(disk swap); was CRIT: refused" in done.stdout


def test_health_loader_fills_the_alert_summary_on_its_slow_cadence(store: Store) -> None:
    from penguin_tui.health_view import HealthLoader

    _readings(store, NOW)
    store.record_alerts(
        AlertSource.LOCAL,
        [Alert("l1", {"alertname": "BounceRate", "severity": "critical"})],
        NOW - 600,
    )
    config = Config(checks=CHECKS, alertmanager=AlertmanagerConfig(urls=("http://127.0.0.1:9",)))
    loader = HealthLoader(config, slow_every_s=30)
    first = loader.load(store, NOW, recording_here=False)
    assert first.report.alerts is None  # the quick first view skips the slow parts
    second = loader.load(store, NOW + 1, recording_here=False)
    assert second.report.alerts is not None and second.report.alerts.still_firing == 1
    # Without an alert source there is no summary at all.
    plain = HealthLoader(Config(checks=CHECKS), slow_every_s=0)
    plain.load(store, NOW, recording_here=False)
    assert plain.load(store, NOW + 1, recording_here=False).report.alerts is None
