"""The configuration as typed data. Loading and validation live in ``penguin_tui.config``.

Durations are seconds (float) here; the TOML file writes them as "30s", "5m", "48h", "14d".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import DEFAULT_CADENCE_S
from penguin_tui.model import ItemInfo, ItemKind

SECTIONS = ("Services", "Databases", "API", "Email deliverability", "Support", "Host")


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """An ``[[check]]``: an http(s):// or tcp:// probe judged by Gatus-style conditions."""

    name: str
    url: str  # http://, https:// or tcp://host:port
    section: str = "Services"
    method: str = "GET"
    # Headers and bodies may carry credentials: kept out of reprs (logs, tracebacks).
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: str = field(default="", repr=False)  # request body (POST checks)
    conditions: tuple[str, ...] = ("[STATUS] == 200",)  # tcp default: ("[CONNECTED] == true",)
    interval_s: float = 30.0
    timeout_s: float = 10.0
    max_body_bytes: int = 1_048_576  # responses are read up to this many bytes, then cut off
    failure_threshold: int = 2  # consecutive failed probes before the status flips to CRIT
    success_threshold: int = 1  # consecutive good probes before it flips back to OK
    verify_tls: bool = True

    @property
    def key(self) -> str:
        return f"check:{self.name}"

    @property
    def is_tcp(self) -> bool:
        return self.url.startswith("tcp://")

    def item(self) -> ItemInfo:
        return ItemInfo(self.key, ItemKind.CHECK, self.section, self.name, "ms", self.interval_s)


@dataclass(frozen=True, slots=True)
class MetricConfig:
    """A ``[[metric]]``: one number, from exactly one of three sources.

    - Prometheus: ``query`` (PromQL, instant query against ``prometheus_url`` or [prometheus].url)
    - scrape:     ``scrape`` (URL of a text-format /metrics) + ``series`` (``name{label="v"}``)
    - JSON:       ``json`` (URL) + ``field`` (dotted path, e.g. ``queue.depth``)

    ``rate`` turns a counter into per-second increase between polls; ``scale`` multiplies the
    result (3600 for per hour, 100 for percent, 1000 for ms).
    """

    name: str
    section: str = "API"
    unit: str = ""
    source: str = "prometheus"  # "prometheus" | "scrape" | "json"
    query: str = ""
    prometheus_url: str = ""
    scrape: str = ""
    series: str = ""
    json: str = ""
    field: str = ""
    rate: bool = False
    scale: float = 1.0
    warn: float | None = None
    crit: float | None = None
    direction: str = "above"  # "above": higher is worse; "below": lower is worse
    interval_s: float = 30.0
    timeout_s: float = 10.0
    title: str = ""  # display name; defaults to name

    @property
    def key(self) -> str:
        return f"metric:{self.name}"

    def item(self) -> ItemInfo:
        return ItemInfo(
            self.key,
            ItemKind.METRIC,
            self.section,
            self.title or self.name,
            self.unit,
            self.interval_s,
            self.warn,
            self.crit,
            self.direction,
        )


@dataclass(frozen=True, slots=True)
class Threshold:
    """Glances-style levels: careful is informational, warning -> WARN, critical -> CRIT."""

    careful: float
    warning: float
    critical: float


@dataclass(frozen=True, slots=True)
class HostConfig:
    """``[host]``: the bastion's own figures through psutil (glances' default thresholds)."""

    enabled: bool = True
    interval_s: float = 15.0
    cpu: Threshold = Threshold(50, 70, 90)  # percent
    memory: Threshold = Threshold(50, 70, 90)  # percent
    swap: Threshold = Threshold(50, 70, 90)  # percent
    disk: Threshold = Threshold(50, 70, 90)  # percent, per mount
    load: Threshold = Threshold(0.7, 1.0, 5.0)  # multiples of the core count
    mounts: tuple[str, ...] = ()  # empty: every real (non-virtual) mount
    network: bool = True  # rx/tx rates, informational


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    """``[retention]``: how long each tier of the cache keeps data."""

    raw_s: float = 48 * 3600
    minute_s: float = 14 * 86400
    hour_s: float = 400 * 86400


@dataclass(frozen=True, slots=True)
class VaultConfig:
    """``[vault]``: where the secret browser finds Vault, and how it treats what it shows.

    Each connection key set here wins over its ``VAULT_*`` environment variable (the issue's
    "overridable in the config"); keys left out fall back to the environment, then to the vault
    CLI's defaults (``penguin_tui.vault.settings`` resolves them). A token never lives in the
    config: it comes from VAULT_TOKEN or ~/.vault-token.
    """

    addr: str = ""
    namespace: str = ""
    cacert: Path | None = None
    capath: Path | None = None
    skip_verify: bool | None = None  # None: not set here (VAULT_SKIP_VERIFY decides)
    rotation_period_s: float = 90 * 86400.0  # older secrets are flagged for rotation
    reveal_timeout_s: float = 30.0  # a revealed value is masked again after this long
    clipboard_clear_s: float = 45.0  # a copied value is cleared from the clipboard after this


