"""A deterministic alert stream for UI tests, written through the real Store methods.

Three polls of an Alertmanager (and the local rule engine) the way the recorder records them:
at 06:00 the night's alerts, at 07:40 one of them resolved, at 07:55 two new ones. The console
under test starts at 07:50 (``CONSOLE_START``), so the 07:55 alerts are new to it and the rest
are not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    LocalAck,
    Silence,
    SourceStatus,
)
from penguin_tui.app import PenguinApp
from penguin_tui.config_model import AlertmanagerConfig, Config
from penguin_tui.store import Store
from tests.ui.clock import Clock
from tests.ui.seed import HOUR, NOW, seed_cache

AM_URL = "http://am1.internal:9093"
CONSOLE_START = NOW - 10 * 60
MIN = 60.0

HOSTILE_LABEL = "[bold red]PWNED[/]\x1b[31m\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil\x07"
HOSTILE_LONG = "A" * 10_000

SILENCE_DEPLOY = Silence(
    "5e1a7c3d-0000-4000-8000-000000000001",
    (Matcher.equal("service", "queue"),),
    NOW - 3 * HOUR,
    NOW + 2 * HOUR,
    created_by="alice",
    comment="deploy of the queue workers",
)
SILENCE_ACK = Silence(
    "ac4e0000-0000-4000-8000-000000000002",
    (Matcher.equal("alertname", "DiskFilling"),),
    NOW - 30 * MIN,
    NOW + 15 * MIN,
    created_by="bob",
    comment="ACK by bob",
)


def _am(
    fp: str,
    name: str,
    severity: str,
    service: str,
    summary: str,
    started: float,
    **kw: object,
) -> Alert:
    labels = {"alertname": name, "severity": severity, "service": service}
    labels.update(kw.pop("labels", {}))  # type: ignore[arg-type]
    annotations = {"summary": summary}
    annotations.update(kw.pop("annotations", {}))  # type: ignore[arg-type]
    return Alert(
        fp,
        labels,
        annotations,
        starts_at=started,
        generator_url=f"http://prometheus.internal:9090/graph?g0.expr={name}",
        receivers=("ops-pager",),
        origins=(AM_URL,),
        **kw,  # type: ignore[arg-type]
    )


BOUNCE_2 = _am(
    "a0000000000000b2",
    "HighBounceRate",
    "critical",
    "smtp-relay",
    "Bounce rate 12% over 5 min on smtp-relay-2",
    NOW - 25 * MIN,
    labels={"instance": "smtp-relay-2:9100", "team": "mail"},
    annotations={
        "runbook_url": "https://runbooks.internal/mail/high-bounce-rate",
        "description": "Hard bounces above 10% for 5 minutes.\nCheck the blocklists first.",
    },
)
BOUNCE_1 = _am(
    "a0000000000000b1",
    "HighBounceRate",
    "critical",
    "smtp-relay",
    "Bounce rate 11% over 5 min on smtp-relay-1",
    NOW - 3 * HOUR,
    labels={"instance": "smtp-relay-1:9100", "team": "mail"},
)
QUEUE = _am(
    "a00000000000000q",
    "QueueBacklog",
    "warning",
    "queue",
    "Send queue above 20,000 mails",
    NOW - 2 * HOUR,
    silenced_by=(SILENCE_DEPLOY.id,),
    am_state="suppressed",
)
DISK = _am(
    "a00000000000000d",
    "DiskFilling",
    "high",
    "postgres",
    "Disk /var/lib/postgresql 91% full",
    NOW - 26 * HOUR,
    labels={"instance": "db1:9100"},
    silenced_by=(SILENCE_ACK.id,),
    am_state="suppressed",
)
DOWN = _am(
    "a00000000000000i",
    "InstanceDown",
    "critical",
    "webhook-dispatcher",
    "webhook-dispatcher has been down for 40 minutes",
    NOW - 40 * MIN,
)
LATENCY = _am(
    "a00000000000000l",
    "WebhookLatency",
    "warning",
    "webhook-dispatcher",
    "Webhook p95 above 2 s",
    NOW - 38 * MIN,
    inhibited_by=(DOWN.fingerprint,),
    am_state="suppressed",
)
CERT = _am(
    "a00000000000000c",
    "CertExpiresSoon",
    "info",
    "api",
    "TLS certificate of api.internal expires in 12 days",
    NOW - 3 * 86400,
)
SLOW = _am(
    "a00000000000000s",
    "DeliverySlow",
    "high",
    "smtp-relay",
    "Delivery p95 above 60 s",
    NOW - 4 * HOUR,
)
# First seen at 07:55, after the console started: "new", and the critical one rings the bell.
NEW_CRIT = _am(
    "a00000000000000n",
    "DkimSigningFailed",
    "critical",
    "smtp-relay",
    "DKIM signing failed for 3% of mails",
    NOW - 5 * MIN,
)
LOCAL = Alert(
    "10ca100000000001",
    {
        "alertname": "ApiLatencyHigh",
        "severity": "warning",
        "service": "api",
        "item": "metric:api_p95",
        "source": "penguin-tui",
    },
    {
        "summary": "API p95 latency 342 ms above 300 ms for 5m",
        "runbook_url": "https://runbooks.internal/api/latency",
    },
    starts_at=NOW - 30 * MIN,
    source=AlertSource.LOCAL,
    origins=("local",),
)

NIGHT = [BOUNCE_1, QUEUE, DISK, DOWN, LATENCY, CERT, SLOW]


def alert_config(*, alertmanager: bool = True) -> Config:
    """The health seed's config, with an Alertmanager (or local rules only)."""
    from tests.ui.seed import seed_config

    config = seed_config()
    if not alertmanager:
        return config
    return dataclasses.replace(config, alertmanager=AlertmanagerConfig(urls=(AM_URL,)))


