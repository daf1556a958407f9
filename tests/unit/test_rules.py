"""The local rule engine: threshold, state and stale rules, "for", "*", maintenance, restarts,
templates, and the cost of a flush."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import AlertSource, AlertState, MaintenanceWindow
from penguin_tui.alerts.rules import RuleEngine
from penguin_tui.config_model import RuleConfig
from penguin_tui.model import Batch, ItemInfo, ItemKind, ItemState, Reading, Sample, Status

BOUNCE = ItemInfo(
    "metric:bounce_rate", ItemKind.METRIC, "Email deliverability", "Bounce rate", "%", 30
)
DELIVERY = ItemInfo(
    "metric:delivery_rate", ItemKind.METRIC, "Email deliverability", "Delivery rate", "%", 30
)
API = ItemInfo("check:api", ItemKind.CHECK, "Services", "api", "ms", 10)
SMTP = ItemInfo("check:smtp", ItemKind.CHECK, "Email deliverability", "smtp", "ms", 10)


class Clock:
    """A clock the test moves by hand (the engine reads it for when watching began)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def engine(
    *rules: RuleConfig,
    items: Sequence[ItemInfo] = (BOUNCE, DELIVERY, API, SMTP),
    clock: Clock | None = None,
    states: dict[str, ItemState] | None = None,
    last: dict[str, float] | None = None,
) -> RuleEngine:
    """A rule engine seeded as the recorder seeds it, watching ``items``."""
    eng = RuleEngine(rules, clock=clock or Clock())
    eng.seed(states or {}, last or {}, list(items))
    return eng


def value(key: str, ts: float, v: float | None, status: Status = Status.OK) -> Batch:
    samples = [Sample(key, ts, v)] if v is not None else []
    return Batch(readings=[Reading(key, ts, status, v)], samples=samples)


def probe(key: str, ts: float, status: Status, ms: float | None = 12.0) -> Batch:
    samples = [Sample(f"{key}:up", ts, 0.0 if status is Status.CRIT else 1.0)]
    if ms is not None:
        samples.append(Sample(key, ts, ms))
    return Batch(readings=[Reading(key, ts, status, ms)], samples=samples)


HIGH_BOUNCE = RuleConfig(
    name="HighBounceRate", kind="threshold", item="metric:bounce_rate", severity="critical",
    above=5.0, for_s=60, labels={"team": "deliverability"},
)  # fmt: skip


# ---------------------------------------------------------------------------- threshold


def test_threshold_above_fires_after_for_with_the_contract_labels() -> None:
    eng = engine(HIGH_BOUNCE)
    eng.observe(value(BOUNCE.key, 1000, 6.2))
    assert eng.evaluate(1000) == []  # pending: "for" not met
    eng.observe(value(BOUNCE.key, 1030, 7.5))
    assert eng.evaluate(1059.9) == []
    [alert] = eng.evaluate(1060)
    assert alert.labels == {
        "alertname": "HighBounceRate",
        "severity": "critical",
        "service": "Bounce rate",
        "item": "metric:bounce_rate",
        "source": "penguin-tui",
        "team": "deliverability",
    }
    assert alert.fingerprint == fingerprint(alert.labels)
    assert alert.starts_at == 1000  # when the condition began, not when "for" was met
    assert alert.source is AlertSource.LOCAL and alert.origins == ("local",)
    assert alert.summary == "Bounce rate is 7.50%, above 5% for 1m"
    assert alert.state() is AlertState.FIRING
    # Back under the level: resolved at once (no longer in the firing set).
    eng.observe(value(BOUNCE.key, 1090, 4.0))
    assert eng.evaluate(1091) == []


def test_threshold_for_needs_the_condition_to_hold_continuously() -> None:
    eng = engine(HIGH_BOUNCE)
    eng.observe(value(BOUNCE.key, 1000, 6.0))
    eng.observe(value(BOUNCE.key, 1030, 5.0))  # exactly at the level: not above
    eng.observe(value(BOUNCE.key, 1040, 6.0))
    assert eng.evaluate(1090) == []  # 50 s since it began again
    [alert] = eng.evaluate(1100)
    assert alert.starts_at == 1040


def test_threshold_below_and_without_for_fires_on_the_next_evaluation() -> None:
    rule = RuleConfig(name="LowDelivery", kind="threshold", item="metric:delivery_rate", below=95)
    eng = engine(rule)
    eng.observe(value(DELIVERY.key, 1000, 96.0))
    assert eng.evaluate(1001) == []
    eng.observe(value(DELIVERY.key, 1030, 93.25))
    [alert] = eng.evaluate(1031)
    assert alert.summary == "Delivery rate is 93.2%, below 95%"
    assert alert.labels["severity"] == "warning"