@dataclass(frozen=True, slots=True)
class AlertmanagerConfig:
    """``[alertmanager]``: where alerts come from. Several URLs are one HA cluster.

    Credentials never live in the config itself: a password or bearer token is read from a file
    (``password_file``, ``bearer_token_file``, as Prometheus' http config does) or from the
    environment variable named by ``password_env`` / ``bearer_token_env``.
    """

    urls: tuple[str, ...] = ()  # empty: no Alertmanager, local rules only
    username: str = ""
    password_file: Path | None = None
    password_env: str = ""
    bearer_token_file: Path | None = None
    bearer_token_env: str = ""
    ca_file: Path | None = None
    verify_tls: bool = True
    interval_s: float = 10.0  # how often the recorder polls alerts and silences
    timeout_s: float = 10.0
    max_response_bytes: int = 64 * 1024 * 1024  # a bigger answer is cut off and reported
    push_local: bool = False  # also POST local rule alerts to Alertmanager

    @property
    def enabled(self) -> bool:
        return bool(self.urls)


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """``[alerts]``: how the alert stream behaves in the console."""

    ack_duration_s: float = 15 * 60.0  # an ack is a silence this long
    author: str = ""  # silences' createdBy; empty: the OS user
    bell: bool = True  # ring the terminal bell on a new Critical alert
    notify: bool = True  # and show a notification
    group_by: str = "alertname"  # default grouping label on the alerts screen
    resolved_keep_s: float = 3600.0  # resolved alerts stay listed (toggle) this long
    history_days: float = 30.0  # alert history kept in the cache


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """A ``[[rule]]``: a local alert the recorder evaluates over what it records.

    kind "threshold": ``item``'s value above/below ``threshold`` for ``for_s``;
    kind "state":     ``item``'s status is ``status`` (e.g. CRIT) for ``for_s``;
    kind "stale":     no data from ``item`` for ``intervals`` of its poll interval.
    ``item`` is an item key (``metric:bounce_rate``) or a check/metric name; "*" in a state or
    stale rule means every item. ``summary`` is a template: ``{item}``, ``{name}``, ``{value}``,
    ``{unit}``, ``{threshold}``, ``{status}``, ``{for}``, ``{age}`` are filled in.
    """

    name: str  # becomes the alertname label
    kind: str  # "threshold" | "state" | "stale"
    item: str
    severity: str = "warning"
    above: float | None = None
    below: float | None = None
    status: str = "CRIT"
    for_s: float = 0.0
    intervals: int = 3
    labels: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    description: str = ""
    runbook_url: str = ""


def _default_cadence() -> Mapping[Severity, float]:
    # Read-only: every Config without [incidents] shares this one.
    return MappingProxyType(dict(DEFAULT_CADENCE_S))


@dataclass(frozen=True, slots=True)
class IncidentsConfig:
    """``[incidents]``: how often a stakeholder update is due while an incident is open."""

    cadence_s: Mapping[Severity, float] = field(default_factory=_default_cadence)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration. ``source`` is the file it came from (None: built-in default)."""

    checks: tuple[CheckConfig, ...] = ()
    metrics: tuple[MetricConfig, ...] = ()
    host: HostConfig = HostConfig()
    retention: RetentionConfig = RetentionConfig()
    cache_path: Path | None = None  # [general].cache; --cache wins
    log_file: Path | None = None  # [general].log_file: the daemon also logs here
    max_concurrency: int = 50  # [general].max_concurrency: polls in flight at once
    uptime_target: float = 99.9  # [general].uptime_target, percent
    prometheus_url: str = ""  # [prometheus].url, default for metrics with a query
    vault: VaultConfig = VaultConfig()  # [vault]
    alertmanager: AlertmanagerConfig = AlertmanagerConfig()  # [alertmanager]
    alerts: AlertsConfig = AlertsConfig()  # [alerts]
    rules: tuple[RuleConfig, ...] = ()  # [[rule]]
    incidents: IncidentsConfig = IncidentsConfig()  # [incidents]
    source: Path | None = None

    def items(self) -> list[ItemInfo]:
        """Every configured item, checks first, then metrics (host items come from the sampler)."""
        return [c.item() for c in self.checks] + [m.item() for m in self.metrics]
