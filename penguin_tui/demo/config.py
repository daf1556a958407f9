"""The config that watches the demo platform: as typed Config, and as TOML for the loader.

``demo_config`` builds it from the platform's URLs with the config_model dataclasses (the
history prefill works from those directly); ``demo_config_toml`` writes the same thing in the
file format the config loader reads. Intervals are short (5-15 s) so the demo is lively.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

from penguin_tui.config_model import (
    AlertmanagerConfig,
    CheckConfig,
    Config,
    MetricConfig,
    RuleConfig,
    VaultConfig,
)

CHECK_INTERVAL_S = 10.0
METRIC_INTERVAL_S = 15.0
QUEUE_INTERVAL_S = 5.0  # the backlog builds in a minute: watch it closely
TIMEOUT_S = 3.0
ALERTMANAGER_INTERVAL_S = 5.0  # the demo feeder re-sends every 5 s; poll as often
HTTP_CONDITIONS = ("[STATUS] == 200", "[BODY].status == ok", "[RESPONSE_TIME] < 500")
TCP_CONDITIONS = ("[CONNECTED] == true",)
QUEUE_SERIES = 'penguinmails_queue_depth{queue="outbound"}'
LOGINS_SERIES = "penguinmails_logins_total"


class HasUrls(Protocol):
    """Anything with the platform's ``urls`` (a DemoPlatform, or a stand-in in tests)."""

    @property
    def urls(self) -> Mapping[str, str]: ...


def demo_config(
    platform: HasUrls, alertmanager_url: str | None = None, vault_addr: str | None = None
) -> Config:
    """The typed config watching every part of ``platform`` (and the demo's Alertmanager at
    ``alertmanager_url`` when one runs, and its Vault double at ``vault_addr``)."""
    urls = platform.urls
    api = urls["api"]
    checks = [
        CheckConfig(
            name=name,
            url=f"{urls[name]}/health",
            section="Services",
            conditions=HTTP_CONDITIONS,
            interval_s=CHECK_INTERVAL_S,
            timeout_s=TIMEOUT_S,
        )
        for name in ("api", "smtp-relay", "bounce-processor", "webhook-dispatcher")
    ]
    checks += [
        CheckConfig(
            name=name,
            url=urls[name],
            section="Databases",
            conditions=TCP_CONDITIONS,
            interval_s=CHECK_INTERVAL_S,
            timeout_s=TIMEOUT_S,
        )
        for name in ("postgres", "redis")
    ]

    def json_metric(name: str, title: str, section: str, field: str, **kw: object) -> MetricConfig:
        kw.setdefault("interval_s", METRIC_INTERVAL_S)
        return MetricConfig(
            name=name,
            title=title,
            section=section,
            source="json",
            json=f"{api}/stats",
            field=field,
            timeout_s=TIMEOUT_S,
            **kw,  # type: ignore[arg-type]
        )

    metrics = [
        json_metric(
            "api_p95_latency", "API p95 latency", "API", "api.latency_p95_ms",
            unit="ms", warn=300.0, crit=800.0,
        ),
        json_metric(
            "api_error_rate", "API error rate", "API", "api.error_rate",
            unit="%", scale=100.0, warn=1.0, crit=5.0,
        ),
        json_metric(
            "db_connect_time", "DB connection time", "Databases", "db.connect_ms",
            unit="ms", warn=50.0, crit=200.0,
        ),
        json_metric(
            "delivery_rate", "Delivery rate", "Email deliverability", "email.delivery_rate",
            unit="%", scale=100.0, warn=97.0, crit=95.0, direction="below",
        ),
        json_metric(
            "bounce_rate", "Bounce rate", "Email deliverability", "email.bounce_rate",
            unit="%", scale=100.0, warn=3.0, crit=5.0,
        ),
        # Mailbox providers' own lines: 0.1 % is a warning, 0.3 % gets mail blocked.
        json_metric(
            "complaint_rate", "Spam complaint rate", "Email deliverability",
            "email.complaint_rate", unit="%", scale=100.0, warn=0.1, crit=0.3,
        ),
        MetricConfig(
            name="queue_depth",
            title="Send queue depth",
            section="Email deliverability",
            unit="mails",
            source="scrape",
            scrape=f"{api}/metrics",
            series=QUEUE_SERIES,
            warn=5000.0,
            crit=20000.0,
            interval_s=QUEUE_INTERVAL_S,
            timeout_s=TIMEOUT_S,
        ),
        # A sudden drop in logins is how a broken sign-in page shows up: lower is worse.
        MetricConfig(
            name="logins_per_hour",
            title="Logins per hour",
            section="API",
            unit="/h",
            source="scrape",
            scrape=f"{api}/metrics",
            series=LOGINS_SERIES,
            rate=True,
            scale=3600.0,
            warn=200.0,
            crit=50.0,
            direction="below",
            interval_s=METRIC_INTERVAL_S,
            timeout_s=TIMEOUT_S,
        ),
        json_metric(
            "open_tickets", "Open support tickets", "Support", "support.open_tickets",
            unit="tickets", warn=30.0, crit=60.0,
        ),
    ]  # fmt: skip
    alertmanager = AlertmanagerConfig()
    if alertmanager_url:
        alertmanager = AlertmanagerConfig(
            urls=(alertmanager_url,), interval_s=ALERTMANAGER_INTERVAL_S, timeout_s=TIMEOUT_S
        )
    return Config(
        checks=tuple(checks),
        metrics=tuple(metrics),
        max_concurrency=50,
        alertmanager=alertmanager,
        rules=DEMO_RULES,
        vault=VaultConfig(addr=vault_addr) if vault_addr else VaultConfig(),
    )