def test_a_reading_without_a_value_leaves_the_condition_as_it_was() -> None:
    eng = engine(HIGH_BOUNCE)
    eng.observe(value(BOUNCE.key, 1000, 6.0))
    eng.observe(value(BOUNCE.key, 1030, None, Status.UNKNOWN))  # Prometheus did not answer
    [alert] = eng.evaluate(1060)
    assert alert.starts_at == 1000
    assert alert.summary == "Bounce rate is 6%, above 5% for 1m"


def test_the_summary_follows_the_value_while_firing_and_only_then_changes() -> None:
    eng = engine(HIGH_BOUNCE)
    eng.observe(value(BOUNCE.key, 1000, 6.0))
    first = eng.evaluate(1060)
    version = eng.version
    eng.observe(value(BOUNCE.key, 1070, 6.0))  # same value: nothing to tell
    assert eng.evaluate(1071) is first and eng.version == version
    eng.observe(value(BOUNCE.key, 1100, 8.0))
    [alert] = eng.evaluate(1101)
    assert alert.summary == "Bounce rate is 8%, above 5% for 1m"
    assert alert.starts_at == 1000 and alert.fingerprint == first[0].fingerprint
    assert eng.version == version + 1


# ---------------------------------------------------------------------------- state


def test_state_rule_with_for() -> None:
    rule = RuleConfig(name="ApiDown", kind="state", item="check:api", status="CRIT", for_s=120)
    eng = engine(rule)
    eng.observe(probe(API.key, 1000, Status.OK))
    eng.observe(probe(API.key, 1010, Status.CRIT))
    eng.observe(probe(API.key, 1020, Status.CRIT))
    assert eng.evaluate(1129) == []
    [alert] = eng.evaluate(1130)
    assert alert.starts_at == 1010
    assert alert.summary == "api is CRIT for 2m"
    eng.observe(probe(API.key, 1140, Status.OK))
    assert eng.evaluate(1141) == []


def test_state_rule_names_an_item_by_its_config_name_too() -> None:
    rule = RuleConfig(name="ApiDown", kind="state", item="api", status="CRIT")
    eng = engine(rule)
    eng.observe(probe(API.key, 1000, Status.CRIT))
    [alert] = eng.evaluate(1000)
    assert alert.labels["item"] == "check:api"


def test_star_rule_raises_one_alert_per_item() -> None:
    rule = RuleConfig(name="ItemCritical", kind="state", item="*", status="CRIT", severity="page")
    eng = engine(rule)
    eng.observe(probe(API.key, 1000, Status.CRIT))
    eng.observe(probe(SMTP.key, 1000, Status.CRIT))
    eng.observe(value(BOUNCE.key, 1000, 1.0, Status.OK))
    alerts = eng.evaluate(1001)
    assert sorted(a.labels["item"] for a in alerts) == ["check:api", "check:smtp"]
    assert len({a.fingerprint for a in alerts}) == 2
    assert all(a.severity.title == "Critical" for a in alerts)


# ---------------------------------------------------------------------------- stale


def test_stale_rule_fires_after_intervals_without_data_and_ends_with_the_next_sample() -> None:
    clock = Clock(1000)
    rule = RuleConfig(name="NoData", kind="stale", item="check:api", intervals=3)
    eng = engine(rule, clock=clock)
    eng.observe(probe(API.key, 1005, Status.OK))
    assert eng.evaluate(1034) == []  # 29 s without data; the window is 3 x 10 s
    [alert] = eng.evaluate(1036)
    assert alert.starts_at == 1035
    assert alert.summary == "no data from api for 31s"
    eng.observe(probe(API.key, 1040, Status.CRIT))  # a failed probe is data too
    assert eng.evaluate(1041) == []
    assert eng.evaluate(1069) == []
    assert len(eng.evaluate(1071)) == 1


def test_failed_fetches_without_samples_count_as_no_data() -> None:
    rule = RuleConfig(name="NoData", kind="stale", item="*", intervals=2)
    eng = engine(rule, items=(BOUNCE,), clock=Clock(1000))
    for ts in (1020, 1050, 1080):
        eng.observe(value(BOUNCE.key, ts, None, Status.UNKNOWN))
    [alert] = eng.evaluate(1061)  # 2 x 30 s since watching began
    assert alert.labels["item"] == BOUNCE.key


def test_items_appearing_later_are_watched_from_then() -> None:
    clock = Clock(1000)
    rule = RuleConfig(name="NoData", kind="stale", item="*", intervals=3)
    eng = engine(rule, items=(), clock=clock)
    clock.now = 2000
    disk = ItemInfo("host:disk:/var", ItemKind.HOST, "Host", "Disk /var", "%", 15)
    eng.set_items([disk])
    assert eng.evaluate(2044) == []
    assert [a.labels["item"] for a in eng.evaluate(2046)] == ["host:disk:/var"]


# ---------------------------------------------------------------------------- restarts


