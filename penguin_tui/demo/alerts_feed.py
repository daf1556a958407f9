"""What PenguinMails' Prometheus would send the demo Alertmanager, following the scenario.

Alerts fire while the platform's episodes run (an smtp-relay latency spike, a bounce-rate
climb, webhook flapping, the outbound queue backing up, a redis restart) and resolve when they
end; a few stand all the time (a DKIM key expiring, a disk filling, the Watchdog). Each has
the annotations a real rule carries: summary, description, runbook_url. They are re-sent every
few seconds with ``endsAt`` a little ahead, as Prometheus does, so if the feeder dies its
alerts resolve by themselves.

Scenario time (``clock``, the platform's) and wall time (Alertmanager's) are kept apart:
``startsAt`` is when the episode began on the platform, moved onto the wall clock, so a test
can put the scenario at any instant while Alertmanager judges ``endsAt`` by its own clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.matchers import Matcher
from penguin_tui.alerts.model import Alert, SilenceDraft
from penguin_tui.demo import episodes as ep
from penguin_tui.demo.scenario import Scenario

log = logging.getLogger(__name__)

RESEND_S = 5.0
ENDS_AFTER_S = 4 * RESEND_S  # Prometheus: endsAt = now + 4 x resend delay
FIRES_AT_LEVEL = 0.5  # an episode this strong trips its alert (a ramp is "pending")
RUNBOOKS = "https://runbooks.penguinmails.example"
PROMETHEUS = "http://prometheus.penguinmails.example:9090"
COMMON = {"env": "prod", "cluster": "eu-west-1"}
DEMO_AUTHOR = "demo"
# A planned resize of db-2's volume: DiskFilling shows as silenced, not firing.
SILENCE_COMMENT = "db-2 volume resize planned tonight (OPS-1234)"
SILENCE_HOURS = 8.0

# The three smtp-relay alerts are about one machine: one set of labels, written once.
RELAY = {"service": "smtp-relay", "instance": "relay-1:9100", "team": "mail"}

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class DemoRule:
    """One alert the feeder can send: static labels and annotations, and when it fires.

    ``kind`` is the episode kind that drives it (None: always firing, since ``since_h`` hours
    before the demo began). ``summary`` may use ``{value}``, filled by ``value(scenario, t)``.
    """

    alertname: str
    severity: str
    labels: dict[str, str]
    summary: str
    description: str
    runbook: str
    expr: str
    kind: str | None = None
    since_h: float = 0.0
    value: Callable[[Scenario, float], str] | None = field(default=None, compare=False)


def _queue(s: Scenario, t: float) -> str:
    return f"{s.gauges(t).queue_depth:,.0f}"


def _bounce(s: Scenario, t: float) -> str:
    return f"{s.stats(t)['email']['bounce_rate'] * 100:.1f}"


RULES: tuple[DemoRule, ...] = (
    DemoRule(
        "SMTPRelayQueueGrowing", "critical",
        RELAY,
        "Outbound queue at {value} mails and growing",
        "The smtp-relay outbound queue has grown for 10 minutes. Mail to Gmail and Outlook is "
        "being deferred; customers will see delays over 15 minutes.",
        "smtp-relay-queue", 'deriv(penguinmails_queue_depth{queue="outbound"}[10m]) > 20',
        kind=ep.QUEUE_BACKLOG, value=_queue,
    ),
    DemoRule(
        "SMTPRelayDeferredHigh", "warning",
        RELAY,
        "More than 5 % of outbound mail deferred",
        "Receiving servers are deferring mail (4xx). Usually follows the queue backing up.",
        "smtp-relay-deferred", "rate(penguinmails_deferred_total[5m]) > 0.05",
        kind=ep.QUEUE_BACKLOG,
    ),
    DemoRule(
        "SMTPRelayLatencyHigh", "warning",
        RELAY,
        "smtp-relay p95 handshake latency above 2 s",
        "SMTP handshakes to the relay are slow; the relay may report itself degraded next.",
        "smtp-relay-latency", "histogram_quantile(0.95, smtp_handshake_seconds_bucket) > 2",
        kind=ep.SMTP_LATENCY,
    ),
    DemoRule(
        "BounceRateHigh", "critical",
        {"service": "bounce-processor", "team": "deliverability"},
        "Bounce rate {value} % over the last 2 minutes",
        "Hard and soft bounces are climbing; often a customer imported a stale list. Mailbox "
        "providers throttle senders whose bounce rate stays above 2 %.",
        "bounce-rate", "penguinmails_bounce_rate > 0.02",
        kind=ep.BOUNCE_CLIMB, value=_bounce,
    ),
    DemoRule(
        "WebhookDispatcherFlapping", "warning",
        {"service": "webhook-dispatcher", "team": "platform"},
        "webhook-dispatcher restarted 4 times in 5 minutes",
        "The dispatcher crashes and restarts; customers' webhooks arrive late or twice.",
        "webhook-flapping", "changes(up{job=\"webhook-dispatcher\"}[5m]) > 3",
        kind=ep.WEBHOOK_FLAP,
    ),
    DemoRule(
        "RedisDown", "critical",
        {"service": "redis", "instance": "redis-1:6379", "team": "platform"},
        "redis-1 is not accepting connections",
        "Sessions and rate limits live in redis; logins fail while it is down.",
        "redis-down", 'up{job="redis"} == 0',
        kind=ep.REDIS_DOWN,
    ),
    DemoRule(
        "DKIMKeyExpiring", "warning",
        {"service": "dkim", "selector": "pm2024", "domain": "penguinmails.example",
         "team": "deliverability"},
        "DKIM key pm2024 for penguinmails.example expires in 9 days",
        "Rotate the DKIM key and publish the new selector in DNS at least 48 h before expiry.",
        "dkim-rotation", "penguinmails_dkim_key_expiry_seconds < 14 * 86400",
        since_h=30.0,
    ),
    DemoRule(
        "DiskFilling", "warning",
        {"service": "postgres", "instance": "db-2:9100", "mountpoint": "/var/lib/postgresql",
         "team": "dba"},
        "/var/lib/postgresql on db-2 is 87 % full, full in about 3 days",
        "predict_linear says the volume fills within 72 h at the current write rate.",
        "disk-filling",
        'predict_linear(node_filesystem_avail_bytes{mountpoint="/var/lib/postgresql"}[6h], '
        "72 * 3600) < 0",
        since_h=5.5,
    ),
    DemoRule(
        "Watchdog", "none",
        {"team": "platform"},
        "The alerting pipeline is alive",
        "Always firing, to prove Prometheus and Alertmanager work end to end. If it stops, "
        "alerting itself is broken.",
        "watchdog", "vector(1)",
        since_h=72.0,
    ),
)  # fmt: skip


def _labels(rule: DemoRule) -> dict[str, str]:
    return {"alertname": rule.alertname, "severity": rule.severity, **COMMON, **rule.labels}


def _generator_url(expr: str) -> str:
    from urllib.parse import quote

    return f"{PROMETHEUS}/graph?g0.expr={quote(expr, safe='')}&g0.tab=1"


def firing(scenario: Scenario, t: float, rules: Sequence[DemoRule] = RULES) -> list[Alert]:
    """The alerts firing at scenario time ``t``, with scenario-time ``starts_at``."""
    out = []
    for rule in rules:
        if rule.kind is None:
            starts = scenario.origin - rule.since_h * 3600.0
        else:
            if scenario.level(rule.kind, t) < FIRES_AT_LEVEL:
                continue
            started = scenario.schedule.started_at(rule.kind, t)
            starts = t if started is None else started
        summary = rule.summary
        if rule.value is not None:
            summary = summary.format(value=rule.value(scenario, t))
        labels = _labels(rule)
        out.append(
            Alert(
                fingerprint=fingerprint(labels),
                labels=labels,
                annotations={
                    "summary": summary,
                    "description": rule.description,
                    "runbook_url": f"{RUNBOOKS}/{rule.runbook}",
                },
                starts_at=starts,
                generator_url=_generator_url(rule.expr),
            )
        )
    return out


class Poster(Protocol):
    """What the feeder needs of an Alertmanager (an ``AlertmanagerClient`` or pool)."""

    async def post_alerts(self, alerts: Sequence[Alert]) -> None: ...

    async def create_silence(self, draft: SilenceDraft) -> str: ...


class AlertFeeder:
    """Sends the scenario's alerts to ``target`` every RESEND_S; resolves those that ended."""

    def __init__(
        self,
        target: Poster,
        scenario: Scenario,
        clock: Clock = time.time,
        *,
        wall: Clock = time.time,
        silence: bool = True,
    ) -> None:
        self.target = target
        self.scenario = scenario
        self.clock = clock
        self.wall = wall
        self._want_silence = silence
        self._sent: dict[str, Alert] = {}  # firing as last posted, by fingerprint
        self.silence_id = ""

    async def feed_once(self) -> tuple[int, int]:
        """Post what fires now and resolve what stopped; returns (firing, resolved).

        Raises AlertmanagerError when Alertmanager is unreachable (nothing is forgotten: the
        next call resolves what still needs resolving).
        """
        t, wall = self.clock(), self.wall()
        shift = wall - t  # scenario time -> wall time
        now = {a.fingerprint: a for a in firing(self.scenario, t)}
        batch = [
            replace(a, starts_at=(a.starts_at or t) + shift, ends_at=wall + ENDS_AFTER_S)
            for a in now.values()
        ]
        ended = [replace(a, ends_at=wall) for fp, a in self._sent.items() if fp not in now]
        await self.target.post_alerts(batch + ended)
        self._sent = {a.fingerprint: a for a in batch}
        if self._want_silence and not self.silence_id:
            self.silence_id = await self.target.create_silence(
                SilenceDraft(
                    matchers=(
                        Matcher.equal("alertname", "DiskFilling"),
                        Matcher.equal("instance", "db-2:9100"),
                    ),
                    starts_at=wall,
                    ends_at=wall + SILENCE_HOURS * 3600.0,
                    created_by=DEMO_AUTHOR,
                    comment=SILENCE_COMMENT,
                )
            )
        return len(batch), len(ended)

    async def run(self, interval_s: float = RESEND_S) -> None:
        """Feed until cancelled. A failed round is logged and retried, never fatal."""
        from penguin_tui.errors import PenguinError

        while True:
            try:
                await self.feed_once()
            except PenguinError as exc:
                log.warning("demo alerts not sent (will retry): %s", exc)
            await asyncio.sleep(interval_s)