def alert_app(
    tmp_path: Path, *, config: Config | None = None, alertmanager: bool = True, **seed: object
) -> PenguinApp:
    """A console over the seeded cache (``seed``: ``seed_alerts``'s options), started at
    07:50 (CONSOLE_START, the operator's last look) and looking at it at 08:00 (NOW)."""
    cache = tmp_path / "cache.db"
    seed_alerts(cache, alertmanager=alertmanager, **seed)  # type: ignore[arg-type]
    clock = Clock(CONSOLE_START)
    app = PenguinApp(
        config or alert_config(alertmanager=alertmanager), cache, clock=clock, record=False
    )
    clock.now = NOW
    return app


def seed_alerts(
    path: Path,
    *,
    am_down: bool = False,
    extra: list[Alert] | None = None,
    with_health: bool = True,
    alertmanager: bool = True,
) -> None:
    """Record the night's polls into the cache at ``path`` (health history first, if asked).

    ``alertmanager=False``: local rules only (the local alert, no Alertmanager source).
    """
    if with_health:
        seed_cache(path)
    store = Store.open(path)
    try:
        am, local = AlertSource.ALERTMANAGER, AlertSource.LOCAL
        if not alertmanager:
            store.record_alerts(local, [LOCAL], NOW - 5 * MIN)
            store.set_alert_sources([SourceStatus("local", True, NOW - 5 * MIN)])
            return
        silences = [SILENCE_DEPLOY, SILENCE_ACK]
        t1, t2, t3 = NOW - 2 * HOUR, NOW - 20 * MIN, NOW - 5 * MIN
        store.record_silences(silences, t1)
        store.record_alerts(am, NIGHT, t1)
        store.record_alerts(local, [LOCAL], t1)
        store.record_alerts(am, [a for a in NIGHT if a is not SLOW], t2)  # SLOW resolves
        store.record_alerts(am, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, *(extra or [])], t3)
        store.record_alerts(local, [LOCAL], t3)
        store.set_alert_sources(
            [
                SourceStatus(AM_URL, True, t3, version="0.25.0", cluster="disabled"),
                SourceStatus("local", True, t3),
            ]
        )
        if am_down:
            store.set_alert_sources(
                [
                    SourceStatus(
                        AM_URL,
                        False,
                        NOW - 60,
                        error="connection refused",
                        down_since=NOW - 4 * MIN,
                    ),
                    SourceStatus("local", True, NOW - 60),
                ]
            )
            store.mark_alerts_stale(am, True)
    finally:
        store.close()


def ack_local(path: Path) -> None:
    """Ack the local alert (as the console's ack of a local-rule alert does)."""
    store = Store.open(path)
    try:
        store.add_local_ack(LocalAck(LOCAL.fingerprint, "carol", NOW - 2 * MIN, NOW + 13 * MIN))
    finally:
        store.close()