def test_restart_state_rule_continues_from_the_cache_since() -> None:
    rule = RuleConfig(name="ApiDown", kind="state", item="check:api", status="CRIT", for_s=120)
    states = {API.key: ItemState(API.key, Status.CRIT, 1000, 1050, None, "timeout")}
    # Restarted 60 s into the outage: "for" keeps counting from 1000, not from the restart.
    eng = engine(rule, states=states, clock=Clock(1060))
    assert eng.evaluate(1060) == []  # nothing fires on cached data alone
    eng.observe(probe(API.key, 1065, Status.CRIT, None))
    assert eng.evaluate(1119) == []
    [alert] = eng.evaluate(1120)
    assert alert.starts_at == 1000
    # Restarted long after: fires as soon as a reading confirms the status.
    eng = engine(rule, states=states, clock=Clock(5000))
    eng.observe(probe(API.key, 5003, Status.CRIT, None))
    [alert] = eng.evaluate(5003)
    assert alert.starts_at == 1000
    # The status changed while the recorder was down: the cache's since does not apply.
    eng = engine(rule, states=states, clock=Clock(5000))
    eng.observe(probe(API.key, 5003, Status.OK))
    eng.observe(probe(API.key, 5013, Status.CRIT))
    assert eng.evaluate(5100) == []
    assert eng.evaluate(5133)[0].starts_at == 5013


def test_restart_threshold_rule_starts_from_the_first_reading() -> None:
    states = {BOUNCE.key: ItemState(BOUNCE.key, Status.CRIT, 100, 900, 9.0, "")}
    eng = engine(HIGH_BOUNCE, states=states, clock=Clock(1000))
    eng.observe(value(BOUNCE.key, 1010, 9.0, Status.CRIT))
    assert eng.evaluate(1069) == []
    assert eng.evaluate(1070)[0].starts_at == 1010


def test_restart_stale_rule_counts_from_the_last_sample_or_the_start() -> None:
    rule = RuleConfig(name="NoData", kind="stale", item="check:api", intervals=3)
    recent = {f"{API.key}:up": 990.0, API.key: 985.0}
    eng = engine(rule, last=recent, clock=Clock(1000))
    assert eng.evaluate(1029) == []  # the restarted recorder gives the item a full window
    [alert] = eng.evaluate(1030)
    assert alert.starts_at == 1020  # but the data stopped at 990: that is when it began
    assert alert.summary == "no data from api for 40s"
    # Data from yesterday: not stale the moment the recorder starts, and then says so.
    eng = engine(rule, last={f"{API.key}:up": 10.0}, clock=Clock(100_000))
    assert eng.evaluate(100_001) == []
    [alert] = eng.evaluate(100_031)
    assert alert.starts_at == 40
    assert alert.summary == "no data from api for 1d 3h"
    # A sample in the first window ends the wait for good.
    eng = engine(rule, last={f"{API.key}:up": 10.0}, clock=Clock(100_000))
    eng.observe(probe(API.key, 100_005, Status.OK))
    assert eng.evaluate(100_031) == []


# ---------------------------------------------------------------------------- maintenance


def window(start: float, end: float, **kw: Any) -> MaintenanceWindow:
    return MaintenanceWindow(start=start, end=end, reason="upgrade", author="alice", id=7, **kw)


def test_maintenance_mutes_but_never_hides() -> None:
    rule = RuleConfig(name="ItemCritical", kind="state", item="*", status="CRIT")
    eng = engine(rule)
    eng.observe(probe(API.key, 1000, Status.CRIT))
    eng.observe(probe(SMTP.key, 1000, Status.CRIT))
    windows = [window(900, 2000, services=("api",))]
    alerts = {a.labels["item"]: a for a in eng.evaluate(1001, windows)}
    assert alerts["check:api"].silenced_by == ("maint:7",)
    assert alerts["check:api"].state() is AlertState.SILENCED
    assert alerts["check:smtp"].silenced_by == ()
    # By matchers on the item's labels (section), and by alert labels (alertname).
    by_section = [window(900, 2000, matchers=(Matcher.equal("section", "Email deliverability"),))]
    alerts = {a.labels["item"]: a for a in eng.evaluate(1002, by_section)}
    assert alerts["check:smtp"].silenced_by == ("maint:7",)
    assert alerts["check:api"].silenced_by == ()
    by_name = [window(900, 2000, matchers=(Matcher.equal("alertname", "ItemCritical"),))]
    assert all(a.silenced_by == ("maint:7",) for a in eng.evaluate(1003, by_name))
    # The window ends: firing again, same alerts.
    assert all(a.silenced_by == () for a in eng.evaluate(2000, by_name))
    # A window that has not started yet mutes nothing.
    assert all(
        a.silenced_by == () for a in eng.evaluate(2001, [window(3000, 4000, services=("api",))])
    )