# penguin-tui's own rules, so the alert stream has local alerts with or without Alertmanager.
RUNBOOKS = "https://runbooks.penguinmails.example"
DEMO_RULES = (
    RuleConfig(
        name="BounceRateHigh",
        kind="threshold",
        item="metric:bounce_rate",
        severity="high",
        above=4.0,
        for_s=60.0,
        labels={"team": "deliverability"},
        summary="Bounce rate {value} above {threshold} for {for}",
        description="Mailbox providers throttle senders whose bounces stay high.",
        runbook_url=f"{RUNBOOKS}/deliverability/bounces",
    ),
    RuleConfig(
        name="ServiceDown",
        kind="state",
        item="*",
        status="CRIT",
        for_s=60.0,
        severity="critical",
        summary="{name} has been {status} for {for}",
        runbook_url=f"{RUNBOOKS}/services/down",
    ),
    RuleConfig(
        name="NoData",
        kind="stale",
        item="*",
        intervals=6,
        severity="warning",
        summary="No data from {name} for {age}",
    ),
)


def demo_config_toml(
    platform: HasUrls, alertmanager_url: str | None = None, vault_addr: str | None = None
) -> str:
    """The demo config as TOML text, in the layout ``penguin_tui.config`` loads."""
    return config_to_toml(demo_config(platform, alertmanager_url, vault_addr))


def config_to_toml(config: Config) -> str:
    """Write the checks and metrics of ``config`` as TOML (only what differs from defaults)."""
    out = [
        "# penguin-tui config for the demo platform (generated by `penguin-tui demo`).",
        "",
        "[general]",
        f"max_concurrency = {config.max_concurrency}",
        "",
        "[host]",
        f"enabled = {_value(config.host.enabled)}",
    ]
    check_defaults = CheckConfig(name="", url="")
    for check in config.checks:
        out += ["", "[[check]]"]
        out += _fields(check, check_defaults, _CHECK_KEYS)
    metric_defaults = MetricConfig(name="")
    for metric in config.metrics:
        out += ["", "[[metric]]"]
        out += _fields(metric, metric_defaults, _METRIC_KEYS)
    if config.alertmanager.urls:
        out += ["", "[alertmanager]"]
        out += _fields(config.alertmanager, AlertmanagerConfig(), _ALERTMANAGER_KEYS)
    if config.vault.addr:  # the address only: a token never goes into a config file
        out += ["", "[vault]", f"addr = {_value(config.vault.addr)}"]
    rule_defaults = RuleConfig(name="", kind="", item="")
    for rule in config.rules:
        out += ["", "[[rule]]"]
        out += _fields(rule, rule_defaults, _RULE_KEYS)
        if rule.labels:
            labels = ", ".join(f"{name} = {_value(v)}" for name, v in rule.labels.items())
            out.append(f"labels = {{ {labels} }}")
    return "\n".join(out) + "\n"


# dataclass field -> TOML key, in the order they are written. The metric's ``source`` is not
# written: the loader infers it from which of query/scrape/json is present.
_CHECK_KEYS = (
    ("name", "name"),
    ("section", "section"),
    ("url", "url"),
    ("method", "method"),
    ("conditions", "conditions"),
    ("interval_s", "interval"),
    ("timeout_s", "timeout"),
    ("failure_threshold", "failure_threshold"),
    ("success_threshold", "success_threshold"),
)
_METRIC_KEYS = (
    ("name", "name"),
    ("title", "title"),
    ("section", "section"),
    ("unit", "unit"),
    ("query", "query"),
    ("scrape", "scrape"),
    ("series", "series"),
    ("json", "json"),
    ("field", "field"),
    ("rate", "rate"),
    ("scale", "scale"),
    ("warn", "warn"),
    ("crit", "crit"),
    ("direction", "direction"),
    ("interval_s", "interval"),
    ("timeout_s", "timeout"),
)


_RULE_KEYS = (
    ("name", "name"),
    ("kind", "kind"),
    ("item", "item"),
    ("severity", "severity"),
    ("above", "above"),
    ("below", "below"),
    ("status", "status"),
    ("for_s", "for"),
    ("intervals", "intervals"),
    ("summary", "summary"),
    ("description", "description"),
    ("runbook_url", "runbook_url"),
)
_ALERTMANAGER_KEYS = (
    ("urls", "urls"),
    ("interval_s", "interval"),
    ("timeout_s", "timeout"),
    ("push_local", "push_local"),
)


def _fields(obj: object, defaults: object, keys: tuple[tuple[str, str], ...]) -> list[str]:
    lines = []
    for attr, key in keys:
        value = getattr(obj, attr)
        if attr not in ("name", "section", "url", "urls") and value == getattr(defaults, attr):
            continue
        if key in ("interval", "timeout", "for"):
            lines.append(f"{key} = {_value(_duration(value))}")
        else:
            lines.append(f"{key} = {_value(value)}")
    return lines


def _duration(seconds: float) -> str:
    return f"{seconds:g}s"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Whole figures as TOML integers ("warn = 300"), the way a person writes them.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string (same escapes), quotes and all.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
