"""The demo config: valid TOML for the loader, and every source it names exists on the platform."""

from __future__ import annotations

import tomllib

from penguin_tui.config import parse_config
from penguin_tui.config_model import CheckConfig, Config, MetricConfig
from penguin_tui.demo import exposition
from penguin_tui.demo.config import config_to_toml, demo_config, demo_config_toml
from penguin_tui.demo.scenario import SERVICES, Scenario


class FakePlatform:
    urls = {s: f"http://127.0.0.1:{41000 + i}" for i, s in enumerate(SERVICES)}
    urls |= {"postgres": "tcp://127.0.0.1:41100", "redis": "tcp://127.0.0.1:41101"}


def test_the_toml_loads_into_exactly_the_typed_config() -> None:
    text = demo_config_toml(FakePlatform())
    raw = tomllib.loads(text)
    assert raw["general"]["max_concurrency"] == 50 and raw["host"]["enabled"] is True
    loaded = parse_config(text)
    typed = demo_config(FakePlatform())
    assert loaded.checks == typed.checks
    assert loaded.metrics == typed.metrics


def test_it_watches_every_part_of_the_platform() -> None:
    config = demo_config(FakePlatform())
    checks = {c.name: c for c in config.checks}
    assert set(checks) == {*SERVICES, "postgres", "redis"}
    for service in SERVICES:
        c = checks[service]
        assert c.url == f"{FakePlatform.urls[service]}/health" and c.section == "Services"
        assert c.conditions == ("[STATUS] == 200", "[BODY].status == ok", "[RESPONSE_TIME] < 500")
    for db in ("postgres", "redis"):
        assert checks[db].url == FakePlatform.urls[db] and checks[db].section == "Databases"
    metrics = {m.name: m for m in config.metrics}
    assert set(metrics) == {
        "api_p95_latency", "api_error_rate", "db_connect_time", "delivery_rate", "bounce_rate",
        "complaint_rate", "queue_depth", "logins_per_hour", "open_tickets",
    }  # fmt: skip
    assert metrics["open_tickets"].section == "Support"
    logins = metrics["logins_per_hour"]
    assert (logins.source, logins.rate, logins.scale) == ("scrape", True, 3600.0)
    assert all(5 <= item.interval_s <= 15 for item in config.items())


def test_thresholds_point_the_right_way() -> None:
    for m in demo_config(FakePlatform()).metrics:
        assert m.warn is not None and m.crit is not None, m.name
        if m.direction == "below":
            assert m.crit < m.warn, m.name
        else:
            assert m.warn < m.crit, m.name


def test_every_field_and_series_it_reads_exists_and_is_ok_when_quiet() -> None:
    """What the config points at is what the platform serves (a typo here is a dead demo)."""
    scenario = Scenario(1_700_038_800.0)
    t = scenario.origin + 15  # quiet: nothing should be WARN or CRIT
    stats = scenario.stats(t)
    series = exposition.series(scenario, t)
    for m in demo_config(FakePlatform()).metrics:
        if m.source == "json":
            section, name = m.field.split(".")
            value = stats[section][name] * m.scale
        else:
            assert m.series in series, m.series
            if m.rate:
                before = exposition.series(scenario, t - m.interval_s)[m.series]
                value = (series[m.series] - before) / m.interval_s * m.scale
            else:
                value = series[m.series] * m.scale
        assert m.warn is not None
        assert (value > m.warn) if m.direction == "below" else (value < m.warn), (m.name, value)


def test_strings_with_quotes_and_backslashes_survive_the_round_trip() -> None:
    config = Config(
        checks=(CheckConfig(name='odd "name" \\ here', url="tcp://127.0.0.1:1", interval_s=7.5),),
        metrics=(
            MetricConfig(
                name="m",
                source="scrape",
                scrape="http://127.0.0.1:1/metrics",
                series='x{a="b\\\\c"}',
                scale=0.001,
            ),
        ),
    )
    loaded = tomllib.loads(config_to_toml(config))
    assert loaded["check"][0]["name"] == 'odd "name" \\ here'
    assert loaded["check"][0]["interval"] == "7.5s"
    assert loaded["metric"][0]["series"] == 'x{a="b\\\\c"}'
    assert loaded["metric"][0]["scale"] == 0.001