def test_an_alert_that_fires_inside_a_window_is_muted_from_the_start() -> None:
    eng = engine(HIGH_BOUNCE)
    windows = [window(900, 5000, services=("metric:bounce_rate",))]
    eng.observe(value(BOUNCE.key, 1000, 9.0))
    assert eng.evaluate(1000, windows) == []
    [alert] = eng.evaluate(1060, windows)
    assert alert.silenced_by == ("maint:7",)


# ---------------------------------------------------------------------------- templates


def test_templates_fill_every_placeholder() -> None:
    rule = RuleConfig(
        name="HighBounceRate", kind="threshold", item="metric:bounce_rate", above=5, for_s=90,
        summary="{name} ({item}) at {value} [{unit}] > {threshold}, {status}, for {for}, age {age}",
        description="Bounce rate is {value}.\nCheck the {{suppression}} list.",
        runbook_url="https://wiki.example/runbooks/bounce",
    )  # fmt: skip
    eng = engine(rule)
    eng.observe(value(BOUNCE.key, 1000, 6.5, Status.CRIT))
    [alert] = eng.evaluate(1095)
    assert alert.annotations == {
        "summary": "Bounce rate (metric:bounce_rate) at 6.50% [%] > 5%, CRIT, for 1m 30s, "
        "age 1m 35s",
        "description": "Bounce rate is 6.50%.\nCheck the {suppression} list.",
        "runbook_url": "https://wiki.example/runbooks/bounce",
    }


def test_hostile_item_names_are_sanitised_and_never_expanded() -> None:
    evil = ItemInfo(
        "host:disk:/mnt/\x1b]52;c;cm0gLXJmIC8=\x07x",
        ItemKind.HOST, "Host", "Disk \x1b[31m[bold red]{value}[/]\n\x9b2J{{x}}", "%", 15,
    )  # fmt: skip
    rule = RuleConfig(name="DiskCrit", kind="state", item="*", status="CRIT")
    eng = engine(rule, items=(evil,))
    eng.observe(value(evil.key, 1000, 97.0, Status.CRIT))
    [alert] = eng.evaluate(1000)
    assert alert.summary == "Disk [bold red]{value}[/] {{x}} is CRIT"
    assert alert.labels["service"] == "Disk [bold red]{value}[/] {{x}}"
    assert alert.labels["item"] == "host:disk:/mnt/x"
    for text in (*alert.labels.values(), *alert.annotations.values()):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "\n" not in text
    assert alert.fingerprint == fingerprint(alert.labels)


# ---------------------------------------------------------------------------- cost


def test_nothing_changed_means_the_same_answer_without_rebuilding_it() -> None:
    rule = RuleConfig(name="ItemCritical", kind="state", item="*", status="CRIT")
    eng = engine(rule)
    eng.observe(probe(API.key, 1000, Status.CRIT))
    first = eng.evaluate(1001)
    version = eng.version
    for ts in range(1002, 1100):
        eng.observe(probe(API.key, ts, Status.CRIT))
        eng.observe(probe(SMTP.key, ts, Status.OK))
        assert eng.evaluate(ts) is first
    assert eng.version == version


def test_500_items_and_10_rules_over_ten_minutes_fire_exactly_the_right_alerts() -> None:
    """The shape bench_alerts.py times (500 items x 10 rules, a flush every 1.5 s)."""
    items = [
        ItemInfo(f"metric:m{i}", ItemKind.METRIC, "API", f"m{i}", "ms", 30) for i in range(500)
    ]
    rules = [
        RuleConfig(name=f"High{i}", kind="threshold", item=f"metric:m{60 + i}", above=50, for_s=60)
        for i in range(6)
    ]
    rules += [
        RuleConfig(name="Crit", kind="state", item="*", status="CRIT", for_s=120),
        RuleConfig(name="Warn", kind="state", item="*", status="WARN", for_s=300),
        RuleConfig(name="Unknown", kind="state", item="*", status="UNKNOWN", for_s=300),
        RuleConfig(name="NoData", kind="stale", item="*", intervals=3),
    ]
    clock = Clock(0)
    eng = engine(*rules, items=items, clock=clock)
    # Ten simulated minutes: every item polled every 30 s, flushed every 1.5 s (20 per flush),
    # a tenth of them CRIT so alerts fire and stay firing.
    flushes = 400
    for n in range(flushes):
        now = n * 1.5
        batch = Batch()
        for j in range(20):
            i = (n * 20 + j) % 500
            status = Status.CRIT if i % 10 == 0 else Status.OK
            batch.readings.append(Reading(items[i].key, now, status, float(i % 100)))
            batch.samples.append(Sample(items[i].key, now, float(i % 100)))
        eng.observe(batch)
        alerts = eng.evaluate(now)
    assert len(alerts) == 50 + 6  # the CRIT items, and the six threshold rules (values 60-65)
