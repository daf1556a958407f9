"""Uptime per service over 24 h / 7 d / 30 d and the error budget left against the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.config_model import CheckConfig, Config
from penguin_tui.model import Batch, Sample, Status
from penguin_tui.store import Store
from penguin_tui.uptime import Budget, error_budget, format_left, format_uptime, service_uptimes

DAY = 86400
NOW = 1_699_999_200  # on an hour boundary: each window starts on a bucket edge of its tier
STEP = 300  # one probe every 5 min
PER_DAY = DAY // STEP


def test_budget_arithmetic_at_the_default_target() -> None:
    perfect = error_budget(1.0, 99.9, "30 d", 30 * DAY)
    assert perfect.allowed_s == pytest.approx(2592.0)  # 43 min 12 s
    assert (perfect.used_s, perfect.left_s, perfect.left_pct) == (
        0.0,
        pytest.approx(2592.0),
        pytest.approx(100.0),
    )
    assert perfect.status == Status.OK

    half = error_budget(0.9995, 99.9, "30 d", 30 * DAY)
    assert half.used_s == pytest.approx(1296.0)
    assert half.left_pct == pytest.approx(50.0)
    assert half.status == Status.OK


@pytest.mark.parametrize(
    ("uptime", "status"),
    [
        (0.99980, Status.OK),  # 80 % of the budget left
        (0.99925, Status.OK),  # 25 % left: still OK
        (0.99920, Status.WARN),  # 20 % left
        (0.99900, Status.WARN),  # exactly spent: nothing left, not yet over
        (0.99800, Status.CRIT),  # overspent by as much again
        (None, Status.UNKNOWN),
    ],
)
def test_budget_status(uptime: float | None, status: Status) -> None:
    assert error_budget(uptime, 99.9, "24 h", DAY).status == status


def test_overspent_budget_goes_negative_and_says_so() -> None:
    budget = error_budget(0.998, 99.9, "24 h", DAY)
    assert budget.left_s == pytest.approx(-86.4)
    assert budget.left_pct == pytest.approx(-100.0)
    assert format_left(budget) == "overspent by 1m 26s"


def test_a_target_of_100_percent_has_no_budget() -> None:
    clean = error_budget(1.0, 100.0, "24 h", DAY)
    assert (clean.allowed_s, clean.left_pct, clean.status) == (0.0, None, Status.OK)
    assert error_budget(0.9999, 100.0, "24 h", DAY).status == Status.CRIT


def test_formatting() -> None:
    assert format_uptime(None) == "—"
    assert format_uptime(1.0) == "100.00%"
    assert format_uptime(0.99951) == "99.95%"
    assert format_uptime(1 - 1 / 8640) == "99.99%"  # one failed probe in a month
    # One in 200,000 is not "100.00 %".
    assert format_uptime(1 - 1 / 200_000) == ">99.99%"
    assert format_left(Budget("30 d", 30 * DAY, 0.9995, 2592.0, 1296.0, 99.9)) == (
        "21m 36s left (50%)"
    )
    assert format_left(error_budget(None, 99.9, "24 h", DAY)) == "—"


def _fill(store: Store, key: str, down: set[int], days: int = 30) -> None:
    """One probe per STEP over the last 30 days; ``down`` holds the indexes that failed.

    Index 0 is the newest probe (NOW - STEP/2), so "down in the last day" is an index < PER_DAY.
    """
    samples = []
    for i in range(days * PER_DAY):
        ts = NOW - STEP // 2 - i * STEP
        samples.append(Sample(f"{key}:up", ts, 0.0 if i in down else 1.0))
    for chunk in range(0, len(samples), 500):
        store.write(Batch(samples=samples[chunk : chunk + 500]))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def test_service_uptimes_read_every_tier_of_a_real_cache(store: Store) -> None:
    # api: 1 failed probe today, 15 more 5 days ago, 10 more 20 days ago.
    api_down = (
        {10}
        | set(range(5 * PER_DAY, 5 * PER_DAY + 15))
        | set(range(20 * PER_DAY, 20 * PER_DAY + 10))
    )
    _fill(store, "check:api", api_down)
    _fill(store, "check:smtp", set())
    # Roll up and apply retention: raw rows older than 48 h are gone, so the 7 d window reads
    # minute rollups and the 30 d window hour rollups, as on a long-running bastion.
    store.maintain(NOW)

    config = Config(
        checks=(
            CheckConfig("api", "http://127.0.0.1:1/health"),
            CheckConfig("smtp", "tcp://127.0.0.1:25", section="Services"),
            CheckConfig("redis", "tcp://127.0.0.1:6379", section="Databases"),
        ),
        uptime_target=99.0,
    )
    found = {s.name: s for s in service_uptimes(store, config, NOW)}
    assert list(found) == ["api", "smtp", "redis"]

    api = {b.label: b for b in found["api"].budgets}
    assert api["24 h"].uptime == pytest.approx(1 - 1 / PER_DAY)
    assert api["7 d"].uptime == pytest.approx(1 - 16 / (7 * PER_DAY))
    assert api["30 d"].uptime == pytest.approx(1 - 26 / (30 * PER_DAY))
    # 99 % of 24 h allows 864 s; one 5-min probe failed: 300 s used.
    assert api["24 h"].used_s == pytest.approx(300.0)
    assert api["24 h"].status == Status.OK
    # 7 d: 16 probes = 4800 s of 6048 s used, 20.6 % left.
    assert api["7 d"].left_pct == pytest.approx(100 * (6048 - 4800) / 6048)
    assert api["7 d"].status == Status.WARN
    assert api["30 d"].status == Status.OK
    assert found["api"].status == Status.WARN

    assert all(b.uptime == 1.0 and b.status == Status.OK for b in found["smtp"].budgets)
    assert found["smtp"].status == Status.OK
    # 30 days of data: every window is fully covered.
    assert not any(b.partial for s in found.values() for b in s.budgets)
    assert all(b.uptime is None for b in found["redis"].budgets)
    assert found["redis"].status == Status.UNKNOWN


def test_a_young_cache_counts_downtime_over_the_span_it_covers(store: Store) -> None:
    """12 h of data with 5 min down: 5 min used of each budget, not 5/720 of 30 days."""
    samples = [
        Sample("check:api:up", NOW - STEP // 2 - i * STEP, 0.0 if i == 3 else 1.0)
        for i in range(144)
    ]
    store.write(Batch(samples=samples))
    store.maintain(NOW)
    config = Config(checks=(CheckConfig("api", "http://127.0.0.1:1/health"),))
    (api,) = service_uptimes(store, config, NOW)
    for budget in api.budgets:
        assert budget.uptime == pytest.approx(143 / 144)
        assert budget.partial
        # Within half a coverage bucket (30 min over 30 days) or one probe interval of 12 h.
        tolerance = max(budget.window_s / 1440, STEP)
        assert budget.covered_s == pytest.approx(12 * 3600, abs=tolerance)
        assert budget.used_s == pytest.approx(300.0, rel=0.05)
    # Every window starts where the data does, as seen through the finest (24 h) buckets.
    assert len({b.covered_s for b in api.budgets}) == 1
    by_label = {b.label: b for b in api.budgets}
    # 99.9 % of a day allows 86 s: 5 min is overspent; of 30 days (43 min) it is not.
    assert by_label["24 h"].status == Status.CRIT
    assert by_label["30 d"].status == Status.OK
    assert by_label["30 d"].left_pct == pytest.approx(100 * (2592 - 300) / 2592, abs=1.0)
